"""``tf-lu app`` in a real browser: headless Chromium (Debian's ``chromium`` and ``chromium-driver``) driven by
Selenium.  The page's messages for bad uploads and bad boxes, then a box drawn with the mouse on a short generated
sequence, two trackers, and the downloaded boxes compared with ``tf-lu track``'s for the same box.

Skips where no browser is installed (``.ci/run`` installs one).
"""
import os
import shutil
import tempfile
import threading

import pytest

from tf_lu.web.server import AppSettings, create_app, offered_trackers
from web_helpers import FRAMES, tf_lu_track, write_sequences, write_video

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
BROWSER_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,900")
UPLOAD_LIMIT = 64 * 1024
TRACKERS = ("siamfc-ema", "opencv-kcf")

pytestmark = pytest.mark.skipif(not (os.path.isfile(CHROMIUM) and os.path.isfile(CHROMEDRIVER)),
                                reason="no chromium / chromedriver installed (apt-get install chromium chromium-driver)")
webdriver = pytest.importorskip("selenium.webdriver")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app on a free localhost port, serving one generated sequence; yields ``(url, data folder, sequence)``."""
    from werkzeug.serving import make_server
    folder = tmp_path_factory.mktemp("browser_data")
    sequence = write_sequences(str(folder), count=1, seed=11)[0]
    settings = AppSettings(offered_trackers(), str(tmp_path_factory.mktemp("browser_work")), str(folder),
                           UPLOAD_LIMIT)
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.port}/", folder, sequence
    server.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="tf-lu-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in BROWSER_FLAGS + (f"--user-data-dir={profile}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


def wait_until(driver, condition, seconds=30):
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, seconds, poll_frequency=0.1).until(lambda d: condition(d))


def element(driver, element_id):
    return driver.find_element("id", element_id)


def message(driver):
    box = element(driver, "message")
    return "" if box.get_attribute("hidden") is not None else box.text


def expect_message(driver, text):
    """The page shows ``text`` in its message line."""
    wait_until(driver, lambda d: text in message(d))


def open_page(driver, url):
    driver.get(url)
    wait_until(driver, lambda d: len(d.find_elements("css selector", "#sequence option")) > 1
               and len(d.find_elements("css selector", "#trackers input")) > 0)


def choose_sequence(driver):
    from selenium.webdriver.support.ui import Select
    Select(element(driver, "sequence")).select_by_index(1)
    wait_until(driver, lambda d: element(d, "status").text == "drag a box around the object")


def upload(driver, path):
    element(driver, "upload").send_keys(str(path))


def press_track_with_box(driver, box):
    field = element(driver, "box")
    field.clear()
    field.send_keys(box)
    element(driver, "track").click()


def test_bad_inputs_show_their_message_and_the_page_goes_on(browser, served, tmp_path):
    url = served[0]
    open_page(browser, url)
    (tmp_path / "notes.txt").write_text("just some text\n")
    upload(browser, tmp_path / "notes.txt")
    expect_message(browser, "notes.txt is not a video file")
    (tmp_path / "broken.mp4").write_bytes(write_video(tmp_path / "whole.avi").read_bytes()[:600])
    upload(browser, tmp_path / "broken.mp4")
    expect_message(browser, "broken.mp4 cannot be read as a video: it is corrupt or not a video")
    (tmp_path / "big.mp4").write_bytes(b"\0" * (UPLOAD_LIMIT + 1))
    upload(browser, tmp_path / "big.mp4")
    expect_message(browser, "big.mp4 is larger than this server's upload limit of 0.0625 MB")   # said by the page
    browser.execute_script("state.config.max_upload_bytes = 1e12")        # so the upload goes to the server
    upload(browser, tmp_path / "big.mp4")
    expect_message(browser, "the file is larger than this server's upload limit of 0.0625 MB")  # said by the server
    choose_sequence(browser)                       # the next request is served: the first frame comes
    press_track_with_box(browser, "500,500,10,10")
    expect_message(browser, "lies outside the 128x96 image")
    press_track_with_box(browser, "10,10,0,5")
    expect_message(browser, "the box has zero size")
    upload(browser, write_video(tmp_path / "square.avi"))       # and a good upload still works
    wait_until(browser, lambda d: "square.avi: 6 frames, 64x48" in element(d, "source-info").text)
    assert message(browser) == ""


def drag_box(driver, start, end):
    """Drag with the mouse from image pixel ``start`` to ``end`` on the frame canvas."""
    from selenium.webdriver.common.action_chains import ActionChains
    canvas = element(driver, "frame")
    shown = canvas.size["width"] / int(canvas.get_attribute("width"))
    offset = lambda point: (round(point[0] * shown - canvas.size["width"] / 2),
                            round(point[1] * shown - canvas.size["height"] / 2))
    (x0, y0), (x1, y1) = offset(start), offset(end)
    ActionChains(driver).move_to_element_with_offset(canvas, x0, y0).click_and_hold() \
        .move_by_offset((x1 - x0) // 2, (y1 - y0) // 2).move_by_offset(x1 - x0 - (x1 - x0) // 2,
                                                                        y1 - y0 - (y1 - y0) // 2) \
        .release().perform()


def choose_trackers(driver, names):
    for checkbox in driver.find_elements("css selector", "#trackers input"):
        if checkbox.is_selected() != (checkbox.get_attribute("value") in names):
            checkbox.click()


def download_texts(driver):
    """The text of every box file the page offers, fetched by the page itself."""
    links = driver.find_elements("css selector", "a.boxes-link")
    script = ("const done = arguments[arguments.length - 1];"
              "Promise.all(arguments[0].map((u) => fetch(u).then((r) => r.text()))).then(done);")
    return driver.execute_async_script(script, [link.get_attribute("href") for link in links])


def script_errors(driver):
    """The page's JavaScript errors since last asked (a refused request's console line is not one)."""
    return [entry["message"] for entry in driver.get_log("browser")
            if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]


def test_draw_a_box_track_with_two_trackers_and_download_what_tf_lu_track_gives(browser, served, tmp_path):
    url, folder, sequence = served
    open_page(browser, url)
    script_errors(browser)
    choose_sequence(browser)
    x, y, w, h = (int(round(v)) for v in sequence.boxes[0])
    drag_box(browser, (x, y), (x + w, y + h))
    box = element(browser, "box").get_attribute("value")
    drawn = [int(v) for v in box.split(",")]
    assert all(abs(a - b) <= 1 for a, b in zip(drawn, (x, y, w, h))), (box, (x, y, w, h))
    choose_trackers(browser, TRACKERS)
    element(browser, "show-response").click()
    element(browser, "track").click()
    wait_until(browser, lambda d: element(d, "status").text.startswith(("done", "failed", "stopped")), seconds=120)
    assert element(browser, "status").text == f"done: tracked {FRAMES} frames", message(browser)
    assert element(browser, "frame-number").text == f"frame {FRAMES} / {FRAMES}"
    legend = element(browser, "legend").text
    assert all(name in legend for name in TRACKERS) and "fps" in legend
    assert browser.execute_script("return document.getElementById('response-0').naturalWidth") == 136
    assert [row.text.split()[0] for row in browser.find_elements("css selector", "#score-table tr")[1:]] == \
        list(TRACKERS)
    assert element(browser, "video-link").get_attribute("href").endswith("/video")
    texts = download_texts(browser)
    assert len(texts) == len(TRACKERS)
    for name, text in zip(TRACKERS, texts):
        assert text == tf_lu_track(folder / sequence.name / "img", box, name, tmp_path / name)
        assert len(text.splitlines()) == FRAMES
    assert script_errors(browser) == []
