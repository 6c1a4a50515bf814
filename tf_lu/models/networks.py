"""Base-tracker kinds (``config.backbone.kind``) -> their network, weight loader and head.

The training code builds a network with :func:`build_network`, the tracker registry loads one with
:func:`load_network` and wraps it with :func:`head_for`; nothing else needs to know which base tracker it holds.
"""
from tf_lu.errors import TfLuError
from tf_lu.models.cfnet import cfnet_from_config, load_cfnet_network
from tf_lu.models.heads import CFNetHead, SiamFCHead
from tf_lu.models.siamfc import SiamFCNet, load_siamfc_network

# kind -> (untrained network from a config, network with the config's weights, head from a network)
NETWORKS = {
    "siamfc": (lambda config: SiamFCNet(config.backbone.width), load_siamfc_network,
               lambda network: SiamFCHead(network.adjust)),
    "cfnet": (cfnet_from_config, load_cfnet_network, lambda network: CFNetHead(network.cf, network.adjust)),
}


def _entry(config):
    kind = config.backbone.kind
    if kind not in NETWORKS:
        raise TfLuError(f"unknown base tracker backbone.kind {kind!r}; known: {', '.join(NETWORKS)}")
    return NETWORKS[kind]


def build_network(config):
    """The untrained Siamese network of ``config.backbone.kind`` (SiamFCNet or CFNetNet), weights not yet built."""
    return _entry(config)[0](config)


def load_network(config):
    """The network of ``config.backbone.kind`` with ``config.weights`` loaded."""
    return _entry(config)[1](config)


def head_for(config, network):
    """The tracker head (``g`` and ``respond``) of a network of ``config.backbone.kind``."""
    return _entry(config)[2](network)
