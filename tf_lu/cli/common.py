"""Helpers shared by the subcommand modules: the parser, registering a subcommand, splitting comma-separated options."""
import argparse

from tf_lu.errors import TfLuError


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors (a missing or unknown option, a value that fails its ``type=`` check) are
    a :class:`TfLuError`: one line ``error: ...`` with exit status 2, like every other user mistake."""

    def error(self, message):
        raise TfLuError(f"{message} (see '{self.prog} --help')")


def comma_list(text):
    """``"a, b,,a"`` -> ``["a", "b"]``: the non-empty names in order, each once."""
    return list(dict.fromkeys(n.strip() for n in (text or "").split(",") if n.strip()))


def add_command(subparsers, name, module):
    """Add subcommand ``name`` whose options, help and ``run`` come from ``module``.

    The module's docstring gives the help line (its first paragraph) and the description; a module without ``run`` is a
    group whose ``add_arguments`` adds subcommands of its own.
    """
    doc = (module.__doc__ or name).strip()
    parser = subparsers.add_parser(name, help=" ".join(doc.split("\n\n")[0].split()), description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(parser)
    if hasattr(module, "run"):
        parser.set_defaults(run=module.run)
    return parser


def add_group(parser, commands):
    """Subcommands ``{name: module}`` under ``parser`` (one of them must be given)."""
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name, module in commands.items():
        add_command(subparsers, name, module)
