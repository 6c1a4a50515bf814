"""The Siamese network used to train the feature extractor: shared backbone, cross-correlation, response adjust.

``SiamFCNet((exemplars, searches)) -> responses``; train it with ``model.fit`` on pairs from
:mod:`tf_lu.data.records` and :func:`tf_lu.models.losses.balanced_logistic_loss`.
"""
import os

import keras

from tf_lu import paper
from tf_lu.models.backbones import alexnet_backbone
from tf_lu.models.correlation import ResponseAdjust, cross_correlation
from tf_lu.errors import TfLuError
from tf_lu.models.weights import load_weights_strictly


@keras.saving.register_keras_serializable(package="tf_lu")
class SiamFCNet(keras.Model):
    def __init__(self, width=1.0, gain=paper.SIAMFC_RESPONSE_GAIN, **kwargs):
        super().__init__(**kwargs)
        self.width = width
        self.gain = gain
        self.backbone = alexnet_backbone(width)
        self.adjust = ResponseAdjust(gain, name="adjust")

    def call(self, inputs, training=False):
        exemplars, searches = inputs
        template = self.backbone(exemplars, training=training)
        features = self.backbone(searches, training=training)
        return self.adjust(cross_correlation(template, features))

    def build_for(self, exemplar_size=127, instance_size=255):
        """Create the weights by running one dummy pair."""
        import numpy as np
        self((np.zeros((1, exemplar_size, exemplar_size, 3), "float32"),
              np.zeros((1, instance_size, instance_size, 3), "float32")))
        return self

    def get_config(self):
        return {**super().get_config(), "width": self.width, "gain": self.gain}


def load_siamfc_network(config):
    """Build SiamFC's network for ``config`` and load ``config.weights`` (resolved when the config was loaded)."""
    if not config.weights:
        raise TfLuError("the tracker config names no weights file (key 'weights')")
    path = config.weights
    if not os.path.isfile(path):
        raise TfLuError(f"weights file not found: {config.weights}")
    network = SiamFCNet(config.backbone.width).build_for()
    try:
        load_weights_strictly(network, path)
    except (ValueError, OSError) as exc:
        raise TfLuError(f"cannot load weights {config.weights}: {str(exc).splitlines()[0]}") from None
    return network
