"""The ConvGRU and ConvLSTM cells of the learned updater [P, Sec. IV, step 2].

The paper runs a 2-layer ConvGRU over the sequence of candidate models ``g(x_t)`` (3x3 kernels, zero padding, dropout
and layer normalization inside each layer); a ConvLSTM is its ablation.  This module gives

* :class:`ConvGRUCell` and :class:`ConvLSTMCell`: Keras RNN cells on (B, H, W, C) step inputs, usable inside
  ``keras.layers.RNN(cell, return_sequences=True, return_state=True)`` (eager / ``tf.function``; for symbolic
  ``keras.Input`` graphs use :class:`ConvRNN`, which knows the output shapes) **and** one step at a time:
  ``output, new_states = cell(x_t, states, training=...)``;
* :func:`build_cell` (``kind`` in ``"convgru" | "convlstm"``);
* the stacked layers that step them together are in :mod:`tf_lu.updaters.recurrent`.

Conventions shared by both cells
--------------------------------
* ``*`` is a 2-D convolution, stride 1, ``"same"`` (zero) padding, channels last; kernels ``kernel_size`` (3).
* All gates of one kind of connection are fused in one convolution: ``kernel`` (k, k, C_in, G*F) on the input and
  ``recurrent_kernel`` (k, k, F, G*F) on the hidden state, gates in the order given below (G = 3 for the GRU,
  4 for the LSTM; F = ``filters``).
* **Layer normalization** (``layer_norm=True``): one ``keras.layers.LayerNormalization`` per gate pre-activation
  (and, for the LSTM, one on the cell state before its tanh), normalizing **over the channel axis only**, i.e. each
  pixel's F-vector, with per-channel gamma/beta of shape (F,).  Chosen over normalizing (H, W, C) jointly because it
  keeps the weights independent of the spatial size (the same cell runs on a 6x6 SiamFC template or a 17x17 CFNet
  one) and treats every template position alike.  ``epsilon = layer_norm_epsilon`` (1e-3, the Keras default).
  With layer norm the convolutions have no bias (LN's beta plays that role); without it a bias is added to the input
  convolution (``bias``, (G*F,)).
* **Dropout**: ``dropout`` drops elements of the input x, ``recurrent_dropout`` elements of the hidden state h where it
  enters the recurrent convolution (not in the carry ``z * h`` / ``f * c``), inverted-dropout scaled, only when
  ``training=True``.  One mask per input is shared by all gates.  Mask lifetime:
    - inside ``keras.layers.RNN``: one mask per sequence (Keras caches it for the call, see ``DropoutRNNCell``);
    - stepping by hand: pass ``dropout_masks=cell.make_dropout_masks(x_t, states)`` to every step to keep one mask per
      sequence; without it a **fresh mask is drawn at every step**.
* Initial state: zeros (``get_initial_state(batch_size)`` once the spatial size is known from ``build``, or
  ``zero_state(batch, height, width)`` at any time).
* ``state_size``: Keras 3's ``RNN`` accepts an int or a list/tuple with **one entry per state tensor** (a bare tuple
  ``(H, W, F)`` would be read as three states, a ``tf.TensorShape`` is rejected), so the cells expose a list of
  per-state shapes: ``[(H, W, F)]`` for the GRU, ``[(H, W, F), (H, W, F)]`` for the LSTM (H, W are ``None`` until
  built).  ``state_shape`` is the (H, W, F) tuple alone.
"""
import keras
from keras import ops
from keras.src.layers.rnn.dropout_rnn_cell import DropoutRNNCell

from tf_lu.errors import TfLuError, check

CELL_KINDS = ("convgru", "convlstm")


