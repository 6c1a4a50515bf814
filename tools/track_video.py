#!/usr/bin/env python
"""Track one object through a video file or an image folder, starting from a box you give.

    python tools/track_video.py --source clip.mp4 --box 120,80,40,60 --tracker opencv-kcf --out runs/clip \
        [--one-based] [--video result.mp4 | --gif result.gif] [--max-frames N]

Writes OUT_DIR/boxes.txt (1-based x,y,w,h, one line per frame) and an annotated video or GIF, and prints the
tracker's own speed.  A box with a negative coordinate is written as --box=-5,10,40,60.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tf_lu.apps.track_video import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
