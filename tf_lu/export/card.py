"""The model card written beside an exported SavedModel: what tracker it is, which weights, which signatures, and
how to call it (``saved_model_cli`` commands made for this export's state names)."""
import datetime
import hashlib
import os
import shlex

import tensorflow as tf

CARD_NAME = "MODEL_CARD.md"


def file_digest(path):
    """``"sha256:<first 16 hex digits>"`` of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]


def weights_files(config):
    """``[(what, path)]`` of the weight files a tracker config names."""
    files = [("network", config.weights)]
    if config.updater.kind == "learned" and config.updater.learned.weights:
        files.append(("updater network", config.updater.learned.weights))
    return [(what, path) for what, path in files if path]


def cli_commands(out_dir, state_names):
    """Shell lines that run ``init`` then one ``step`` on a grey frame with ``saved_model_cli``."""
    state = ";".join(f"{name}=state/{name}.npy" for name in state_names)
    folder = shlex.quote(str(out_dir))
    return [
        "python -c \"import numpy as np; np.save('frame.npy', np.full((240, 320, 3), 128, np.uint8))\"",
        f"saved_model_cli run --dir {folder} --tag_set serve --signature_def init --inputs 'frame=frame.npy' "
        "--input_exprs 'box=[140.0, 100.0, 40.0, 30.0]' --outdir state --overwrite",
        f"saved_model_cli run --dir {folder} --tag_set serve --signature_def serving_default "
        f"--inputs 'frame=frame.npy;{state}'",
    ]


def signature_lines(signatures):
    lines = []
    for name, spec in signatures.items():
        inputs = ", ".join(f"{k}: {v}" for k, v in spec["inputs"].items())
        outputs = ", ".join(f"{k}: {v}" for k, v in spec["outputs"].items())
        lines.append(f"- `{name}`: inputs {inputs}; outputs {outputs}")
    return lines


def write_card(out_dir, name, config_path, config, signatures, state_names):
    """Write ``out_dir/MODEL_CARD.md``; returns its path."""
    track = config.track
    lines = [f"# Exported tracker: {name}", "",
             f"Exported {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC with TensorFlow "
             f"{tf.__version__} from the tracker config `{os.path.basename(config_path)}` "
             f"(base tracker {config.backbone.kind}, width {config.backbone.width}, update `{config.updater.kind}`).",
             "", "## Weights", ""]
    lines += [f"- {what}: `{os.path.basename(path)}` ({file_digest(path)})" for what, path in weights_files(config)]
    lines += ["", "## Tracking settings", "",
              f"exemplar {track.exemplar_size} px, search {track.instance_size} px, context {track.context}, "
              f"{track.scale_num} scales (step {track.scale_step}, penalty {track.scale_penalty}, damping "
              f"{track.scale_lr}), response upsampled x{track.response_up}, window influence "
              f"{track.window_influence}, smallest box side {track.min_size} px.",
              "", "## Signatures", "",
              "Frames are RGB `uint8` of any size; boxes are 0-based `(x, y, w, h)` float64; `score` is the sigmoid "
              "of the response peak; -1 is any size. `step` (= `serving_default`) returns the next state under the "
              "names of its state inputs: feed them back on the next frame. The `*_batch` signatures advance B "
              "streams per call (frames padded to a common size, `sizes` each stream's height and width).", ""]
    lines += signature_lines(signatures)
    lines += ["", "## Calling it", "", "```"] + cli_commands(out_dir, state_names) + ["```", "",
              "`examples/serve_savedmodel.py` in the tf_lu repository tracks OTB folders or videos with it, "
              "using TensorFlow, NumPy and Pillow only.", ""]
    path = os.path.join(out_dir, CARD_NAME)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines))
    return path
