"""ConvGRU / ConvLSTM cells against a step-by-step NumPy reference, RNN wrapping, dropout, stacking, config."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from tf_lu.errors import TfLuError
from tf_lu.updaters.recurrent import ConvRNN, StackedConvRNN
from tf_lu.updaters.recurrent_cells import ConvGRUCell, ConvLSTMCell, build_cell

B, H, W, C, F, T = 2, 4, 4, 3, 5, 4


# ------------------------------------------------------------------------------------------------ NumPy reference
def conv_same(x, k):
    """'same' zero-padded stride-1 convolution (cross-correlation, as TF): x (B, H, W, C), k (kh, kw, C, O)."""
    kh, kw = k.shape[:2]
    top, left = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(x, ((0, 0), (top, kh - 1 - top), (left, kw - 1 - left), (0, 0)))
    out = np.zeros(x.shape[:3] + (k.shape[3],), np.float64)
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("bhwc,co->bhwo", xp[:, i:i + x.shape[1], j:j + x.shape[2], :], k[i, j])
    return out


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def np_weights(cell):
    """The cell's weights as float64 arrays: kernel, recurrent kernel, {gate: (gamma, beta)} or bias, epsilon."""
    names = ("z", "r", "n") if isinstance(cell, ConvGRUCell) else ("i", "f", "c", "o", "cell")
    w = {"kernel": cell.kernel.numpy().astype(np.float64),
         "recurrent": cell.recurrent_kernel.numpy().astype(np.float64)}
    if cell.layer_norm:
        for name in names:
            ln = getattr(cell, f"ln_{name}")
            w[name] = (ln.gamma.numpy().astype(np.float64), ln.beta.numpy().astype(np.float64), ln.epsilon)
    else:
        w["bias"] = cell.bias.numpy().astype(np.float64)
    return w


def np_norm(w, name, v):
    if name not in w:
        return v
    gamma, beta, eps = w[name]
    mean = v.mean(axis=-1, keepdims=True)
    var = v.var(axis=-1, keepdims=True)
    return (v - mean) / np.sqrt(var + eps) * gamma + beta


def np_pre(w, x, h, gates):
    gx = conv_same(x, w["kernel"]) + (w["bias"] if "bias" in w else 0.0)
    gh = conv_same(h, w["recurrent"])
    return np.split(gx, gates, axis=-1), np.split(gh, gates, axis=-1)


def np_gru_step(w, x, h, masks=(None, None)):
    xd = x if masks[0] is None else x * masks[0]
    hd = h if masks[1] is None else h * masks[1]
    (xz, xr, xn), (hz, hr, hn) = np_pre(w, xd, hd, 3)
    z = sigmoid(np_norm(w, "z", xz + hz))
    r = sigmoid(np_norm(w, "r", xr + hr))
    n = np.tanh(np_norm(w, "n", xn + r * hn))
    return (1 - z) * n + z * h


def np_lstm_step(w, x, h, c):
    (xi, xf, xc, xo), (hi, hf, hc, ho) = np_pre(w, x, h, 4)
    i = sigmoid(np_norm(w, "i", xi + hi))
    f = sigmoid(np_norm(w, "f", xf + hf))
    g = np.tanh(np_norm(w, "c", xc + hc))
    o = sigmoid(np_norm(w, "o", xo + ho))
    c = f * c + i * g
    return o * np.tanh(np_norm(w, "cell", c)), c


# ------------------------------------------------------------------------------------------------------- helpers
def sequence(seed=0):
    return np.random.default_rng(seed).normal(size=(B, T, H, W, C)).astype(np.float32)


def built_cell(kind, layer_norm=True, dropout=0.0, seed=1):
    """A built cell whose LN gamma/beta (or bias) are randomised, so the reference checks them too."""
    cell = build_cell(kind, F, dropout=dropout, layer_norm=layer_norm)
    cell.build((None, H, W, C))
    rng = np.random.default_rng(seed)
    for v in cell.weights:
        if "gamma" in v.path or "beta" in v.path or v.path.endswith("bias"):
            v.assign(rng.normal(scale=0.5, size=v.shape).astype(np.float32) + (1.0 if "gamma" in v.path else 0.0))
    return cell


def manual(cell, xs, training=False, masks=None):
    states = cell.zero_state(B, H, W)
    outs = []
    for t in range(xs.shape[1]):
        out, states = cell(xs[:, t], states, training=training, dropout_masks=masks)
        outs.append(out.numpy())
    return np.stack(outs, axis=1), [s.numpy() for s in states]


