"""Turn target-centred crop sequences into trackable crop walks (OTB layout), optionally split into folds.

    tf-lu make-crop-walk --crops ../shared/data/train_crops --out records/crop_walk --folds 2

Each crop is drawn on a 480x480 canvas at a smooth random position and scale (tf_lu/data/crop_walk.py): real
appearance changes, synthetic motion.  With --folds K the sequences go to <out>/fold<k>/<name> (segments of one video
in the same fold) and <out>/folds.json lists them, for updaters meta-trained with meta.hold_out set to one fold.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list
from tf_lu.errors import TfLuError


def add_arguments(parser):
    parser.add_argument("--crops", required=True, type=checks.input_folder,
                        help="folder of OTB-layout crop sequences (e.g. train_crops)")
    parser.add_argument("--out", required=True, type=checks.output_folder, help="output folder")
    parser.add_argument("--folds", type=checks.non_negative_int, default=0,
                        help="split into this many folds, 2 or more (0: no split)")
    parser.add_argument("--max-frames", type=checks.positive_int, default=150,
                        help="first frames of each sequence to use")
    parser.add_argument("--seed", type=checks.non_negative_int, default=0)
    parser.add_argument("--sequences", help="comma-separated names: only these sequences (e.g. a validation split)")


def run(args):
    if args.folds == 1:
        raise TfLuError("--folds must be 0 (no split) or at least 2, got 1")
    from tf_lu.data.crop_walk import write_crop_walks
    folds = write_crop_walks(args.crops, args.out, folds=args.folds, max_frames=args.max_frames, seed=args.seed,
                             names=comma_list(args.sequences))
    for k, names in enumerate(folds):
        print(f"fold {k}: {len(names)} sequences: {', '.join(names)}")
