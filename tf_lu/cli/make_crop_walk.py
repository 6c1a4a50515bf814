"""Turn target-centred crop sequences into trackable crop walks (OTB layout), optionally split into folds.

    tf-lu make-crop-walk --crops ../shared/data/train_crops --out records/crop_walk --folds 2

Each crop is drawn on a 480x480 canvas at a smooth random position and scale (tf_lu/data/crop_walk.py): real
appearance changes, synthetic motion.  With --folds K the sequences go to <out>/fold<k>/<name> (segments of one video
in the same fold) and <out>/folds.json lists them, for updaters meta-trained with meta.hold_out set to one fold.
"""


def add_arguments(parser):
    parser.add_argument("--crops", required=True, help="folder of OTB-layout crop sequences (e.g. train_crops)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--folds", type=int, default=0, help="split into this many folds (0: no split)")
    parser.add_argument("--max-frames", type=int, default=150, help="first frames of each sequence to use")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sequences", help="comma-separated names: only these sequences (e.g. a validation split)")


def run(args):
    from tf_lu.data.crop_walk import write_crop_walks
    names = [n for n in (args.sequences or "").split(",") if n]
    folds = write_crop_walks(args.crops, args.out, folds=args.folds, max_frames=args.max_frames, seed=args.seed,
                             names=names)
    for k, names in enumerate(folds):
        print(f"fold {k}: {len(names)} sequences: {', '.join(names)}")
