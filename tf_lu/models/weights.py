"""Loading a weights file into a built model, strictly and quietly."""
import warnings


def load_weights_strictly(model, path):
    """``model.load_weights(path)`` without Keras' warnings on stderr; a file that leaves part of the model unloaded
    (Keras warns that it skipped a layer and keeps its fresh weights) raises ``ValueError`` with that warning, as a
    file that does not fit at all does."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.load_weights(path)
    skipped = [w for w in caught if "Skipping" in str(w.message) or "could not be loaded" in str(w.message)]
    if skipped:
        raise ValueError(" ".join(str(skipped[0].message).split()))
    return model
