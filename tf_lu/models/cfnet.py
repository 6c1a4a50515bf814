"""CFNet's Siamese training network: exemplar -> features -> correlation filter -> template; search -> features;
cross-correlation; learned gain and bias.

``CFNetNet((exemplars, searches)) -> responses`` trains with ``model.fit`` on the same pair records and balanced
logistic loss as :class:`tf_lu.models.siamfc.SiamFCNet` (:mod:`tf_lu.training.extractor`).  For tracking, its
``backbone`` is the feature extractor and :class:`tf_lu.models.heads.CFNetHead` (``cf`` and ``adjust``) the head.
"""
import os

import keras
import numpy as np

from tf_lu import paper
from tf_lu.errors import TfLuError
from tf_lu.models.backbones import cfnet_backbone
from tf_lu.models.cf_layer import CorrelationFilter
from tf_lu.models.correlation import ResponseAdjust, cross_correlation
from tf_lu.models.weights import load_weights_strictly


@keras.saving.register_keras_serializable(package="tf_lu")
class GainBiasAdjust(ResponseAdjust):
    """``response * gain * scale + bias`` with a learned ``scale`` (initially 1) and a learned ``bias`` (initially
    ``bias_init``): CFNet's scalar gain and bias after the correlation; ``gain`` is a fixed factor."""

    def __init__(self, gain=paper.CFNET_ADJUST_GAIN, bias_init=paper.CFNET_ADJUST_BIAS, **kwargs):
        super().__init__(gain, **kwargs)
        self.bias_init = bias_init

    def build(self, input_shape):
        self.bias = self.add_weight(name="bias", shape=(), initializer=keras.initializers.Constant(self.bias_init))
        self.scale = self.add_weight(name="scale", shape=(), initializer="ones")

    def call(self, response):
        return response * (self.gain * self.scale) + self.bias

    def get_config(self):
        return {**super().get_config(), "bias_init": self.bias_init}


@keras.saving.register_keras_serializable(package="tf_lu")
class CFNetNet(keras.Model):
    """Shared CFNet extractor (``variant`` conv1/conv2/conv3/conv5 at channel multiplier ``width``), CF layer with
    ``cf_lambda``, a Gaussian label of ``cf_sigma`` pixels and a crop of ``cf_margin`` cells, correlation, adjust."""

    def __init__(self, variant="conv3", width=1.0, cf_lambda=paper.CFNET_LAMBDA, cf_sigma=paper.CFNET_SIGMA_PIXELS,
                 cf_margin=0, gain=paper.CFNET_ADJUST_GAIN, **kwargs):
        super().__init__(**kwargs)
        self.variant, self.width, self.gain = variant, width, gain
        self.cf_lambda, self.cf_sigma, self.cf_margin = cf_lambda, cf_sigma, cf_margin
        self.backbone = cfnet_backbone(variant, width)
        self.cf = CorrelationFilter(cf_lambda, cf_sigma / paper.CFNET_TOTAL_STRIDE, cf_margin, name="cf")
        self.adjust = GainBiasAdjust(gain, name="adjust")

    def call(self, inputs, training=False):
        exemplars, searches = inputs
        template = self.cf(self.backbone(exemplars, training=training))
        features = self.backbone(searches, training=training)
        return self.adjust(cross_correlation(template, features))

    def build_for(self, exemplar_size=paper.SIAMFC_EXEMPLAR_SIZE, instance_size=paper.SIAMFC_INSTANCE_SIZE):
        """Create the weights by running one dummy pair."""
        self((np.zeros((1, exemplar_size, exemplar_size, 3), "float32"),
              np.zeros((1, instance_size, instance_size, 3), "float32")))
        return self

    def get_config(self):
        return {**super().get_config(), "variant": self.variant, "width": self.width, "cf_lambda": self.cf_lambda,
                "cf_sigma": self.cf_sigma, "cf_margin": self.cf_margin, "gain": self.gain}


def cfnet_from_config(config):
    """An untrained :class:`CFNetNet` as ``config.backbone`` describes it."""
    b = config.backbone
    return CFNetNet(b.variant, b.width, b.cf_lambda, b.cf_sigma, b.cf_margin, b.cf_gain)


def load_cfnet_network(config):
    """Build CFNet's network for ``config`` and load ``config.weights`` (resolved when the config was loaded)."""
    path = config.weights
    if not path:
        raise TfLuError("the tracker config names no weights file (key 'weights')")
    if not os.path.isfile(path):
        raise TfLuError(f"weights file not found: {path}")
    network = cfnet_from_config(config).build_for(config.train.exemplar_size, config.train.instance_size)
    try:
        load_weights_strictly(network, path)
    except (ValueError, OSError) as exc:
        raise TfLuError(f"cannot load CFNet weights {path} (backbone {config.backbone.variant}, width "
                        f"{config.backbone.width}): {str(exc).splitlines()[0]}") from None
    return network
