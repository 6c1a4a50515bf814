// The page of `tf-lu app`: open a video, drag the first box, track, watch, download (the results part is in
// results.js).  Plain JavaScript; it talks only to the server that served it (the API: tf_lu/web/routes.py).
"use strict";

const $ = (id) => document.getElementById(id);
const state = {
  config: null, sources: {}, source: null, box: null, firstImage: null, image: null, drag: null,
  job: null, jobInfo: null, rows: [], shown: -1, loading: false, responseFrames: [],
};

// --- talking to the server ------------------------------------------------------------------------------------------
async function api(method, url, body) {
  const options = { method };
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers = { "Content-Type": "application/json" };
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (err) {
    throw new Error("the server did not answer (is tf-lu app still running?)");
  }
  let data = null;
  try { data = await response.json(); } catch (err) { data = null; }
  if (!response.ok) {
    throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
  }
  return data;
}

function showMessage(text, ok) {
  const box = $("message");
  box.textContent = text;
  box.className = ok ? "message ok" : "message";
  box.hidden = !text;
}

function loadImage(url) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error("could not load " + url));
    image.src = url;
  });
}

// --- videos -----------------------------------------------------------------------------------------------------------
function addSourceOption(source, label) {
  state.sources[source.id] = source;
  const option = document.createElement("option");
  option.value = source.id;
  option.textContent = label || source.name;
  $("sequence").appendChild(option);
  return option;
}

async function openSource(source) {
  if (isTracking()) return;
  state.source = source;
  state.box = null;
  state.rows = [];
  $("box").value = "";
  $("results").hidden = true;
  $("legend").innerHTML = "";
  $("responses").innerHTML = "";
  $("progress").value = 0;
  $("sequence").value = source.id;
  $("use-truth").hidden = !source.first_box;
  $("source-info").textContent = `${source.name}: ${source.frames} frames, ${source.width}x${source.height}` +
    (source.ground_truth ? ", with ground truth" : "");
  state.firstImage = await loadImage(`/api/sources/${source.id}/first`);
  showFirstFrame();
  sizeCanvas(source.width, source.height);
  $("status").textContent = "drag a box around the object";
  draw();
}

async function uploadFile(file) {
  const limit = state.config.max_upload_bytes;
  if (file.size > limit) {
    showMessage(`${file.name} is larger than this server's upload limit of ${limit / 1048576} MB`);
    return;
  }
  const form = new FormData();
  form.append("video", file, file.name);
  $("status").textContent = `uploading ${file.name}...`;
  try {
    const source = await api("POST", "/api/sources", form);
    addSourceOption(source, `${source.name} (uploaded)`);
    showMessage("");
    await openSource(source);
  } catch (err) {
    $("status").textContent = state.source ? "drag a box around the object" : "no video open";
    showMessage(err.message);
  }
}

// --- the frame and the boxes ------------------------------------------------------------------------------------------
function sizeCanvas(width, height) {
  const canvas = $("frame");
  canvas.width = width;
  canvas.height = height;
  const scale = width < 480 ? Math.min(4, Math.ceil(480 / width)) : Math.min(1, 860 / width);
  canvas.style.width = `${Math.round(width * scale)}px`;
  canvas.classList.toggle("pixelated", scale > 1);
}

function lineWidth() {
  const canvas = $("frame");
  return Math.max(1, 2 * canvas.width / canvas.getBoundingClientRect().width);
}

function strokeBox(ctx, box, color, dashed) {
  if (!box) return;
  ctx.strokeStyle = color;
  ctx.lineWidth = lineWidth();
  ctx.setLineDash(dashed ? [4 * ctx.lineWidth, 3 * ctx.lineWidth] : []);
  ctx.strokeRect(box[0], box[1], box[2], box[3]);
}

function draw() {
  const canvas = $("frame");
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (state.image) ctx.drawImage(state.image, 0, 0, canvas.width, canvas.height);
  if (state.jobInfo && state.shown >= 0 && state.rows[state.shown]) {
    state.rows[state.shown].forEach((box, k) => strokeBox(ctx, box, state.jobInfo.trackers[k].color, false));
  } else {
    strokeBox(ctx, state.box, "#ffd400", true);
  }
}