class _ConvRNNCellBase(keras.layers.Layer, DropoutRNNCell):
    """Shared plumbing: convolutions, layer norm, dropout masks, states.  Subclasses set ``_gates`` and ``_states``."""

    _gates = ()        # names of the fused gates, in kernel order
    _states = ()       # names of the state tensors
    _ln_extra = ()     # layer norms on things other than gate pre-activations
    _ones_beta = ()    # gates whose bias / LN beta starts at 1 (the LSTM forget gate)

    def __init__(self, filters, kernel_size=3, dropout=0.0, recurrent_dropout=0.0, layer_norm=True,
                 layer_norm_epsilon=1e-3, kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 seed=None, **kwargs):
        super().__init__(**kwargs)
        check(int(filters) > 0, f"filters must be positive, got {filters}")
        if isinstance(kernel_size, (list, tuple)):
            kernel_size = tuple(int(k) for k in kernel_size)
            check(len(kernel_size) == 2, f"kernel_size must be an int or a pair, got {kernel_size}")
        else:
            kernel_size = (int(kernel_size), int(kernel_size))
        check(min(kernel_size) > 0, f"kernel_size must be positive, got {kernel_size}")
        check(0.0 <= dropout < 1.0, f"dropout must be in [0, 1), got {dropout}")
        check(0.0 <= recurrent_dropout < 1.0, f"recurrent_dropout must be in [0, 1), got {recurrent_dropout}")
        self.filters = int(filters)
        self.kernel_size = kernel_size
        self.dropout = float(dropout)
        self.recurrent_dropout = float(recurrent_dropout)
        self.layer_norm = bool(layer_norm)
        self.layer_norm_epsilon = float(layer_norm_epsilon)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.recurrent_initializer = keras.initializers.get(recurrent_initializer)
        self.seed = seed
        # always created (even without dropout) so that checkpoints do not depend on the dropout rate
        self.seed_generator = keras.random.SeedGenerator(seed=seed)
        self.spatial_dims = (None, None)
        self.input_dim = None
        if self.layer_norm:
            for name in self._gates + self._ln_extra:
                norm = keras.layers.LayerNormalization(
                    axis=-1, epsilon=self.layer_norm_epsilon,
                    beta_initializer="ones" if name in self._ones_beta else "zeros", name=f"ln_{name}")
                setattr(self, f"ln_{name}", norm)

    # ----------------------------------------------------------------------------------------------- shapes / states
    @property
    def state_shape(self):
        """(H, W, filters); H, W are None until the cell is built on inputs with a static spatial size."""
        return tuple(self.spatial_dims) + (self.filters,)

    @property
    def state_size(self):
        return [self.state_shape for _ in self._states]

    @property
    def output_size(self):
        return self.state_shape

    def build(self, inputs_shape, states_shape=None):
        inputs_shape = tuple(inputs_shape)
        check(len(inputs_shape) == 4, f"{type(self).__name__} steps on (batch, H, W, C) inputs, got {inputs_shape}")
        check(inputs_shape[-1] is not None, f"the channel axis of the inputs must be known, got {inputs_shape}")
        self.spatial_dims = tuple(inputs_shape[1:3])
        self.input_dim = int(inputs_shape[-1])
        gates = len(self._gates)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.input_dim, gates * self.filters),
                                      initializer=self.kernel_initializer)
        self.recurrent_kernel = self.add_weight(
            name="recurrent_kernel", shape=self.kernel_size + (self.filters, gates * self.filters),
            initializer=self.recurrent_initializer)
        if self.layer_norm:
            self.bias = None
            for name in self._gates + self._ln_extra:
                getattr(self, f"ln_{name}").build((None,) + self.spatial_dims + (self.filters,))
        else:
            ones = [n in self._ones_beta for n in self._gates]

            def bias_init(shape, dtype=None):
                parts = [ops.ones((self.filters,), dtype) if one else ops.zeros((self.filters,), dtype)
                         for one in ones]
                return ops.concatenate(parts, axis=0)

            self.bias = self.add_weight(name="bias", shape=(gates * self.filters,), initializer=bias_init)

    def zero_state(self, batch, height, width):
        """The zero initial state for a (batch, height, width) grid: a list with one (B, H, W, F) tensor per state."""
        shape = (batch, height, width, self.filters)
        return [ops.zeros(shape, dtype=self.compute_dtype) for _ in self._states]

    def get_initial_state(self, batch_size=None):
        """Zeros of shape (batch_size, H, W, filters), H, W from ``build`` (used by ``keras.layers.RNN``)."""
        height, width = self.spatial_dims
        if height is None or width is None:
            raise TfLuError(f"{self.name}: the spatial size is unknown (build on a static H, W or use zero_state)")
        return self.zero_state(batch_size, height, width)

    def compute_output_shape(self, inputs_shape, states_shape=None):
        shape = tuple(inputs_shape[:3]) + (self.filters,)
        return shape, [shape for _ in self._states]

    # --------------------------------------------------------------------------------------------------- dropout
    def make_dropout_masks(self, inputs, states):
        """``(input_mask, recurrent_mask)`` for one sequence (None where the rate is 0); pass as ``dropout_masks``."""
        hidden = states[0] if isinstance(states, (list, tuple)) else states
        input_mask = self._create_dropout_mask(inputs, self.dropout) if self.dropout > 0 else None
        rec_mask = (self._create_dropout_mask(hidden, self.recurrent_dropout)
                    if self.recurrent_dropout > 0 else None)
        return input_mask, rec_mask

    def _apply_dropout(self, inputs, hidden, training, dropout_masks):
        if not training:
            return inputs, hidden
        if dropout_masks is not None:
            input_mask, rec_mask = dropout_masks
        else:
            # masks cached by keras.layers.RNN for the whole sequence, else a fresh one for this step
            input_mask = getattr(self, "_dropout_mask", None)
            rec_mask = getattr(self, "_recurrent_dropout_mask", None)
            if input_mask is None and self.dropout > 0:
                input_mask = self._create_dropout_mask(inputs, self.dropout)
            if rec_mask is None and self.recurrent_dropout > 0:
                rec_mask = self._create_dropout_mask(hidden, self.recurrent_dropout)
        if input_mask is not None:
            inputs = inputs * ops.cast(input_mask, inputs.dtype)
        if rec_mask is not None:
            hidden = hidden * ops.cast(rec_mask, hidden.dtype)
        return inputs, hidden

    # ---------------------------------------------------------------------------------------------------- maths
    def _convs(self, inputs, hidden):
        """Per-gate (input conv [+ bias], recurrent conv) pairs, as dicts keyed by gate name."""
        x = ops.conv(inputs, self.kernel, strides=1, padding="same")
        if self.bias is not None:
            x = x + self.bias
        h = ops.conv(hidden, self.recurrent_kernel, strides=1, padding="same")
        xs = ops.split(x, len(self._gates), axis=-1)
        hs = ops.split(h, len(self._gates), axis=-1)
        return dict(zip(self._gates, xs)), dict(zip(self._gates, hs))

    def _norm(self, name, value):
        return getattr(self, f"ln_{name}")(value) if self.layer_norm else value

    def get_config(self):
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "layer_norm": self.layer_norm,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": keras.initializers.serialize(self.recurrent_initializer),
            "seed": self.seed,
        })
        return config


