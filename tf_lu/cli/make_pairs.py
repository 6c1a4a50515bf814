"""Curate feature-extractor training pairs into sharded TFRecords.

    tf-lu make-pairs --crops ../shared/data/train_crops --frames ../shared/data/train --out records/pairs

Objects of still photos in COCO detection JSON (``--stills FOLDER`` with ``instances.json`` and ``images/``) add
pairs of an object and an augmented copy of itself, negatives across categories and look-alikes within one; the
config's ``data.still_weight`` sets their share of the pairs.
"""
from tf_lu.cli import checks


def add_arguments(parser):
    parser.add_argument("--crops", action="append", default=[], type=checks.input_folder,
                        help="folder of target-centred crop sequences")
    parser.add_argument("--frames", action="append", default=[], type=checks.input_folder,
                        help="folder of full-frame OTB sequences")
    parser.add_argument("--stills", action="append", default=[],
                        help="COCO detection folder (instances.json + images/) or annotation file of still photos")
    parser.add_argument("--out", required=True, type=checks.output_folder)
    parser.add_argument("--config", help="YAML experiment file (its data: section is used)")
    parser.add_argument("--pairs", type=checks.positive_int)
    parser.add_argument("--synthetic", type=checks.non_negative_int, help="procedural sequences to add")
    parser.add_argument("--seed", type=checks.non_negative_int, default=0)


def run(args):
    from tf_lu.config import load_config
    from tf_lu.errors import TfLuError
    overrides = {"data": {k: v for k, v in (("pairs", args.pairs), ("synthetic_sequences", args.synthetic))
                          if v is not None}}
    config = load_config(args.config, overrides)
    if args.stills and not config.data.still_weight:
        raise TfLuError("--stills needs data.still_weight > 0 in the config (the share of pairs from photos)")
    from tf_lu.data.curation import curate_crop_pairs
    manifest = curate_crop_pairs(args.out, args.crops, args.frames, config.data, args.seed, still_roots=args.stills)
    print(f"wrote {config.data.pairs} pairs from {manifest['tracks']} tracks to {args.out}")
