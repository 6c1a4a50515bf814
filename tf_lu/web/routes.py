"""The HTTP API of ``tf-lu app`` (JSON unless a picture or a download is asked for).

    GET  /                              the page (and /app.js, /results.js, /style.css)
    GET  /api/config                    trackers on offer, upload limit
    GET  /api/sources                   the sequences of the server's data folder
    POST /api/sources                   upload a video (multipart field ``video``)
    GET  /api/sources/<id>/first        its first frame (JPEG)
    POST /api/jobs                      start: {source, box: [x, y, w, h], trackers: [...], output, response}
    GET  /api/jobs/<id>?since=N         progress, boxes of frames N.., fps, scores at the end
    POST /api/jobs/<id>/stop            stop after the current frame
    POST /api/jobs/<id>/response        {on: true|false}: compute response maps or not
    GET  /api/jobs/<id>/frames/<i>      a recent frame (JPEG)
    GET  /api/jobs/<id>/responses/<k>   tracker k's latest response map (PNG)
    GET  /api/jobs/<id>/boxes/<k>       tracker k's boxes, the file ``tf-lu track`` writes (when the job has ended)
    GET  /api/jobs/<id>/video           the annotated MP4 or GIF (when the job has ended)

Ids are the server's own (a source id, a random job id, a tracker's position); nothing from a request names a file.
"""
import os

from flask import Response, jsonify, request, send_file

from tf_lu.errors import TfLuError
from tf_lu.web.inputs import NotFound, first_box, output_format, tracker_choice
from tf_lu.web.job_outputs import box_file_name, box_file_text, video_file_name

STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
PAGE_FILES = {"/": ("index.html", "text/html"), "/app.js": ("app.js", "text/javascript"),
              "/results.js": ("results.js", "text/javascript"), "/style.css": ("style.css", "text/css")}


def read_page_files():
    """``{url: (bytes, mimetype)}`` of the page's files, read once from the package."""
    files = {}
    for url, (name, mimetype) in PAGE_FILES.items():
        with open(os.path.join(STATIC_DIR, name), "rb") as handle:
            files[url] = (handle.read(), mimetype)
    return files


def picture(data, mimetype):
    return Response(data, mimetype=mimetype, headers={"Cache-Control": "no-store"})


def attachment(text, name):
    return Response(text, mimetype="text/plain",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


def register_pages(app):
    files = read_page_files()

    def page_file():
        data, mimetype = files[request.url_rule.rule]
        return Response(data, mimetype=mimetype, headers={"Cache-Control": "no-cache"})

    for url in files:
        app.add_url_rule(url, f"page{url}", page_file)


def register_sources(app, offered, sources, max_upload_bytes):
    @app.get("/api/config")
    def config():
        return jsonify(trackers=[{"name": label, "response": not name.startswith("opencv-")}
                                 for label, name in offered.items()], max_upload_bytes=max_upload_bytes)

    @app.get("/api/sources")
    def list_sources():
        return jsonify(sources=sources.list())

    @app.post("/api/sources")
    def upload():
        upload = request.files.get("video")
        if upload is None or not upload.filename:
            raise TfLuError("choose a video file to upload")
        return jsonify(sources.add_upload(upload.filename, upload.save).describe())

    @app.get("/api/sources/<source_id>/first")
    def first_frame(source_id):
        return picture(sources.get(source_id).first_jpeg, "image/jpeg")


def _body():
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise TfLuError("the request must be a JSON object")
    return body


def _ended(job):
    if job.running:
        raise TfLuError("the job is still tracking; downloads come when it ends (or press Stop)")
    return job


def _tracker_index(job, tracker):
    if not 0 <= tracker < len(job.labels):
        raise NotFound(f"the job has no tracker {tracker}")
    return tracker


def register_jobs(app, offered, sources, jobs):
    @app.post("/api/jobs")
    def start_job():
        body = _body()
        source = sources.get(body.get("source"))
        labels = tracker_choice(body.get("trackers"), list(offered))
        box = first_box(body.get("box"), source.width, source.height)
        job = jobs.start(source, labels, box, output_format(body.get("output")))
        job.update(response_on=bool(body.get("response")))
        return jsonify(job.snapshot())

    @app.get("/api/jobs/<job_id>")
    def job_state(job_id):
        return jsonify(jobs.get(job_id).snapshot(request.args.get("since", 0, type=int)))

    @app.post("/api/jobs/<job_id>/stop")
    def stop_job(job_id):
        job = jobs.get(job_id)
        job.stop_requested.set()
        return jsonify(job.snapshot(len(job.rows)))

    @app.post("/api/jobs/<job_id>/response")
    def toggle_response(job_id):
        job = jobs.get(job_id)
        job.update(response_on=bool(_body().get("on")))
        return jsonify(on=job.response_on)

    @app.get("/api/jobs/<job_id>/frames/<int:index>")
    def job_frame(job_id, index):
        return picture(jobs.get(job_id).frame_jpeg(index), "image/jpeg")

    @app.get("/api/jobs/<job_id>/responses/<int:tracker>")
    def job_response(job_id, tracker):
        job = jobs.get(job_id)
        return picture(job.response_png(_tracker_index(job, tracker)), "image/png")

    @app.get("/api/jobs/<job_id>/boxes/<int:tracker>")
    def job_boxes(job_id, tracker):
        job = _ended(jobs.get(job_id))
        tracker = _tracker_index(job, tracker)
        return attachment(box_file_text(job.boxes(tracker)), box_file_name(job.source.name, job.labels[tracker]))

    @app.get("/api/jobs/<job_id>/video")
    def job_video(job_id):
        job = _ended(jobs.get(job_id))
        if job.video_path is None:
            raise NotFound("this job wrote no annotated video")
        return send_file(job.video_path, as_attachment=True, download_name=video_file_name(job.source.name, job.output),
                         max_age=0)