@keras.saving.register_keras_serializable(package="tf_lu")
class ConvGRUCell(_ConvRNNCellBase):
    """Convolutional GRU cell with layer normalization and dropout inside; state ``[h]``.

    Exact variant ("reset after", as cuDNN / Keras ``reset_after=True``; LN of the summed pre-activation)::

        x~ = x (.) m_x,   h~ = h (.) m_h                       (dropout masks, training only; else x~ = x, h~ = h)
        z  = sigmoid(LN_z(Wz * x~ + Uz * h~))                   update ("keep") gate
        r  = sigmoid(LN_r(Wr * x~ + Ur * h~))                   reset gate
        n  = tanh(LN_n(Wn * x~ + r (.) (Un * h~)))              candidate
        h' = (1 - z) (.) n + z (.) h                            output = h'

    ``*`` is a k x k zero-padded convolution, ``(.)`` the elementwise product, ``LN_g`` a layer norm over the channel
    axis with its own gamma/beta.  Without layer norm, ``LN_g(v)`` is replaced by ``v + b_g`` (bias on the input
    side only).  Weights: ``kernel`` (k, k, C, 3F) and ``recurrent_kernel`` (k, k, F, 3F) with gates ordered
    [z, r, n]; ``ln_z``, ``ln_r``, ``ln_n`` (gamma, beta: (F,)) or ``bias`` (3F,).
    """

    _gates = ("z", "r", "n")
    _states = ("h",)

    def call(self, inputs, states, training=False, dropout_masks=None):
        h_prev = states[0] if isinstance(states, (list, tuple)) else states
        x, h_in = self._apply_dropout(inputs, h_prev, training, dropout_masks)
        xs, hs = self._convs(x, h_in)
        z = ops.sigmoid(self._norm("z", xs["z"] + hs["z"]))
        r = ops.sigmoid(self._norm("r", xs["r"] + hs["r"]))
        n = ops.tanh(self._norm("n", xs["n"] + r * hs["n"]))
        h = (1.0 - z) * n + z * h_prev
        return h, [h]


