"""Check TFRecord shards before training: a truncated, overwritten or bit-flipped shard is an error naming it.

Every ``*.tfrecord`` file of a records folder is read through once with TensorFlow's record reader, which checks the
CRC of every record's length and data (a streaming check: no parsing, no decoding), and the record counts are compared
with the folder's ``manifest.json`` where it states them (pair records: ``count`` over ``shards`` files).

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


def manifest_total(folder):
    """``(records, shards)`` that ``folder/manifest.json`` promises (pair records), or None."""
    try:
        with open(os.path.join(folder, "manifest.json"), "r", encoding="utf-8") as handle:
            manifest = json.load(handle)
    except (OSError, ValueError):
        return None
    if isinstance(manifest, dict) and manifest.get("kind") == "pairs" and isinstance(manifest.get("count"), int):
        return manifest["count"], manifest.get("shards")
    return None


def verify_shards(paths):
    """``{path: record count}``; the first shard that does not read back whole is a :class:`TfLuError` naming it."""
    counts = {}
    for path in paths:
        count, error = readable_records(path)
        if error:
            raise TfLuError(f"corrupt record shard {path}: unreadable after record {count} ({error}); "
                            f"rewrite it, or skip unreadable records")
        counts[path] = count
    return counts


def verify_folder(folder, what="records"):
    """:func:`verify_shards` on ``folder``'s shards, then the manifest's record and shard counts."""
    files = shard_files(folder, what)
    counts = verify_shards(files)
    promised = manifest_total(folder)
    if promised and (sum(counts.values()) != promised[0] or (promised[1] and len(files) != promised[1])):
        raise TfLuError(f"{folder}: {len(files)} shards hold {sum(counts.values())} records, but manifest.json "
                        f"promises {promised[0]} records in {promised[1]} shards (a shard is missing or short)")
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