# --------------------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("layer_norm", [True, False])
def test_convgru_matches_numpy(layer_norm):
    cell = built_cell("convgru", layer_norm)
    assert isinstance(cell, ConvGRUCell) and cell.kernel.shape == (3, 3, C, 3 * F)
    xs = sequence()
    w = np_weights(cell)
    h = np.zeros((B, H, W, F))
    states = cell.zero_state(B, H, W)
    for t in range(T):
        h = np_gru_step(w, xs[:, t].astype(np.float64), h)
        out, states = cell(xs[:, t], states)
        assert len(states) == 1 and out.shape == (B, H, W, F)
        np.testing.assert_allclose(out.numpy(), h, atol=1e-4)
        np.testing.assert_allclose(states[0].numpy(), h, atol=1e-4)
    assert np.abs(h).max() > 0.05  # the check is not vacuous


@pytest.mark.parametrize("layer_norm", [True, False])
def test_convlstm_matches_numpy(layer_norm):
    cell = built_cell("convlstm", layer_norm)
    assert isinstance(cell, ConvLSTMCell) and cell.recurrent_kernel.shape == (3, 3, F, 4 * F)
    xs = sequence(1)
    w = np_weights(cell)
    h = c = np.zeros((B, H, W, F))
    states = cell.zero_state(B, H, W)
    for t in range(T):
        h, c = np_lstm_step(w, xs[:, t].astype(np.float64), h, c)
        out, states = cell(xs[:, t], states)
        np.testing.assert_allclose(out.numpy(), h, atol=1e-4)
        np.testing.assert_allclose(states[0].numpy(), h, atol=1e-4)
        np.testing.assert_allclose(states[1].numpy(), c, atol=1e-4)


def test_forget_bias_starts_at_one():
    assert np.allclose(build_cell("convlstm", F).ln_f.beta_initializer((F,)), 1.0)
    cell = build_cell("convlstm", F, layer_norm=False)
    cell.build((None, H, W, C))
    assert np.allclose(cell.bias.numpy(), np.repeat([0.0, 1.0, 0.0, 0.0], F))


@pytest.mark.parametrize("kind", ["convgru", "convlstm"])
def test_rnn_wrapper_equals_manual_steps(kind):
    cell = built_cell(kind)
    xs = sequence(2)
    assert cell.state_size == [(H, W, F)] * (1 if kind == "convgru" else 2)
    rnn = keras.layers.RNN(cell, return_sequences=True, return_state=True)
    seq, *states = rnn(xs)
    want_seq, want_states = manual(cell, xs)
    np.testing.assert_allclose(seq.numpy(), want_seq, atol=1e-5)
    assert len(states) == len(want_states)
    for got, want in zip(states, want_states):
        np.testing.assert_allclose(got.numpy(), want, atol=1e-5)
    # ConvRNN also works on symbolic inputs (plain RNN cannot compute conv output shapes)
    wrapped = ConvRNN(cell, return_sequences=True, return_state=True)
    inp = keras.Input((T, H, W, C))
    model = keras.Model(inp, wrapped(inp))
    got = model(xs)
    assert tuple(got[0].shape) == (B, T, H, W, F)
    np.testing.assert_allclose(got[0].numpy(), want_seq, atol=1e-5)


@pytest.mark.parametrize("kind", ["convgru", "convlstm"])
def test_dropout_only_when_training(kind):
    xs = sequence(3)
    plain = built_cell(kind, dropout=0.0)
    dropped = built_cell(kind, dropout=0.5)
    dropped.set_weights(plain.get_weights())
    reference, _ = manual(plain, xs)
    np.testing.assert_allclose(manual(dropped, xs, training=False)[0], reference, atol=1e-6)
    rnn = keras.layers.RNN(dropped, return_sequences=True)
    np.testing.assert_allclose(rnn(xs, training=False).numpy(), reference, atol=1e-5)
    assert not np.allclose(manual(dropped, xs, training=True)[0], reference, atol=1e-3)
    assert not np.allclose(rnn(xs, training=True).numpy(), reference, atol=1e-3)
    # a plain cell ignores training
    np.testing.assert_allclose(manual(plain, xs, training=True)[0], reference, atol=1e-6)


def test_explicit_masks_match_numpy_and_are_reused():
    cell = built_cell("convgru", dropout=0.4)
    xs = sequence(4)
    masks = cell.make_dropout_masks(xs[:, 0], cell.zero_state(B, H, W))
    m = [mk.numpy().astype(np.float64) for mk in masks]
    assert m[0].shape == (B, H, W, C) and m[1].shape == (B, H, W, F)
    assert np.allclose(m[0][m[0] != 0], 1.0 / 0.6) and (m[0] == 0).any()
    first, _ = manual(cell, xs, training=True, masks=masks)
    again, _ = manual(cell, xs, training=True, masks=masks)
    np.testing.assert_allclose(first, again, atol=1e-6)  # same masks -> deterministic
    w = np_weights(cell)
    h = np.zeros((B, H, W, F))
    for t in range(T):
        h = np_gru_step(w, xs[:, t].astype(np.float64), h, m)
        np.testing.assert_allclose(first[:, t], h, atol=1e-4)


