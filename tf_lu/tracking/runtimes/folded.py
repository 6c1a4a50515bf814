"""The feature extractor as plain TensorFlow operations with batch norm and input scaling folded into the convolutions,
computed in float32 or bfloat16.

A chain of Keras layers (``Rescaling``, ``Conv2D``, the two-group ``GroupedConv2D``, ``BatchNormalization``, ``ReLU``,
``MaxPooling2D``: SiamFC's and CFNet's extractors) becomes a list of steps: each convolution absorbs the input
scaling before it and the batch norm after it (exact in real arithmetic: the convolutions have no padding), so a block
is one convolution with bias and ReLU, which TensorFlow's oneDNN kernels run fused.  A two-group convolution runs as
one grouped convolution where the CPU kernels support it, else as two convolutions on the channel halves.  In
bfloat16 the activations and weights are rounded to bfloat16 (8 significant bits) and oneDNN uses AMX or AVX512-BF16
where the CPU has them (elsewhere bfloat16 is emulated and slower than float32); the output is float32.
"""
import numpy as np
import tensorflow as tf

from tf_lu.errors import TfLuError


def _conv_step(layer, pending):
    """``["conv", kernels, biases, stride]`` of a (grouped) convolution, absorbing a pending input scaling."""
    convs = layer.convs if hasattr(layer, "convs") else [layer]
    kernels = [np.asarray(conv.kernel.numpy(), np.float64) for conv in convs]
    biases = [np.asarray(conv.bias.numpy(), np.float64) if conv.use_bias else np.zeros(k.shape[-1])
              for conv, k in zip(convs, kernels)]
    if any(conv.padding != "valid" or tuple(conv.dilation_rate) != (1, 1) for conv in convs):
        raise TfLuError(f"layer {layer.name}: only unpadded, undilated convolutions can be folded")
    if pending is not None:
        scale, offset = pending
        biases = [b + offset * k.sum(axis=(0, 1, 2)) for k, b in zip(kernels, biases)]
        kernels = [k * scale for k in kernels]
    return ["conv", kernels, biases, int(convs[0].strides[0])]


def _fold_norm(step, layer):
    """Fold a batch norm into the convolution ``step`` before it (per output channel, group by group)."""
    gamma, beta, mean, variance = (np.asarray(w.numpy(), np.float64) for w in
                                   (layer.gamma, layer.beta, layer.moving_mean, layer.moving_variance))
    factor = gamma / np.sqrt(variance + layer.epsilon)
    width = len(factor) // len(step[1])
    parts = [slice(i * width, (i + 1) * width) for i in range(len(step[1]))]
    step[1] = [k * factor[part] for k, part in zip(step[1], parts)]
    step[2] = [(b - mean[part]) * factor[part] + beta[part] for b, part in zip(step[2], parts)]


def fold_layers(model):
    """The steps of a sequential Keras image model: ``conv`` / ``relu`` / ``pool`` with folded float64 weights."""
    steps, pending = [], None
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        if kind == "Rescaling" and not steps and pending is None:
            pending = (float(layer.scale), float(layer.offset))
        elif kind in ("Conv2D", "GroupedConv2D"):
            steps.append(_conv_step(layer, pending))
            pending = None
        elif kind == "BatchNormalization" and steps and steps[-1][0] == "conv":
            _fold_norm(steps[-1], layer)
        elif kind == "ReLU" and layer.max_value is None and not layer.negative_slope and not layer.threshold:
            steps.append(["relu"])
        elif kind == "MaxPooling2D" and layer.padding == "valid":
            steps.append(["pool", int(layer.pool_size[0]), int(layer.strides[0])])
        else:
            raise TfLuError(f"layer {layer.name} ({kind}) cannot be folded into the extractor's plain form")
    return steps


def grouped_convolution_works(dtype):
    """Whether this TensorFlow build runs a two-group ``tf.nn.conv2d`` (one kernel for both halves) in ``dtype``."""
    try:
        tf.nn.conv2d(tf.zeros([1, 3, 3, 4], dtype), tf.zeros([1, 1, 2, 2], dtype), 1, "VALID").numpy()
        return True
    except (tf.errors.OpError, ValueError):
        return False


class FoldedBackbone:
    """``model`` as folded TensorFlow operations in ``dtype``; ``compute_output_shape`` is the model's."""

    def __init__(self, model, dtype=tf.float32):
        self.model, self.dtype = model, tf.as_dtype(dtype)
        grouped = grouped_convolution_works(self.dtype)
        self.steps = []
        for step in fold_layers(model):
            if step[0] == "conv":
                kernels = [np.concatenate(step[1], axis=3)] if grouped else step[1]
                biases = [np.concatenate(step[2])] if grouped else step[2]
                step = ["conv", [tf.constant(k, self.dtype) for k in kernels],
                        [tf.constant(b, self.dtype) for b in biases], step[3], len(step[1]) if not grouped else 1]
            self.steps.append(step)

    def __call__(self, images, training=False):
        x = tf.cast(images, self.dtype)
        for step in self.steps:
            if step[0] == "conv":
                parts = tf.split(x, step[4], axis=-1) if step[4] > 1 else [x]
                outputs = [tf.nn.bias_add(tf.nn.conv2d(part, kernel, step[3], "VALID"), bias)
                           for part, kernel, bias in zip(parts, step[1], step[2])]
                x = outputs[0] if len(outputs) == 1 else tf.concat(outputs, axis=-1)
            elif step[0] == "relu":
                x = tf.nn.relu(x)
            else:
                x = tf.nn.max_pool2d(x, step[1], step[2], "VALID")
        return tf.cast(x, tf.float32)

    def compute_output_shape(self, shape):
        return self.model.compute_output_shape(shape)
