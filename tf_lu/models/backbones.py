"""SiamFC's modified AlexNet (no padding, total stride 8) with a width multiplier.

Two-group convolutions are written as two convolutions on the channel halves, concatenated: on CPU this is the
fast path (TensorFlow's grouped ``Conv2D(groups=2)`` has no CPU gradient without XLA).
"""
import keras
from keras import layers

from tf_lu import paper
from tf_lu.errors import TfLuError


@keras.saving.register_keras_serializable(package="tf_lu")
class GroupedConv2D(layers.Layer):
    """A ``groups``-way grouped convolution as ``groups`` convolutions on channel slices, concatenated."""

    def __init__(self, filters, kernel_size, groups=2, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.groups, self.strides = filters, kernel_size, groups, strides
        self.convs = [layers.Conv2D(filters // groups, kernel_size, strides=strides, name=f"group{i}")
                      for i in range(groups)]

    def build(self, input_shape):
        channels = input_shape[-1] // self.groups
        for conv in self.convs:
            conv.build(tuple(input_shape[:-1]) + (channels,))

    def call(self, inputs):
        parts = keras.ops.split(inputs, self.groups, axis=-1)
        return keras.ops.concatenate([conv(part) for conv, part in zip(self.convs, parts)], axis=-1)

    def get_config(self):
        config = super().get_config()
        config.update(filters=self.filters, kernel_size=self.kernel_size, groups=self.groups, strides=self.strides)
        return config


def scaled_channels(width):
    """Channels of conv1..conv5 at a width multiplier, kept even so that two groups split evenly."""
    return tuple(max(2, int(round(c * width / 2.0)) * 2) for c in paper.SIAMFC_CHANNELS)


def alexnet_backbone(width=1.0, name="alexnet"):
    """The SiamFC feature extractor: any ``(H, W, 3)`` image in [0, 255] -> ``(H', W', C5)`` features.

    127 -> 6x6 and 255 -> 22x22 (239 -> 20x20).  ``width`` 1.0 gives the paper's 2.33 M parameters.
    """
    c1, c2, c3, c4, c5 = scaled_channels(width)
    inputs = keras.Input((None, None, 3), name="image")
    x = layers.Rescaling(1.0 / 64.0, offset=-2.0, name="normalize")(inputs)
    x = layers.Conv2D(c1, 11, strides=2, name="conv1")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="bn1")(x)
    x = layers.ReLU(name="relu1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = GroupedConv2D(c2, 5, name="conv2")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="bn2")(x)
    x = layers.ReLU(name="relu2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(c3, 3, name="conv3")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="bn3")(x)
    x = layers.ReLU(name="relu3")(x)
    x = GroupedConv2D(c4, 3, name="conv4")(x)
    x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name="bn4")(x)
    x = layers.ReLU(name="relu4")(x)
    x = GroupedConv2D(c5, 3, name="conv5")(x)
    return keras.Model(inputs, x, name=name)


# CFNet's AlexNet-style layers (cfnet src/training/make_branch_alexnet.m, run_experiment_cfnet_*.m): name, kernel,
# stride, groups, max-pool stride after the block (0: none).  The pool after conv2 has stride 1 in CFNet, so the
# total stride is 4.  ``convN`` keeps the first N layers; conv1 is a single 11x11 convolution of stride 4.
CFNET_LAYERS = (("conv1", 11, 2, 1, 2), ("conv2", 5, 1, 2, 1), ("conv3", 3, 1, 1, 0), ("conv4", 3, 1, 2, 0),
                ("conv5", 3, 1, 2, 0))


def cfnet_channels(variant, width=1.0):
    """Output channels of each layer of a CFNet variant; ``width`` scales all but the last (32, the filter's d)."""
    if variant not in paper.CFNET_CHANNELS:
        raise TfLuError(f"unknown CFNet variant {variant!r}; known: {', '.join(paper.CFNET_CHANNELS)}")
    channels = paper.CFNET_CHANNELS[variant]
    return tuple(max(2, int(round(c * width / 2.0)) * 2) for c in channels[:-1]) + channels[-1:]


def cfnet_backbone(variant="conv3", width=1.0, name=None):
    """A CFNet feature extractor, no padding, total stride 4: any ``(H, W, 3)`` image in [0, 255] -> features.

    conv1 and conv2 end with batch norm and ReLU (the reference's last layer is ``relu1`` / ``relu2``); conv3 and
    conv5 end with a linear convolution.  127 -> 21x21 and 255 -> 53x53 for conv3 (responses 33x33).
    """
    channels = cfnet_channels(variant, width)
    depth = len(channels)
    inputs = keras.Input((None, None, 3), name="image")
    x = layers.Rescaling(1.0 / 64.0, offset=-2.0, name="normalize")(inputs)
    for index, (layer, kernel, stride, groups, pool) in enumerate(CFNET_LAYERS[:depth]):
        last = index == depth - 1
        if depth == 1:
            stride, pool = paper.CFNET_TOTAL_STRIDE, 0
        conv = GroupedConv2D if groups > 1 else layers.Conv2D
        x = conv(channels[index], kernel, strides=stride, name=layer)(x)
        if last and depth > 2:
            break
        x = layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"bn{index + 1}")(x)
        x = layers.ReLU(name=f"relu{index + 1}")(x)
        if pool and not last:
            x = layers.MaxPooling2D(3, strides=pool, name=f"pool{index + 1}")(x)
    return keras.Model(inputs, x, name=name or f"cfnet_{variant}")
