"""User-facing errors.

Anything a user can cause (a bad file, box, config or name) raises :class:`TfLuError` with a one-line message.
The command-line tools catch it, print ``error: <message>`` and exit with status 2, so a user never sees a traceback
for their own mistake.
"""


class TfLuError(Exception):
    """A problem with the user's input: printed as one line by the tools."""


def check(condition, message):
    """Raise :class:`TfLuError` with ``message`` unless ``condition`` holds."""
    if not condition:
        raise TfLuError(message)
