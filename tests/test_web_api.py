"""``tf-lu app``'s HTTP API in-process (Flask's test client): tracking, downloads, stop, two jobs at once, and every
bad input answered with a message while the next request is still served."""
import io
import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
from PIL import Image

from tf_lu.evaluation.metrics import sequence_metrics
from tf_lu.tracking.registry import build_tracker
from tf_lu.web.server import AppSettings, create_app
from web_helpers import FRAMES, HEIGHT, WIDTH, tf_lu_track, write_sequences, write_video

UPLOAD_LIMIT = 64 * 1024
OFFERED = {name: name for name in ("siamfc-none", "opencv-kcf", "opencv-csrt", "step")}


class StepTracker:
    """Moves the box 1 px right per frame; each update waits for a permit of ``gate`` (the test sets the pace)."""

    def __init__(self, gate):
        self.gate = gate

    def init(self, image, box):
        self.box = np.array(box, dtype=np.float64)

    def update(self, image):
        assert self.gate.acquire(timeout=60), "the test gave no permit for the next frame"
        self.box = self.box + (1, 0, 0, 0)
        return self.box


@pytest.fixture(scope="module")
def web_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web_data")
    sequences = write_sequences(str(folder), count=2)
    return folder, sequences


@pytest.fixture
def gate():
    return threading.Semaphore(0)


@pytest.fixture
def app(web_data, tmp_path, gate):
    build = lambda name: StepTracker(gate) if name == "step" else build_tracker(name)
    return create_app(AppSettings(OFFERED, str(tmp_path / "work"), str(web_data[0]), UPLOAD_LIMIT, max_jobs=2,
                                  build=build))


@pytest.fixture
def client(app):
    return app.test_client()


def wait_for(client, job_id, condition=lambda state: state["status"] not in ("starting", "tracking")):
    for _ in range(1200):
        state = client.get(f"/api/jobs/{job_id}").get_json()
        if condition(state):
            return state
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never got there: {state}")


def start(client, source="s0", box="40,30,20,24", trackers=("opencv-kcf",), **extra):
    return client.post("/api/jobs", json={"source": source, "box": box, "trackers": list(trackers), **extra})


def served(client):
    """The server answers the next request."""
    return client.get("/api/config").status_code == 200 and client.get("/api/sources").status_code == 200


def upload(client, name, data):
    return client.post("/api/sources", data={"video": (io.BytesIO(data), name)}, content_type="multipart/form-data")


# ----------------------------------------------------------------------------------------------------- the page itself

def test_the_page_and_its_files_are_served_and_fetch_nothing_from_the_internet(client):
    for url, kind, needle in (("/", "text/html", b'<canvas id="frame"'), ("/app.js", "text/javascript", b"/api/jobs"),
                              ("/results.js", "text/javascript", b"drawSuccessPlot"),
                              ("/style.css", "text/css", b"#frame")):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == kind and needle in answer.data
        assert b"http://" not in answer.data and b"https://" not in answer.data and b"//cdn" not in answer.data
    assert client.get("/static/app.js").status_code == 404


def test_config_and_sources(client, web_data):
    config = client.get("/api/config").get_json()
    assert [t["name"] for t in config["trackers"]] == list(OFFERED)
    assert config["max_upload_bytes"] == UPLOAD_LIMIT
    sources = client.get("/api/sources").get_json()["sources"]
    assert [s["name"] for s in sources] == [s.name for s in web_data[1]]
    assert sources[0]["frames"] == FRAMES and (sources[0]["width"], sources[0]["height"]) == (WIDTH, HEIGHT)
    np.testing.assert_allclose(sources[0]["first_box"], web_data[1][0].boxes[0], atol=0.006)   # 2 decimals on disk
    first = Image.open(io.BytesIO(client.get("/api/sources/s0/first").data))
    assert first.size == (WIDTH, HEIGHT)


# ------------------------------------------------------------------------------------------------------------ tracking

