"""Target heads: how a target feature becomes a model (``g``) and how a model scores search features.

SiamFC's head: ``g(x) = x`` (the exemplar feature is the template) and the score is the cross-correlation with the
response adjust.  CFNet's head puts a correlation-filter layer in ``g``.  The tracker loop only talks to a head.

Every head also answers ``feature_side(template_side)``, the side of the target feature whose ``g`` has that side (the
learned updater cuts windows of search features of that side), and ``frozen()``, the same head with a frozen copy
of its learned response adjust (what meta-training scores templates with).
"""
from tf_lu.models.correlation import cross_correlation


def frozen_copy(layer):
    """A built, non-trainable copy of the built Keras ``layer``: the same class, config and weights (for the response
    adjust: SiamFC's gain and bias, CFNet's fixed gain and its learned scale and bias)."""
    copy = type(layer).from_config(layer.get_config())
    copy.build(())
    copy.set_weights(layer.get_weights())
    copy.trainable = False
    return copy


class SiamFCHead:
    """theta = g(x) = x; response = adjust(theta * z)."""

    def __init__(self, adjust):
        self.adjust = adjust

    def g(self, exemplar_features):
        return exemplar_features

    def respond(self, theta, search_features):
        return self.adjust(cross_correlation(theta, search_features))

    def feature_side(self, template_side):
        return template_side

    def frozen(self):
        return SiamFCHead(frozen_copy(self.adjust))


class CFNetHead:
    """theta = g(x) = crop(CF(x)), the correlation filter solved from one target feature; response = adjust(theta * z).

    ``cf`` is a :class:`tf_lu.models.cf_layer.CorrelationFilter`, ``adjust`` the network's learned gain and bias.
    """

    def __init__(self, cf, adjust):
        self.cf, self.adjust = cf, adjust

    def g(self, exemplar_features):
        return self.cf(exemplar_features)

    def respond(self, theta, search_features):
        return self.adjust(cross_correlation(theta, search_features))

    def feature_side(self, template_side):
        """The filter is solved on a window ``2 * margin`` cells wider than the cropped filter."""
        return template_side + 2 * self.cf.margin

    def frozen(self):
        return CFNetHead(self.cf, frozen_copy(self.adjust))