function imagePoint(event) {
  const canvas = $("frame");
  const rect = canvas.getBoundingClientRect();
  const x = (event.clientX - rect.left) * canvas.width / rect.width;
  const y = (event.clientY - rect.top) * canvas.height / rect.height;
  return [Math.round(Math.min(Math.max(x, 0), canvas.width)), Math.round(Math.min(Math.max(y, 0), canvas.height))];
}

function boxFrom(a, b) {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.abs(b[0] - a[0]), Math.abs(b[1] - a[1])];
}

function setBox(box) {
  state.box = box;
  $("box").value = box ? box.join(",") : "";
  draw();
}

function parseBox(text) {
  const parts = text.split(/[\s,]+/).filter((p) => p.length).map(Number);
  return parts.length === 4 && parts.every(Number.isFinite) ? parts : null;
}

function showFirstFrame() {
  state.job = null;
  state.jobInfo = null;
  state.shown = -1;
  state.image = state.firstImage;
  $("frame-number").textContent = "";
}

function startDrag(event) {
  if (!state.source || isTracking() || event.button !== 0) return;
  event.preventDefault();
  showMessage("");
  showFirstFrame();
  state.drag = imagePoint(event);
  setBox([state.drag[0], state.drag[1], 0, 0]);
}

function moveDrag(event) {
  if (state.drag) setBox(boxFrom(state.drag, imagePoint(event)));
}

function endDrag(event) {
  if (!state.drag) return;
  setBox(boxFrom(state.drag, imagePoint(event)));
  state.drag = null;
}

// --- tracking -------------------------------------------------------------------------------------------------------
function isTracking() {
  return Boolean(state.jobInfo && ["starting", "tracking"].includes(state.jobInfo.status));
}

function chosenTrackers() {
  return Array.from(document.querySelectorAll("#trackers input:checked")).map((input) => input.value);
}

async function startTracking() {
  if (!state.source) { showMessage("open a video or choose a sequence first"); return; }
  showMessage("");
  const body = {
    source: state.source.id, box: $("box").value, trackers: chosenTrackers(), output: $("output").value,
    response: $("show-response").checked,
  };
  try {
    const info = await api("POST", "/api/jobs", body);
    state.job = info.id;
    state.rows = [];
    state.shown = -1;
    state.responseFrames = [];
    state.jobInfo = info;
    $("results").hidden = true;
    buildLegend(info.trackers);
    buildResponses(info.trackers);
    setTrackingControls(true);
    poll(info.id);
  } catch (err) {
    showMessage(err.message);
  }
}

async function poll(jobId) {
  if (state.job !== jobId) return;
  let info;
  try {
    info = await api("GET", `/api/jobs/${jobId}?since=${state.rows.length}`);
  } catch (err) {
    showMessage(err.message);
    setTrackingControls(false);
    return;
  }
  if (state.job !== jobId) return;
  state.rows.push(...info.boxes);
  state.jobInfo = info;
  showProgress(info);
  showLatestFrame(jobId, info.latest);
  showResponses(jobId, info);
  if (["starting", "tracking"].includes(info.status)) {
    setTimeout(() => poll(jobId), 150);
  } else {
    finish(jobId, info);
  }
}

function showProgress(info) {
  const total = Math.max(info.total, 1);
  $("progress").max = total;
  $("progress").value = info.done;
  $("status").textContent = info.status === "tracking" ? "tracking" : `${info.status}: ${info.message}`;
  info.trackers.forEach((tracker, k) => {
    $(`fps-${k}`).textContent = tracker.fps === null ? "" : `${tracker.fps.toFixed(1)} fps`;
  });
}

async function showLatestFrame(jobId, latest) {
  if (latest === null || latest === state.shown || state.loading) return;
  state.loading = true;
  let loaded = false;
  try {
    const image = await loadImage(`/api/jobs/${jobId}/frames/${latest}`);
    if (state.job === jobId) {
      state.image = image;
      state.shown = latest;
      $("frame-number").textContent = `frame ${latest + 1} / ${state.jobInfo.total}`;
      draw();
      loaded = true;
    }
  } catch (err) {
    // the frame was dropped from the server's few recent ones: the next poll shows a later one
  } finally {
    state.loading = false;
  }
  const newest = loaded && state.jobInfo ? state.jobInfo.latest : null;
  if (newest !== null && newest !== state.shown) showLatestFrame(jobId, newest);
}

