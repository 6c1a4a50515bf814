"""Where the shipped files live: ``configs/`` and ``saved_models/``.

In a checkout they sit beside the package (``<repo>/configs``); an installed package carries them as package data
(``site-packages/tf_lu/configs``).  Nothing here depends on the current directory.
"""
import os

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def shipped_dir(name):
    """The folder of shipped files called ``name`` (``configs`` or ``saved_models``)."""
    inside = os.path.join(PACKAGE_DIR, name)
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(PACKAGE_DIR), name)


def config_dir(*parts):
    """A folder or file under the shipped ``configs/``."""
    return os.path.join(shipped_dir("configs"), *parts)


def shipped_config(name):
    """The shipped config file ``configs/<name>`` (``.yaml`` added when missing)."""
    if not name.endswith((".yaml", ".yml")):
        name += ".yaml"
    return config_dir(name)
