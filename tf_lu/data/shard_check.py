"""Check TFRecord shards before training: a truncated, overwritten or bit-flipped shard is an error naming it.

Every ``*.tfrecord`` file of a records folder is read through once with TensorFlow's record reader, which checks the
CRC of every record's length and data (a streaming check: no parsing, no decoding), and sizes and record counts are
compared with the folder's ``manifest.json`` where it states them (pair records: each shard's records and bytes, and
``count`` over ``shards`` files).

With ``skip_unreadable`` a corrupt shard is not an error: its records up to the first unreadable one are copied into
a scratch folder beside the good shards (linked, not copied), training reads that folder, and the records left out
(the unreadable one and every one after it in its shard, counted from the record framing) are reported.
"""
import glob
import json
import os
import shutil
import struct

import tensorflow as tf

from tf_lu.errors import TfLuError


def shard_files(folder, what="records"):
    """The ``*.tfrecord`` files of ``folder``, sorted; a missing folder or one without shards is a :class:`TfLuError`."""
    if not os.path.isdir(folder):
        raise TfLuError(f"{what} folder not found: {folder}")
    files = sorted(glob.glob(os.path.join(folder, "*.tfrecord")))
    if not files:
        raise TfLuError(f"no .tfrecord shards in the {what} folder {folder}")
    return files


def readable_records(path):
    """``(count, error)``: the records of ``path`` that read back with valid CRCs, and the reader's first error
    (one line) or None."""
    dataset = tf.data.TFRecordDataset(path, buffer_size=1 << 20)
    try:
        return int(dataset.reduce(tf.constant(0, tf.int64), lambda n, _: n + 1)), None
    except tf.errors.OpError as exc:
        error = " ".join(str(exc.message).split())[:200]
    count = 0
    try:
        for _ in dataset:
            count += 1
    except tf.errors.OpError:
        pass
    return count, error


def framed_records(path):
    """How many records the length fields of ``path`` frame (unchecked; a length past the end counts one)."""
    size, offset, count = os.path.getsize(path), 0, 0
    with open(path, "rb") as handle:
        while offset < size:
            handle.seek(offset)
            header = handle.read(8)
            count += 1
            if len(header) < 8:
                break
            offset += 16 + struct.unpack("<Q", header)[0]
    return count


LISTS = ("manifest.json", "feature_meta.json")     # the files of a records folder that may list its shards


def read_manifest(folder):
    """What ``folder``'s ``manifest.json`` (pair records) or ``feature_meta.json`` (cached features) says of its shards:
    ``{"shard_files": {name: {"records", "bytes"}}}`` and, for pair records, ``count`` and ``shards``; None if
    neither says anything."""
    found = {}
    for name in LISTS:
        try:
            with open(os.path.join(folder, name), "r", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            found["shard_files"] = {**found.get("shard_files", {}), **(data.get("shard_files") or {})}
            if data.get("kind") == "pairs":
                found.update(count=data.get("count"), shards=data.get("shards"))
    return found or None


def shard_entry(path):
    """``{"records", "bytes"}`` of a shard just written, for a manifest's ``shard_files``."""
    return {"records": readable_records(path)[0], "bytes": os.path.getsize(path)}


def check_listed_shards(folder, manifest):
    """Each shard the manifest lists (``shard_files``: records and bytes) must exist with that size: a fast check that
    also catches a shard cut at a record boundary, which every CRC accepts."""
    for name, expected in sorted((manifest or {}).get("shard_files", {}).items()):
        path = os.path.join(folder, name)
        if not os.path.isfile(path):
            raise TfLuError(f"missing record shard {path} (listed in manifest.json)")
        if os.path.getsize(path) != expected.get("bytes"):
            raise TfLuError(f"corrupt record shard {path}: {os.path.getsize(path)} bytes, the manifest says "
                            f"{expected.get('bytes')}")


SKIP_REMEDY = "rewrite it, or pass --skip-unreadable to train without its unreadable records"


def verify_shards(paths, expected_records=None, remedy=SKIP_REMEDY):
    """``{path: record count}``; the first shard that does not read back whole (or, where ``expected_records`` gives
    ``{file name: count}``, holds another count) is a :class:`TfLuError` naming it and what to do (``remedy``)."""
    counts = {}
    for path in paths:
        count, error = readable_records(path)
        if error:
            raise TfLuError(f"corrupt record shard {path}: unreadable after record {count} ({error}); {remedy}")
        wanted = (expected_records or {}).get(os.path.basename(path))
        if wanted is not None and wanted != count:
            raise TfLuError(f"corrupt record shard {path}: {count} records, the manifest says {wanted}")
        counts[path] = count
    return counts


def verify_folder(folder, what="records", remedy=SKIP_REMEDY):
    """:func:`verify_shards` on ``folder``'s shards, against the manifest's sizes and record counts where it has
    them."""
    files = shard_files(folder, what)
    manifest = read_manifest(folder)
    check_listed_shards(folder, manifest)
    listed = {name: entry.get("records") for name, entry in (manifest or {}).get("shard_files", {}).items()}
    counts = verify_shards(files, listed, remedy)
    total, shards = (manifest or {}).get("count"), (manifest or {}).get("shards")
    if isinstance(total, int) and (sum(counts.values()) != total or (shards and len(files) != shards)):
        raise TfLuError(f"{folder}: {len(files)} shards hold {sum(counts.values())} records, but manifest.json "
                        f"promises {total} records in {shards} shards (a shard is missing or short)")
    return counts


def readable_copy(folder, scratch, what="records"):
    """A folder like ``folder`` whose corrupt shards are cut before their first unreadable record: ``(folder to
    read, records left out, names of the cut shards)``.  ``folder`` itself when every shard reads back whole."""
    files = shard_files(folder, what)
    checked = {path: readable_records(path) for path in files}
    bad = {path: count for path, (count, error) in checked.items() if error}
    if not bad:
        return folder, 0, []
    if os.path.isdir(scratch):
        shutil.rmtree(scratch)
    os.makedirs(scratch)
    for name in os.listdir(folder):
        source = os.path.join(os.path.abspath(folder), name)
        if source not in bad and os.path.isfile(source):
            os.symlink(source, os.path.join(scratch, name))
    left_out = 0
    for path, count in bad.items():
        with tf.io.TFRecordWriter(os.path.join(scratch, os.path.basename(path))) as writer:
            for record in tf.data.TFRecordDataset(path).take(count):
                writer.write(record.numpy())
        left_out += max(1, framed_records(path) - count)
    return scratch, left_out, sorted(os.path.basename(p) for p in bad)


def checked_records(records, scratch, skip_unreadable=False, what="records"):
    """Check the shards of ``records`` (a folder, or ``(folder, weight)`` pairs) before training.  Returns
    ``(records to train on, report)``: ``report`` is None, or with ``skip_unreadable`` the records left out as
    ``{"records": n, "shards": [...]}`` (the records to train on then name readable copies in ``scratch``)."""
    pairs = [(records, None)] if isinstance(records, (str, os.PathLike)) else list(records)
    if not skip_unreadable:
        for folder, _ in pairs:
            verify_folder(folder, what)
        return records, None
    kept, left_out, shards = [], 0, []
    for index, (folder, weight) in enumerate(pairs):
        readable, lost, cut = readable_copy(folder, os.path.join(scratch, str(index)), what)
        kept.append((readable, weight))
        left_out, shards = left_out + lost, shards + [os.path.join(folder, name) for name in cut]
    result = kept[0][0] if isinstance(records, (str, os.PathLike)) else kept
    return result, {"records": left_out, "shards": shards}