async function stopTracking() {
  if (!state.job) return;
  try { await api("POST", `/api/jobs/${state.job}/stop`); } catch (err) { showMessage(err.message); }
}

function setTrackingControls(tracking) {
  $("track").disabled = tracking;
  $("stop").disabled = !tracking;
  $("sequence").disabled = tracking;
  $("upload").disabled = tracking;
}

function finish(jobId, info) {
  setTrackingControls(false);
  if (info.status === "failed") showMessage(info.message);
  if (info.latest !== null) showLatestFrame(jobId, info.latest);
  showDownloads(jobId, info, $("output").value);
  showScores(info.scores, info.trackers.map((tracker) => tracker.color));
  $("results").hidden = false;
}

// --- legend and response maps -------------------------------------------------------------------------------
function buildLegend(trackers) {
  const legend = $("legend");
  legend.innerHTML = "";
  trackers.forEach((tracker, k) => {
    const item = document.createElement("li");
    item.innerHTML = `<span class="swatch"></span><span class="name"></span><span class="fps" id="fps-${k}"></span>`;
    item.querySelector(".swatch").style.background = tracker.color;
    item.querySelector(".name").textContent = tracker.name;
    legend.appendChild(item);
  });
}

function buildResponses(trackers) {
  const box = $("responses");
  box.innerHTML = "";
  trackers.forEach((tracker, k) => {
    if (!state.config.trackers.find((t) => t.name === tracker.name && t.response)) return;
    const figure = document.createElement("figure");
    figure.innerHTML = `<img id="response-${k}" alt="response map"><figcaption></figcaption>`;
    figure.querySelector("img").style.borderColor = tracker.color;
    figure.querySelector("figcaption").textContent = tracker.name;
    box.appendChild(figure);
  });
  box.hidden = !$("show-response").checked || !box.children.length;
}

function showResponses(jobId, info) {
  info.responses.forEach((frame, k) => {
    const image = $(`response-${k}`);
    if (image && frame !== null && frame !== state.responseFrames[k]) {
      state.responseFrames[k] = frame;
      image.src = `/api/jobs/${jobId}/responses/${k}?frame=${frame}`;
    }
  });
}

async function toggleResponse() {
  const on = $("show-response").checked;
  const box = $("responses");
  box.hidden = !on || !box.children.length;
  if (state.job && isTracking()) {
    try { await api("POST", `/api/jobs/${state.job}/response`, { on }); } catch (err) { showMessage(err.message); }
  }
}

// --- start ----------------------------------------------------------------------------------------------------------
function buildTrackerChoices(trackers) {
  const box = $("trackers");
  const preferred = ["siamfc-ema", "opencv-kcf"];
  const checked = trackers.filter((t) => preferred.includes(t.name)).length ? preferred : [trackers[0].name];
  trackers.forEach((tracker) => {
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox"><span></span>`;
    const input = label.querySelector("input");
    input.value = tracker.name;
    input.checked = checked.includes(tracker.name);
    label.querySelector("span").textContent = tracker.name;
    box.appendChild(label);
  });
}

async function start() {
  try {
    state.config = await api("GET", "/api/config");
    buildTrackerChoices(state.config.trackers);
    const listed = await api("GET", "/api/sources");
    listed.sources.forEach((source) => addSourceOption(source));
  } catch (err) {
    showMessage(err.message);
  }
  $("sequence").addEventListener("change", (event) => {
    const source = state.sources[event.target.value];
    if (source) openSource(source).catch((err) => showMessage(err.message));
  });
  $("upload").addEventListener("change", (event) => {
    const file = event.target.files[0];
    if (file) uploadFile(file).finally(() => { event.target.value = ""; });
  });
  $("box").addEventListener("input", () => {
    if (isTracking()) return;
    showFirstFrame();
    state.box = parseBox($("box").value);
    draw();
  });
  $("use-truth").addEventListener("click", () => {
    if (!state.source || !state.source.first_box || isTracking()) return;
    showFirstFrame();
    setBox(state.source.first_box.map((v) => Math.round(v * 100) / 100));
  });
  $("frame").addEventListener("mousedown", startDrag);
  window.addEventListener("mousemove", moveDrag);
  window.addEventListener("mouseup", endDrag);
  $("track").addEventListener("click", startTracking);
  $("stop").addEventListener("click", stopTracking);
  $("show-response").addEventListener("change", toggleResponse);
}

start();
