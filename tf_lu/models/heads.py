"""Target heads: how a target feature becomes a model (``g``) and how a model scores search features.

SiamFC's head: ``g(x) = x`` (the exemplar feature is the template) and the score is the cross-correlation with the
response adjust.  CFNet's head puts a correlation-filter layer in ``g``.  The tracker loop only talks to a head.
"""
from tf_lu.models.correlation import cross_correlation


class SiamFCHead:
    """theta = g(x) = x; response = adjust(theta * z)."""

    def __init__(self, adjust):
        self.adjust = adjust

    def g(self, exemplar_features):
        return exemplar_features

    def respond(self, theta, search_features):
        return self.adjust(cross_correlation(theta, search_features))


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
