// The results of a finished run on the page of `tf-lu app`: download links, the score table and the success plot.
"use strict";

function showDownloads(jobId, info, format) {
  const box = document.getElementById("downloads");
  box.innerHTML = "";
  const link = (href, text) => {
    const a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    a.setAttribute("download", "");
    box.appendChild(a);
    return a;
  };
  if (info.done > 0) {
    info.trackers.forEach((tracker, k) => {
      link(`/api/jobs/${jobId}/boxes/${k}`, `boxes: ${tracker.name}`).className = "boxes-link";
    });
  }
  if (info.video) link(`/api/jobs/${jobId}/video`, `annotated ${format.toUpperCase()}`).id = "video-link";
}

function showScores(scores, colors) {
  const box = document.getElementById("scores");
  const plot = document.getElementById("success-plot");
  box.innerHTML = "";
  plot.hidden = !scores;
  if (!scores) return;
  const rows = scores.trackers.map((t) => `<tr><td></td><td>${fmt(t.auc)}</td><td>${fmt(t.precision)}</td></tr>`);
  box.innerHTML = `<p class="info">Against the ground truth, over ${scores.frames} frames:</p>` +
    `<table id="score-table"><tr><th>tracker</th><th>AUC</th><th>precision (20 px)</th></tr>${rows.join("")}</table>`;
  box.querySelectorAll("tr td:first-child").forEach((cell, k) => { cell.textContent = scores.trackers[k].name; });
  drawSuccessPlot(plot, scores, colors);
}

function fmt(value) {
  return value === null ? "-" : value.toFixed(3);
}

function drawSuccessPlot(canvas, scores, colors) {
  const ctx = canvas.getContext("2d");
  const left = 48, right = 12, top = 24, bottom = 40;
  const w = canvas.width - left - right, h = canvas.height - top - bottom;
  const px = (t) => left + t * w, py = (v) => top + (1 - v) * h;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.strokeStyle = "#d5d9e0";
  ctx.fillStyle = "#1d2330";
  ctx.font = "12px sans-serif";
  ctx.lineWidth = 1;
  for (let i = 0; i <= 5; i++) {
    const v = i / 5;
    ctx.beginPath(); ctx.moveTo(px(0), py(v)); ctx.lineTo(px(1), py(v)); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(px(v), py(0)); ctx.lineTo(px(v), py(1)); ctx.stroke();
    ctx.fillText(v.toFixed(1), left - 28, py(v) + 4);
    ctx.fillText(v.toFixed(1), px(v) - 8, top + h + 16);
  }
  ctx.fillText("overlap threshold", left + w / 2 - 48, canvas.height - 6);
  ctx.fillText("Success plot", left, 16);
  scores.trackers.forEach((tracker, k) => {
    const color = colors[k];
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    tracker.success.forEach((v, i) => {
      const x = px(scores.thresholds[i]), y = py(v === null ? 0 : v);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    });
    ctx.stroke();
    ctx.fillStyle = color;
    ctx.fillRect(left + 8, top + 8 + 16 * k, 12, 3);
    ctx.fillStyle = "#1d2330";
    ctx.fillText(`${tracker.name} [${fmt(tracker.auc)}]`, left + 26, top + 13 + 16 * k);
  });
}
