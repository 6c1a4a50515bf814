"""Recurrent layers over the conv cells of :mod:`tf_lu.updaters.recurrent_cells` [P, Sec. IV, step 2].

* :class:`ConvRNN`: ``keras.layers.RNN`` over one cell that also works on symbolic ``keras.Input`` tensors;
* :class:`StackedConvRNN`: N cells stepped together, ``step(x_t, states) -> (hidden outputs of every layer,
  new_states)``; the updater concatenates those outputs and applies one 3x3 conv to get the new template.
"""
import keras
from keras import ops

from tf_lu.errors import check
from tf_lu.updaters.recurrent_cells import build_cell


@keras.saving.register_keras_serializable(package="tf_lu")
class ConvRNN(keras.layers.RNN):
    """``keras.layers.RNN`` for the conv cells that also works on symbolic ``keras.Input`` tensors.

    Plain ``keras.layers.RNN`` runs the cells fine eagerly and under ``tf.function``, but its ``compute_output_shape``
    assumes vector states; this subclass reports (B, [T,] H, W, F) outputs and one such shape per state.
    """

    def compute_output_shape(self, sequences_shape, initial_state_shape=None):
        batch, steps = sequences_shape[0], sequences_shape[1]
        step_shape = (batch,) + tuple(sequences_shape[2:-1]) + (self.cell.filters,)
        output = (batch, steps) + step_shape[1:] if self.return_sequences else step_shape
        if self.return_state:
            return (output,) + tuple(step_shape for _ in self.cell.state_size)
        return output


@keras.saving.register_keras_serializable(package="tf_lu")
class StackedConvRNN(keras.layers.Layer):
    """``num_layers`` conv cells stepped together; layer k > 0 takes layer k-1's hidden output as input.

    * ``states``: a list with one entry per layer, each that cell's state list: ``[[h_1], [h_2]]`` for ConvGRU,
      ``[[h_1, c_1], [h_2, c_2]]`` for ConvLSTM; every tensor (B, H, W, filters_k).
    * ``step(x_t, states, training=False, dropout_masks=None) -> (outputs, new_states)`` with ``outputs`` the list of
      every layer's hidden output h_k (B, H, W, filters_k); ``call`` is the same (so ``layer(x_t, states)`` builds).
    * ``zero_states(batch, height, width)``; ``make_dropout_masks(x_t, states)`` gives one mask set per sequence to
      pass to every step (otherwise training steps draw fresh masks).
    * ``unroll(sequence, states=None, training=False, dropout_masks=None) -> (outputs, states)``: a Python loop over
      a static T; ``outputs[k]`` is (B, T, H, W, filters_k).

    ``filters`` is one int (every layer) or a list with one per layer.  ``dropout`` applies to every layer's input and,
    unless ``recurrent_dropout`` is given, to its hidden state.
    """

    def __init__(self, filters, num_layers=2, kind="convgru", kernel_size=3, dropout=0.0, layer_norm=True,
                 recurrent_dropout=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(filters, (list, tuple)):
            filters = [int(f) for f in filters]
            check(len(filters) == int(num_layers),
                  f"got {len(filters)} filter counts for {num_layers} recurrent layers")
        else:
            filters = [int(filters)] * int(num_layers)
        check(int(num_layers) >= 1, f"the updater needs at least one recurrent layer, got {num_layers}")
        self.filters = filters
        self.num_layers = int(num_layers)
        self.kind = str(kind).lower()
        self.kernel_size = kernel_size
        self.dropout = float(dropout)
        self.recurrent_dropout = None if recurrent_dropout is None else float(recurrent_dropout)
        self.layer_norm = bool(layer_norm)
        self.seed = seed
        self.cells = [
            build_cell(self.kind, f, kernel_size=kernel_size, dropout=self.dropout, layer_norm=self.layer_norm,
                       recurrent_dropout=self.recurrent_dropout, seed=None if seed is None else seed + k,
                       name=f"{self.kind}_{k + 1}")
            for k, f in enumerate(filters)]

    @property
    def output_channels(self):
        """Channels of the concatenated hidden outputs (what the updater's output conv sees)."""
        return sum(self.filters)

    def build(self, x_t_shape, states_shape=None):
        shape = tuple(x_t_shape)
        for cell in self.cells:
            if not cell.built:
                cell.build(shape)
            shape = shape[:3] + (cell.filters,)

    def zero_states(self, batch, height, width):
        return [cell.zero_state(batch, height, width) for cell in self.cells]

    def make_dropout_masks(self, x_t, states):
        """One ``(input_mask, recurrent_mask)`` per layer for a whole sequence (None where the rate is 0)."""
        masks = []
        layer_input = x_t
        for cell, state in zip(self.cells, states):
            masks.append(cell.make_dropout_masks(layer_input, state))
            layer_input = state[0]  # the next layer's input has this layer's hidden shape
        return masks

    def step(self, x_t, states, training=False, dropout_masks=None):
        return self(x_t, states, training=training, dropout_masks=dropout_masks)

    def call(self, x_t, states, training=False, dropout_masks=None):
        check(len(states) == self.num_layers, f"expected states for {self.num_layers} layers, got {len(states)}")
        outputs, new_states = [], []
        layer_input = x_t
        for k, (cell, state) in enumerate(zip(self.cells, states)):
            masks = None if dropout_masks is None else dropout_masks[k]
            out, new_state = cell(layer_input, list(state), training=training, dropout_masks=masks)
            outputs.append(out)
            new_states.append(list(new_state))
            layer_input = out
        return outputs, new_states

    def unroll(self, sequence, states=None, training=False, dropout_masks=None):
        steps = sequence.shape[1]
        check(steps is not None, "unroll needs a static number of time steps")
        if states is None:
            shape = ops.shape(sequence)
            states = self.zero_states(shape[0], shape[2], shape[3])
        per_step = []
        for t in range(steps):
            outputs, states = self.step(sequence[:, t], states, training=training, dropout_masks=dropout_masks)
            per_step.append(outputs)
        stacked = [ops.stack([o[k] for o in per_step], axis=1) for k in range(self.num_layers)]
        return stacked, states

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": list(self.filters),
            "num_layers": self.num_layers,
            "kind": self.kind,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
            "layer_norm": self.layer_norm,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        })
        return config
