"""Write SiamFC networks with random weights at full and half width, and a no-update tracker config for each, into a
folder (default /tmp/width_timing), to time tracking at each width: fps does not depend on the weights' values.

    python docs/experiments/2026-12-01-extractor/width_timing.py /tmp/width_timing
    tf-lu time frames --trackers /tmp/width_timing/siamfc-none-half-width.yaml,/tmp/width_timing/siamfc-none-full-width.yaml --frames 150
"""
import os
import sys

from tf_lu.config import load_config
from tf_lu.models.networks import build_network
from tf_lu.resources import shipped_config


def main(folder):
    os.makedirs(folder, exist_ok=True)
    for name, width in (("full", 1.0), ("half", 0.5)):
        network = build_network(load_config(overrides={"backbone": {"width": width}})).build_for(127, 255)
        weights = os.path.join(folder, f"{name}.weights.h5")
        network.save_weights(weights)
        with open(os.path.join(folder, f"siamfc-none-{name}-width.yaml"), "w", encoding="utf-8") as handle:
            handle.write(f"base: {shipped_config('siamfc_half')}\nbackbone:\n  width: {width}\n"
                         f"weights: {weights}\nupdater:\n  kind: none\n")
        print(name, network.count_params(), "parameters")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/width_timing")
