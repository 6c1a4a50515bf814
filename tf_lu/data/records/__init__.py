"""The TFRecord formats of training, in one place.

* :mod:`.pairs` -- pair records for the feature extractor (``pairs-XXXXX-of-YYYYY.tfrecord``) and their augmenting
  ``tf.data`` reader;
* :mod:`.sequences` -- sequence records for the learned updater (``seq-L{length}-{shard}.tfrecord``: target-centred
  crop sequences bucketed by length);
* :mod:`.features` -- feature records (``feat-L{length}-{shard}-{folder}.tfrecord``: the frozen extractor's features
  of sequence records) and the chunked ``tf.data`` readers of meta-training;
* :mod:`.common` -- feature helpers, JPEG encoding, file names, bucket listing, atomic writing, JSON manifests.
"""
from tf_lu.data.records.common import encode_jpeg, feature_file_name, pair_shard_name, sequence_file_name
from tf_lu.data.records.features import (chunk_dataset, feature_buckets, feature_example, feature_shape,
                                         held_out_chunk_dataset)
from tf_lu.data.records.pairs import pair_dataset, pair_example, pair_files, write_pair_records
from tf_lu.data.records.sequences import parse_sequence, sequence_buckets, sequence_example, write_sequence_shard

__all__ = ["chunk_dataset", "encode_jpeg", "feature_buckets", "feature_example", "feature_file_name", "feature_shape",
           "held_out_chunk_dataset", "pair_dataset", "pair_example", "pair_files", "pair_shard_name",
           "parse_sequence", "sequence_buckets", "sequence_example", "sequence_file_name", "write_pair_records",
           "write_sequence_shard"]
