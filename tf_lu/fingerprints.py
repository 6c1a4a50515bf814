"""What a result depends on, as short digests, and the record a run folder keeps of them.

A run folder (a benchmark's ``OUT``, a search's ``OUT``) holds ``fingerprints.json``: for each thing its results depend
on, a fingerprint (a small JSON mapping):

* a sequence (:func:`sequence_fingerprint`): its frame count, a digest of its frame files' names and sizes and of the
  first frame's bytes (of the pixels, for frames held in memory), and a digest of its ground truth;
* a tracker: its resolved config and a digest of each weights file it loads (:func:`config_fingerprint`), or what
  else identifies it (an OpenCV tracker: its kind and OpenCV's version);
* the options that change results (the protocol, the realtime frame rate, a search's grid, ...).

**The rule** (:class:`RunRecord`): a rerun into the same folder continues only when everything it shares with the
record is unchanged; a sequence, tracker or option recorded with another fingerprint is a one-line
:class:`~tf_lu.errors.TfLuError` that names it and what changed, before any work, and nothing in the folder is
touched.  New sequences and trackers are added to the record.  A folder with results but no record (written before
records were kept, or by hand) is refused the same way: nothing tells what made those results.
"""
import hashlib
import json
import os

import numpy as np

from tf_lu.atomic_files import write_text_atomic
from tf_lu.errors import TfLuError

RECORD_FILE = "fingerprints.json"


def digest(data):
    """Hex digest (16 characters of SHA-256) of bytes, or of a JSON-able value."""
    if not isinstance(data, bytes):
        data = json.dumps(data, sort_keys=True, default=str).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def file_digest(path):
    """Digest of a file's bytes; a missing file is a :class:`TfLuError`."""
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
    except OSError as exc:
        raise TfLuError(f"cannot read {path}: {exc.strerror or exc}") from None
    return hasher.hexdigest()[:16]


def _frames_digest(sequence):
    """Frame files: their names and sizes and the first one's bytes; frames in memory: their pixels (and, for frames
    a loader makes, the first frame it makes)."""
    frames = sequence.frames
    if len(frames) and isinstance(frames[0], (str, os.PathLike)) and sequence.loader is None:
        listing = [(os.path.basename(str(f)), os.path.getsize(f) if os.path.isfile(f) else None) for f in frames]
        return digest([listing, file_digest(frames[0]) if os.path.isfile(frames[0]) else None])
    hasher = hashlib.sha256()
    for item in frames:
        hasher.update(np.ascontiguousarray(item).tobytes() if isinstance(item, np.ndarray) else repr(item).encode())
    if sequence.loader is not None and len(frames):
        hasher.update(np.ascontiguousarray(sequence.frame(0)).tobytes())
    return hasher.hexdigest()[:16]


def sequence_fingerprint(sequence):
    """``{"frames", "images", "ground_truth"}`` of a sequence (the VOT regions too, where it keeps them)."""
    truth = [np.asarray(sequence.boxes, dtype=np.float64).round(6).tolist()]
    regions = getattr(sequence, "regions", None)
    if regions is not None:
        truth.append([np.asarray(region, dtype=np.float64).round(6).tolist() for region in regions])
    return {"frames": len(sequence), "images": _frames_digest(sequence), "ground_truth": digest(truth)}


def folder_fingerprint(folder):
    """Digest of the names and sizes of every file under ``folder`` (a folder of records, say)."""
    listing = sorted((os.path.relpath(os.path.join(base, name), folder), os.path.getsize(os.path.join(base, name)))
                     for base, _, names in os.walk(folder) for name in names)
    return digest(listing)


