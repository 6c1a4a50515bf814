"""Files written whole or not at all: a temporary file in the same folder, then a rename over the target.

A reader, or a rerun after a kill, sees the old file or the whole new one, never a part.
"""
import json
import os
import uuid


def write_text_atomic(path, text):
    """Write ``text`` to ``path`` atomically; an ``OSError`` propagates and no temporary file is left."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(temp, "x", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.remove(temp)


def write_json_atomic(path, data):
    """``data`` as indented JSON at ``path``, written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2))
