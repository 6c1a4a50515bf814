"""Track one object through a video file or an image folder, starting from a box you give.

    tf-lu track --source clip.mp4 --box 120,80,40,60 --tracker opencv-kcf --out runs/clip \
        [--one-based] [--video result.mp4 | --gif result.gif | --no-video] [--max-frames N]

Writes OUT_DIR/boxes.txt (1-based x,y,w,h, one line per frame) and an annotated video or GIF, and prints the tracker's
own speed.  A box with a negative coordinate is written as --box=-5,10,40,60; a box reaching past the first frame is
cut to its part inside the frame (and a note says so).
"""
from tf_lu.cli import checks

DEFAULT_VIDEO_NAME = "result.mp4"


def add_arguments(parser):
    parser.add_argument("--source", required=True, help="a video file (.mp4, .avi, ...) or a folder of images")
    parser.add_argument("--box", required=True,
                        help="the object's box in the first frame: x,y,w,h in pixels (0-based unless --one-based); "
                             "write --box=-5,10,40,60 when x is negative")
    parser.add_argument("--one-based", action="store_true",
                        help="--box uses 1-based coordinates (as OTB groundtruth_rect.txt files do)")
    parser.add_argument("--tracker", required=True, help="tracker name, e.g. opencv-kcf, opencv-csrt, siamfc-ema")
    parser.add_argument("--out", required=True, metavar="OUT_DIR", type=checks.output_folder,
                        help="output folder (created if missing)")
    parser.add_argument("--video", metavar="NAME.mp4|NAME.avi",
                        help=f"annotated video to write (a bare name goes into OUT_DIR; default {DEFAULT_VIDEO_NAME} "
                             f"unless --gif or --no-video is given)")
    parser.add_argument("--gif", metavar="NAME.gif",
                        help="annotated animated GIF to write (a bare name goes into OUT_DIR)")
    parser.add_argument("--no-video", action="store_true", help="write only boxes.txt")
    parser.add_argument("--max-frames", type=checks.positive_int, metavar="N", help="track at most the first N frames")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def outputs(args):
    """``(video, gif)`` names to write: the default video unless a GIF is asked for; neither with --no-video."""
    if args.no_video:
        return None, None
    if args.video is None and not args.gif:
        return DEFAULT_VIDEO_NAME, None
    return args.video, args.gif


def run(args):
    from tf_lu.apps.track import parse_box, track_video
    box = parse_box(args.box)
    checks.trackers([args.tracker])
    video, gif = outputs(args)
    result = track_video(args.source, box, args.tracker, args.out, one_based=args.one_based, video=video, gif=gif,
                         max_frames=args.max_frames, progress=not args.quiet)
    for note in result["notes"]:
        print(note)
    print(f"tracked {result['frames']} frames with {args.tracker}: {result['fps']:.1f} fps "
          f"(tracker time only, {result['tracker_seconds']:.2f} s)")
    for path in result["paths"]:
        print(f"wrote {path}")