def config_fingerprint(settings, files=()):
    """``{"config": settings, "files": {name: digest}}``: a resolved config (a JSON-able mapping) and the files it
    loads (``None`` for a file that is not there).  Files go by their names and contents, not their folders, so a
    config means the same from a moved or copied folder."""
    names = {str(path): os.path.basename(str(path)) for path in files if path}

    def by_name(value):
        if isinstance(value, dict):
            return {key: by_name(item) for key, item in value.items()}
        return names.get(value, value) if isinstance(value, str) else value

    return {"config": json.loads(json.dumps(by_name(settings), default=str)),
            "files": {name: file_digest(path) if os.path.isfile(path) else None for path, name in names.items()}}


def changed_keys(old, new, prefix=""):
    """Dotted keys whose values differ between two nested mappings (sorted)."""
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [prefix or "(value)"] if old != new else []
    keys = []
    for key in sorted(set(old) | set(new), key=str):
        path = f"{prefix}.{key}" if prefix else str(key)
        keys += changed_keys(old.get(key), new.get(key), path) if key in old and key in new else [path]
    return keys


def _describe(kind, name, old, new):
    keys = changed_keys(old, new)
    if kind == "tracker":
        files = [k for k in keys if k.startswith("files.")]
        config = [k[len("config."):] if k.startswith("config.") else k for k in keys if k not in files]
        parts = ([f"config {', '.join(config[:4])}{' ...' if len(config) > 4 else ''}"] if config else []) + \
                ([f"weights {', '.join(os.path.basename(f[len('files.'):]) for f in files)}"] if files else [])
        return f"tracker {name!r} changed ({'; '.join(parts)})"
    if kind == "sequence":
        what = {"frames": "frame count", "images": "images", "ground_truth": "ground truth"}
        return f"sequence {name!r} changed ({', '.join(what.get(k, k) for k in keys)})"
    if isinstance(old, dict) and isinstance(new, dict):
        return f"{name} changed ({', '.join(keys[:4])}{' ...' if len(keys) > 4 else ''})"
    return f"option {name!r} changed ({old!r} -> {new!r})"


class RunRecord:
    """The fingerprints a run folder's results were made from (see the module doc for the rule)."""

    def __init__(self, folder, results_exist=False):
        self.folder, self.path = folder, os.path.join(folder, RECORD_FILE)
        self.entries = {"option": {}, "sequence": {}, "tracker": {}}
        if os.path.isfile(self.path):
            try:
                with open(self.path, encoding="utf-8") as handle:
                    stored = json.load(handle)
                self.entries.update({kind: dict(stored.get(kind, {})) for kind in self.entries})
            except (OSError, ValueError, AttributeError):
                raise TfLuError(f"{self.path}: unreadable record of what made the results there; give another "
                                f"output folder") from None
        elif results_exist:
            raise TfLuError(f"{folder} holds results without a record of what made them ({RECORD_FILE}); give "
                            f"another output folder")

    def check(self, kind, entries):
        """Refuse (a one-line error) when any of ``entries`` ``{name: fingerprint}`` of ``kind`` (``"option"``,
        ``"sequence"``, ``"tracker"``) is recorded with another fingerprint; else add them."""
        entries = json.loads(json.dumps(entries, default=str))
        for name, fingerprint in entries.items():
            old = self.entries[kind].get(name)
            if old is not None and old != fingerprint:
                raise TfLuError(f"{self.folder} holds results made otherwise: {_describe(kind, name, old, fingerprint)}"
                                f"; give another output folder (or remove this one) to run it anew")
        self.entries[kind].update(entries)

    def save(self):
        try:
            os.makedirs(self.folder, exist_ok=True)
            write_text_atomic(self.path, json.dumps(self.entries, indent=1, sort_keys=True) + "\n")
        except OSError as exc:
            raise TfLuError(f"cannot write to output folder {self.folder}: {exc.strerror or exc}") from None


def keep_record(folder, results_exist, options):
    """Check ``options`` ``{name: fingerprint}`` against ``folder``'s record (the rule of the module doc) and save
    them; a search's whole input is its options, so any change is refused."""
    record = RunRecord(folder, results_exist)
    record.check("option", options)
    record.save()
