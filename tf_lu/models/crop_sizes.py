"""Whether a network can take a config's crop sizes: too small a crop for its layers is a one-line error."""
from tf_lu.errors import TfLuError


def feature_sides(backbone, exemplar_size, instance_size, section):
    """``(exemplar feature side, instance feature side)`` of ``backbone`` on square crops of the two sizes.  A crop
    too small for the network's layers (or an instance crop whose features are smaller than the exemplar's) is a
    :class:`TfLuError` naming the config keys ``<section>.exemplar_size`` / ``<section>.instance_size``."""
    sides = []
    for key, size in (("exemplar_size", exemplar_size), ("instance_size", instance_size)):
        try:
            side = backbone.compute_output_shape((1, int(size), int(size), 3))[1]
        except ValueError:
            side = None
        if side is None or side < 1:
            raise TfLuError(f"config key '{section}.{key}' ({size}) is too small for the network: its layers leave "
                            f"no feature cell")
        sides.append(int(side))
    if sides[1] < sides[0]:
        raise TfLuError(f"config key '{section}.instance_size' ({instance_size}) gives smaller features than "
                        f"'{section}.exemplar_size' ({exemplar_size})")
    return tuple(sides)