def test_boxes_equal_tf_lu_track_and_scores_match_the_ground_truth(client, web_data, tmp_path):
    folder, sequences = web_data
    truth = client.get("/api/sources").get_json()["sources"][0]["first_box"]
    box = ",".join(f"{v:g}" for v in truth)
    job = start(client, box=box, trackers=["siamfc-none", "opencv-csrt"], output="gif", response=True).get_json()
    state = wait_for(client, job["id"])
    assert state["status"] == "done" and state["done"] == state["total"] == FRAMES
    assert [t["name"] for t in state["trackers"]] == ["siamfc-none", "opencv-csrt"]
    assert all(t["fps"] > 0 for t in state["trackers"])
    source = folder / sequences[0].name / "img"
    for k, name in enumerate(["siamfc-none", "opencv-csrt"]):
        download = client.get(f"/api/jobs/{job['id']}/boxes/{k}")
        assert f'filename="{sequences[0].name}_{name}.txt"' in download.headers["Content-Disposition"]
        assert download.data.decode() == tf_lu_track(source, box, name, tmp_path / name)
        boxes = np.loadtxt(io.StringIO(download.data.decode()), delimiter=",") - (1, 1, 0, 0)
        expected = sequence_metrics(boxes, client.application.extensions["tf_lu"]["sources"].get("s0").ground_truth)
        assert state["scores"]["trackers"][k]["auc"] == pytest.approx(expected["auc"], abs=1e-4)
        assert state["scores"]["trackers"][k]["precision"] == pytest.approx(expected["precision"], abs=1e-4)
        assert len(state["scores"]["trackers"][k]["success"]) == len(state["scores"]["thresholds"]) == 21
    gif = Image.open(io.BytesIO(client.get(f"/api/jobs/{job['id']}/video").data))
    assert gif.format == "GIF" and gif.n_frames == FRAMES
    response = Image.open(io.BytesIO(client.get(f"/api/jobs/{job['id']}/responses/0").data))
    assert response.format == "PNG" and response.size == (136, 136)
    assert state["responses"] == [FRAMES - 1, None]
    assert client.get(f"/api/jobs/{job['id']}/responses/1").status_code == 404
    assert client.get(f"/api/jobs/{job['id']}/frames/{FRAMES - 1}").mimetype == "image/jpeg"


def test_an_uploaded_video_tracks_like_tf_lu_track(client, tmp_path, app):
    video = write_video(tmp_path / "square.avi")
    source = upload(client, "../../outside/square.avi", video.read_bytes()).get_json()
    assert source["name"] == "square.avi" and source["frames"] == 6 and source["ground_truth"] is False
    uploads = os.path.join(str(tmp_path / "work"), "uploads")
    kept = os.listdir(uploads)
    assert len(kept) == 1 and kept[0].endswith(".avi") and kept[0] != "square.avi"
    assert not (tmp_path / "outside").exists()
    job = start(client, source=source["id"], box="10,10,16,16", trackers=["opencv-csrt"], output="mp4").get_json()
    state = wait_for(client, job["id"])
    assert state["status"] == "done" and state["done"] == 6 and state["scores"] is None
    text = client.get(f"/api/jobs/{job['id']}/boxes/0").data.decode()
    assert text == tf_lu_track(video, "10,10,16,16", "opencv-csrt", tmp_path / "track")
    mp4 = client.get(f"/api/jobs/{job['id']}/video")
    assert mp4.status_code == 200 and 'filename=square_tracked.mp4' in mp4.headers["Content-Disposition"]


def test_stop_keeps_what_was_tracked(client, gate):
    job = start(client, box="10,20,30,40", trackers=["step"], output="none").get_json()
    gate.release(2)
    wait_for(client, job["id"], lambda state: state["done"] == 3)
    assert client.get(f"/api/jobs/{job['id']}/boxes/0").status_code == 400        # not before the end
    assert client.post(f"/api/jobs/{job['id']}/stop").status_code == 200
    gate.release(1)                                  # the frame being tracked ends, then the job stops
    state = wait_for(client, job["id"])
    assert state["status"] == "stopped" and state["done"] == 4 and state["total"] == FRAMES
    assert state["message"] == f"stopped after 4 of {FRAMES} frames"
    assert client.get(f"/api/jobs/{job['id']}/boxes/0").data.decode() == \
        "11,21,30,40\n12,21,30,40\n13,21,30,40\n14,21,30,40\n"
    assert client.get(f"/api/jobs/{job['id']}/video").status_code == 404


def test_two_jobs_at_once_keep_their_results_apart(client, gate):
    first = start(client, box="10,20,30,40", trackers=["step"], output="none").get_json()
    second = start(client, source="s1", box="50,30,20,20", trackers=["step"], output="none").get_json()
    assert first["id"] != second["id"]
    third = start(client, trackers=["opencv-kcf"])
    assert third.status_code == 400 and "jobs are tracking already" in third.get_json()["error"]
    assert served(client)
    gate.release(2 * (FRAMES - 1))
    for job, (x, y, w, h) in ((first, (10, 20, 30, 40)), (second, (50, 30, 20, 20))):
        assert wait_for(client, job["id"])["status"] == "done"
        text = client.get(f"/api/jobs/{job['id']}/boxes/0").data.decode()
        assert text == "".join(f"{x + 1 + k},{y + 1},{w},{h}\n" for k in range(FRAMES))
    polled = client.get(f"/api/jobs/{first['id']}?since=8").get_json()
    assert polled["since"] == 8 and polled["boxes"] == [[[18.0, 20.0, 30.0, 40.0]], [[19.0, 20.0, 30.0, 40.0]]]


def test_the_response_map_toggle(client, gate):
    job = start(client, box="10,20,30,40", trackers=["step"], output="none").get_json()
    assert client.post(f"/api/jobs/{job['id']}/response", json={"on": True}).get_json() == {"on": True}
    assert client.post(f"/api/jobs/{job['id']}/response", json={"on": False}).get_json() == {"on": False}
    assert client.post(f"/api/jobs/{job['id']}/response", data="nonsense").status_code == 400
    client.post(f"/api/jobs/{job['id']}/stop")
    gate.release(FRAMES)
    assert wait_for(client, job["id"])["responses"] == [None]      # not a Siamese tracker: no map


