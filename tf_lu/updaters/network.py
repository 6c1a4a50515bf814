"""The learned updater's network u_phi (the paper's Sec. IV), in ``keras.ops`` only so it runs under any Keras backend.

Step 1: each target feature is projected by the head's ``g`` (identity for SiamFC, the correlation filter for CFNet)
before it reaches this network: by :class:`tf_lu.updaters.learned.LearnedUpdater` in tracking and by
:class:`tf_lu.training.meta.MetaTrainer` in meta-training.  Step 2: two stacked ConvGRU layers (3x3, zero padding,
layer normalization and dropout inside, :mod:`tf_lu.updaters.recurrent`) advance their hidden state with it.
Step 3: one 3x3 convolution over the concatenation of every layer's hidden state outputs the new template theta.  The
options (``residual``, ``confidence_input``, ``norm_to_first``, ``scale_to_first``) are described in
:mod:`tf_lu.updaters.learned`, which runs this network during tracking; :mod:`tf_lu.training.meta` meta-trains it.
Both call :meth:`UpdaterNet.call`, so every option acts alike in tracking and in meta-training.
"""
import os

import keras
from keras import ops

from tf_lu.errors import TfLuError
from tf_lu.updaters.recurrent import StackedConvRNN
from tf_lu.models.weights import load_weights_strictly

SCALE_EPSILON = 1e-12     # added to theta_1's RMS: keeps the unit positive for an all-zero theta_1


def first_template_unit(theta_1):
    """(B, 1, 1, 1) float32: per stream, the RMS of theta_1 over all its elements plus :data:`SCALE_EPSILON`, without
    gradient (theta_1 is g of the first frame through the frozen head, so nothing trained lies upstream of it)."""
    theta_1 = ops.cast(theta_1, "float32")
    rms = ops.sqrt(ops.mean(ops.square(theta_1), axis=(1, 2, 3), keepdims=True))
    return ops.stop_gradient(rms) + SCALE_EPSILON


@keras.saving.register_keras_serializable(package="tf_lu")
class UpdaterNet(keras.Model):
    """``(candidate, states, theta_1) -> (theta, new_states)`` for one frame.

    With ``scale_to_first`` the network is scale-free: per stream, with s = :func:`first_template_unit` (theta_1),
    the recurrent layers see candidate / s and the output convolution's template is multiplied by s (with
    ``residual``: theta = theta_1 + s * conv(h)), so scaling theta_1 and every candidate by c scales every output by c.
    :meth:`unit` gives s (None without the option): the meta-training's anchor term is measured in these units.
    """

    def __init__(self, channels, hidden=192, layers=2, cell="convgru", dropout=0.0, layer_norm=True,
                 residual=True, confidence_input=False, norm_to_first=False, scale_to_first=False, **kwargs):
        # the call's arguments keep their dtype (theta_1 stays float32 under a mixed policy; the recurrent layers and
        # the output convolution cast their own inputs to the compute dtype)
        kwargs["autocast"] = False
        super().__init__(**kwargs)
        self.channels, self.hidden, self.num_layers, self.cell_kind = channels, hidden, layers, cell
        self.dropout, self.layer_norm, self.residual = dropout, layer_norm, residual
        self.confidence_input = bool(confidence_input)
        self.norm_to_first = bool(norm_to_first)
        self.scale_to_first = bool(scale_to_first)
        self.rnn = StackedConvRNN(hidden, num_layers=layers, kind=cell, dropout=dropout, layer_norm=layer_norm,
                                  name="rnn")
        self.out = keras.layers.Conv2D(channels, 3, padding="same", name="output",
                                       kernel_initializer=keras.initializers.RandomNormal(stddev=1e-3))

    def zero_states(self, batch, size):
        return self.rnn.zero_states(batch, size, size)

    def unit(self, theta_1):
        """(B, 1, 1, 1) per-stream unit of the templates with ``scale_to_first`` (theta_1's RMS), else None."""
        return first_template_unit(theta_1) if self.scale_to_first else None

    def call(self, candidate, states, theta_1, training=False, confidence=None):
        """``confidence`` (B,) in [0, 1] is used only with ``confidence_input``; None means 1 (fully trusted).  The
        template comes out in float32 under any dtype policy (the states in the compute dtype)."""
        unit = self.unit(theta_1)
        if unit is not None:
            candidate = ops.cast(candidate, unit.dtype) / unit
        if self.confidence_input:
            batch, height, width, _ = ops.shape(candidate)
            confidence = ops.ones((batch,)) if confidence is None else ops.cast(confidence, candidate.dtype)
            plane = ops.broadcast_to(ops.reshape(confidence, (-1, 1, 1, 1)), (batch, height, width, 1))
            candidate = ops.concatenate([candidate, plane], axis=-1)
        outputs, states = self.rnn.step(candidate, states, training=training)
        # the template in float32 whatever the compute dtype: a bfloat16 theta_1 would lose ~0.2% of every element
        theta = ops.cast(self.out(ops.concatenate(outputs, axis=-1)), "float32")
        theta_1 = ops.cast(theta_1, "float32")
        if unit is not None:
            theta = theta * unit
        if self.residual:
            theta = theta + theta_1
        if self.norm_to_first:
            norm = lambda t: ops.sqrt(ops.sum(ops.square(t), axis=(1, 2, 3), keepdims=True) + 1e-12)
            theta = theta * (norm(theta_1) / norm(theta))
        return theta, states

    def build_for(self, size):
        zeros = ops.zeros((1, size, size, self.channels))
        self(zeros, self.zero_states(1, size), zeros)
        return self

    def get_config(self):
        return {**super().get_config(), "channels": self.channels, "hidden": self.hidden, "layers": self.num_layers,
                "cell": self.cell_kind, "dropout": self.dropout, "layer_norm": self.layer_norm,
                "residual": self.residual, "confidence_input": self.confidence_input,
                "norm_to_first": self.norm_to_first, "scale_to_first": self.scale_to_first}


def load_weights_into(net, path):
    """Load updater weights ``path`` into the built ``net``; a missing or mismatched file is a :class:`TfLuError`."""
    if not path or not os.path.isfile(path):
        raise TfLuError(f"updater weights not found: {path}")
    try:
        load_weights_strictly(net, path)
    except (ValueError, OSError) as exc:
        raise TfLuError(f"cannot load updater weights {path}: {str(exc).splitlines()[0]}") from None
    return net


def load_updater_net(path, config, channels, size):
    net = UpdaterNet(channels, config.hidden, config.layers, config.cell, 0.0, config.layer_norm,
                     config.residual, config.confidence_input, config.norm_to_first,
                     config.scale_to_first).build_for(size)
    return load_weights_into(net, path)