@keras.saving.register_keras_serializable(package="tf_lu")
class ConvLSTMCell(_ConvRNNCellBase):
    """Convolutional LSTM cell with layer normalization and dropout inside (the ablation); state ``[h, c]``.

    Variant (layer-normalized LSTM of Ba et al., no peepholes)::

        i  = sigmoid(LN_i(Wi * x~ + Ui * h~))
        f  = sigmoid(LN_f(Wf * x~ + Uf * h~))                   LN_f beta (or bias) starts at 1
        g  = tanh(LN_c(Wc * x~ + Uc * h~))                      candidate
        o  = sigmoid(LN_o(Wo * x~ + Uo * h~))
        c' = f (.) c + i (.) g
        h' = o (.) tanh(LN_cell(c'))                            output = h'; c' is stored un-normalized

    ``x~``, ``h~`` as in :class:`ConvGRUCell`.  Without layer norm: ``LN_g(v) -> v + b_g`` and ``LN_cell`` is the
    identity.  Weights: ``kernel`` (k, k, C, 4F), ``recurrent_kernel`` (k, k, F, 4F), gates ordered [i, f, c, o];
    ``ln_i``, ``ln_f``, ``ln_c``, ``ln_o``, ``ln_cell`` or ``bias`` (4F,).
    """

    _gates = ("i", "f", "c", "o")
    _states = ("h", "c")
    _ln_extra = ("cell",)
    _ones_beta = ("f",)

    def call(self, inputs, states, training=False, dropout_masks=None):
        h_prev, c_prev = states[0], states[1]
        x, h_in = self._apply_dropout(inputs, h_prev, training, dropout_masks)
        xs, hs = self._convs(x, h_in)
        i = ops.sigmoid(self._norm("i", xs["i"] + hs["i"]))
        f = ops.sigmoid(self._norm("f", xs["f"] + hs["f"]))
        g = ops.tanh(self._norm("c", xs["c"] + hs["c"]))
        o = ops.sigmoid(self._norm("o", xs["o"] + hs["o"]))
        c = f * c_prev + i * g
        h = o * ops.tanh(self._norm("cell", c))
        return h, [h, c]


CELLS = {"convgru": ConvGRUCell, "convlstm": ConvLSTMCell}


def build_cell(kind, filters, kernel_size=3, dropout=0.0, layer_norm=True, name=None, recurrent_dropout=None,
               seed=None):
    """A ConvGRU / ConvLSTM cell.  ``dropout`` is used for the input and, unless ``recurrent_dropout`` is given, for
    the hidden state too (the config has one ``dropout`` knob for "dropout inside each layer")."""
    key = str(kind).lower()
    if key not in CELLS:
        raise TfLuError(f"unknown recurrent cell {kind!r} (choose from {', '.join(CELL_KINDS)})")
    if recurrent_dropout is None:
        recurrent_dropout = dropout
    return CELLS[key](filters, kernel_size=kernel_size, dropout=dropout, recurrent_dropout=recurrent_dropout,
                      layer_norm=layer_norm, seed=seed, name=name)