# ---------------------------------------------------------------------------------- bad inputs: a message, then served

def corrupt_video(tmp_path):
    """A real video cut to its first 600 bytes."""
    return write_video(tmp_path / "whole.avi").read_bytes()[:600]


@pytest.mark.parametrize("name, data, status, message", [
    ("notes.txt", b"just some text\n", 400,
     "notes.txt is not a video file: choose a file ending in .mp4, .avi, .mov, .mkv, .webm, .mpg, .mpeg, .m4v"),
    ("notes.mp4", b"just some text\n" * 20, 400, "notes.mp4 cannot be read as a video: it is corrupt or not a video"),
    ("cut.avi", None, 400, "cut.avi cannot be read as a video: it is corrupt or not a video"),
    ("empty.mp4", b"", 400, "empty.mp4 is empty"),
    ("big.mp4", b"\0" * (UPLOAD_LIMIT + 1), 413, "the file is larger than this server's upload limit of 0.0625 MB"),
])
def test_bad_uploads(client, tmp_path, name, data, status, message):
    answer = upload(client, name, corrupt_video(tmp_path) if data is None else data)
    assert answer.status_code == status and answer.get_json()["error"] == message
    assert os.listdir(tmp_path / "work" / "uploads") == []
    assert served(client)


@pytest.mark.parametrize("body, status, message", [
    ({"source": "s0", "box": "200,10,20,20", "trackers": ["opencv-kcf"]}, 400,
     f"the box [200.0, 10.0, 20.0, 20.0] lies outside the {WIDTH}x{HEIGHT} image"),
    ({"source": "s0", "box": [10, 10, 0, 20], "trackers": ["opencv-kcf"]}, 400,
     "the box has zero size: less than one pixel wide or high (w=0, h=20)"),
    ({"source": "s0", "box": "10,10,20", "trackers": ["opencv-kcf"]}, 400,
     "the box must be 4 numbers x,y,w,h, got '10,10,20'; drag a box on the first frame"),
    ({"source": "s0", "box": "10,10,20,20", "trackers": []}, 400, "choose at least one tracker"),
    ({"source": "s0", "box": "10,10,20,20", "trackers": ["../../etc/passwd"]}, 400, None),
    ({"source": "s0", "box": "10,10,20,20", "trackers": ["opencv-kcf"], "output": "webm"}, 400, None),
    ({"source": "../../etc", "box": "10,10,20,20", "trackers": ["opencv-kcf"]}, 404, None),
])
def test_bad_job_requests(client, body, status, message):
    answer = client.post("/api/jobs", json=body)
    assert answer.status_code == status
    assert answer.get_json()["error"] == message if message else answer.get_json()["error"]
    assert served(client)


def test_unknown_ids_and_a_request_that_is_not_json(client):
    for url in ("/api/jobs/nope", "/api/jobs/nope/boxes/0", "/api/sources/nope/first", "/nothing-here"):
        answer = client.get(url)
        assert answer.status_code == 404 and answer.get_json()["error"]
    assert client.post("/api/jobs", data="x", content_type="text/plain").status_code == 400
    assert served(client)


# ------------------------------------------------------------------------------------------------------ the command

def test_the_command_serves_on_localhost_and_removes_its_folder(tmp_path, web_data):
    """``tf-lu app`` prints its address, answers there, and leaves nothing in the temporary folder on Ctrl+C."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    command = [sys.executable, "-m", "tf_lu", "app", "--port", "0", "--data", str(web_data[0]), "--trackers",
               "opencv-kcf"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = process.stdout.readline()
        assert line.startswith("tf-lu app: open http://127.0.0.1:"), line
        url = line.split()[3]
        from urllib.request import urlopen
        with urlopen(url + "api/config", timeout=30) as answer:
            assert b'"opencv-kcf"' in answer.read()
        assert os.listdir(temp)
    finally:
        process.send_signal(signal.SIGINT)
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0 and "stopped" in out
    assert os.listdir(temp) == []


def test_the_command_reports_a_bad_tracker_a_missing_folder_and_a_taken_port(capsys, tmp_path):
    import socket
    from tf_lu.cli.main import main
    assert main(["app", "--trackers", "no-such-tracker", "--port", "0"]) == 2
    assert "unknown tracker 'no-such-tracker'" in capsys.readouterr().err
    assert main(["app", "--trackers", "opencv-kcf", "--port", "0", "--data", str(tmp_path / "nothing")]) == 2
    assert "nothing" in capsys.readouterr().err.strip().splitlines()[-1]
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--trackers", "opencv-kcf", "--port", str(port), "--data", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip().endswith(f"error: cannot serve on 127.0.0.1:{port}: Address already in use")
