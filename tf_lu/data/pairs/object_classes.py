"""The object class of a training sequence, from its name, so that look-alikes (other instances of the same class
from other videos) can be drawn for the extractor's training pairs (:mod:`tf_lu.data.pairs.hard`).

The crop folders carry no class labels; their sequence names do (``uav123_10fps_car14``, ``tld_pedestrian2``,
``dog``).  :data:`CLASS_WORDS` maps words found in a name to a class; a name with none of them is its own class.
"""
import re

CLASS_WORDS = (
    ("person", ("person", "pedestrian", "group", "breakdance", "dance", "parkour", "girl", "jumping", "david",
                "surfing", "wakeboard", "kite", "paragliding", "bmx", "motocross", "mountainbike", "bike",
                "scooter", "soapbox", "horsejump")),
    ("car", ("car", "truck", "drift", "uavdt")),
    ("boat", ("boat",)),
    ("animal", ("libby", "blackswan", "camel", "cows", "dog", "goat", "gull", "panda", "zebrafish")),
    ("building", ("building",)),
    ("synthetic", ("synthetic",)),
)


def object_class(name):
    """The class of sequence ``name`` (lower-cased words of :data:`CLASS_WORDS`), or the name itself."""
    text = name.lower()
    for label, words in CLASS_WORDS:
        if any(re.search(word, text) for word in words):
            return label
    return text


def track_class(track):
    """The class of a crop track: its own ``label`` when it has one (objects of photos), else from its name."""
    return getattr(track, "label", None) or object_class(track.name)


def tracks_by_class(tracks):
    """``{class: [track index, ...]}`` over a list of crop tracks."""
    groups = {}
    for index, track in enumerate(tracks):
        groups.setdefault(track_class(track), []).append(index)
    return groups