@pytest.mark.parametrize("kind", ["convgru", "convlstm"])
@pytest.mark.parametrize("layers", [1, 2, 3])
def test_stacked_shapes(kind, layers):
    filters = [4, 6, 5][:layers]
    stack = StackedConvRNN(filters, num_layers=layers, kind=kind, dropout=0.2)
    states = stack.zero_states(B, H, W)
    per_layer = 1 if kind == "convgru" else 2
    assert len(states) == layers and all(len(s) == per_layer for s in states)
    x = sequence()[:, 0]
    outputs, states = stack.step(x, states, training=True)
    assert [tuple(o.shape) for o in outputs] == [(B, H, W, f) for f in filters]
    assert [[tuple(t.shape) for t in s] for s in states] == [[(B, H, W, f)] * per_layer for f in filters]
    assert stack.output_channels == sum(filters)
    assert [c.kernel.shape[2] for c in stack.cells] == [C] + filters[:-1]
    masks = stack.make_dropout_masks(x, states)
    seq_out, final = stack.unroll(sequence()[:, :2], training=True, dropout_masks=masks)
    assert [tuple(o.shape) for o in seq_out] == [(B, 2, H, W, f) for f in filters] and len(final) == layers


def test_stacked_step_equals_cells():
    stack = StackedConvRNN(F, num_layers=2)
    xs = sequence(5)
    outs, states = stack.unroll(xs)
    h1, _ = manual(stack.cells[0], xs)
    h2, last = manual(stack.cells[1], h1)
    np.testing.assert_allclose(outs[0].numpy(), h1, atol=1e-5)
    np.testing.assert_allclose(outs[1].numpy(), h2, atol=1e-5)
    np.testing.assert_allclose(states[1][0].numpy(), last[0], atol=1e-5)


@pytest.mark.parametrize("cls", [ConvGRUCell, ConvLSTMCell])
def test_cell_config_round_trip(cls):
    cell = cls(F, kernel_size=3, dropout=0.1, recurrent_dropout=0.2, layer_norm=False, seed=7, name="c")
    cell.build((None, H, W, C))
    config = cell.get_config()
    clone = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(cell))
    assert type(clone) is cls and clone.get_config() == config
    if not clone.built:  # serialize_keras_object stores the build config, so it usually is
        clone.build((None, H, W, C))
    clone.set_weights(cell.get_weights())
    xs = sequence(6)
    np.testing.assert_allclose(manual(clone, xs)[0], manual(cell, xs)[0], atol=1e-6)


def test_stacked_config_round_trip():
    stack = StackedConvRNN([4, 5], num_layers=2, kind="convlstm", dropout=0.1, layer_norm=True, name="s")
    clone = StackedConvRNN.from_config(stack.get_config())
    assert clone.get_config() == stack.get_config()
    x = sequence()[:, 0]
    stack.step(x, stack.zero_states(B, H, W))
    clone.step(x, clone.zero_states(B, H, W))
    assert [v.shape for v in clone.weights] == [v.shape for v in stack.weights]


def test_errors():
    with pytest.raises(TfLuError, match="unknown recurrent cell"):
        build_cell("transformer", F)
    with pytest.raises(TfLuError):
        StackedConvRNN(F, num_layers=0)
    with pytest.raises(TfLuError):
        build_cell("convgru", F).get_initial_state(B)  # spatial size unknown before build


def test_tf_function_step():
    stack = StackedConvRNN(F, num_layers=2, dropout=0.3)
    x = tf.constant(sequence()[:, 0])
    states = stack.zero_states(B, H, W)
    stack.step(x, states)  # build eagerly
    masks = stack.make_dropout_masks(x, states)
    step = tf.function(lambda x, s, m: stack.step(x, s, training=True, dropout_masks=m))
    eager_out, _ = stack.step(x, states, training=True, dropout_masks=masks)
    graph_out, _ = step(x, states, masks)
    np.testing.assert_allclose(graph_out[1].numpy(), eager_out[1].numpy(), atol=1e-5)


def test_mask_lifetime(monkeypatch):
    cell = built_cell("convgru", dropout=0.3)  # input and recurrent dropout
    calls = []
    original = type(cell)._create_dropout_mask
    monkeypatch.setattr(type(cell), "_create_dropout_mask",
                        lambda self, x, rate: calls.append(rate) or original(self, x, rate))
    keras.layers.RNN(cell, return_sequences=True)(sequence(), training=True)
    assert len(calls) == 2  # one input + one recurrent mask for the whole sequence
    calls.clear()
    manual(cell, sequence(), training=True)
    assert len(calls) == 2 * T  # by hand without dropout_masks: fresh masks every step
