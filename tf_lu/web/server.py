"""The Flask app of ``tf-lu app`` and the loop that serves it.

:func:`create_app` wires the sources, the jobs and the routes into one Flask app (tests use it in-process);
:func:`run_app` makes the server's temporary folder (uploads, generated sequences, job outputs), serves on
``host:port`` until interrupted and removes the folder.  Every error becomes a JSON ``{"error": message}`` answer:
a bad request never stops the server.
"""
import dataclasses
import logging
import os
import socket
import sys
import tempfile
import traceback
from typing import Callable, Optional

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.serving import make_server

from tf_lu.errors import TfLuError
from tf_lu.tracking import registry
from tf_lu.web.inputs import NotFound
from tf_lu.web.job_run import run_job
from tf_lu.web.jobs import JobStore
from tf_lu.web.routes import register_jobs, register_pages, register_sources
from tf_lu.web.sources import SourceStore

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_MAX_UPLOAD_MB = 200
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


@dataclasses.dataclass
class AppSettings:
    """What a server offers: ``trackers`` ``{label: registry name}``, the sequences of ``data_dir``, the folder
    for its files, the upload limit and how many jobs may track at once."""
    trackers: dict
    work_dir: str
    data_dir: Optional[str] = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_MB * 2 ** 20
    max_jobs: int = 4
    build: Callable = registry.build_tracker


def offered_trackers(names=None):
    """``{label: name}`` of the trackers to offer: ``names`` (shipped names or tracker config files), or every
    shipped name; an unknown name or a missing config file is a :class:`TfLuError`."""
    known = registry.tracker_names()
    offered = {}
    for name in names or known:
        if registry.is_config_path(name):
            registry.tracker_config_path(name)
        elif name not in known:
            raise TfLuError(f"unknown tracker {name!r}; known: {', '.join(known)}")
        offered[registry.tracker_label(name)] = name
    return offered


def _error_handlers(app, max_upload_bytes):
    @app.errorhandler(TfLuError)
    def user_error(exc):
        return jsonify(error=str(exc)), 404 if isinstance(exc, NotFound) else 400

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc):
        return jsonify(error=f"the file is larger than this server's upload limit of "
                             f"{max_upload_bytes / 2 ** 20:g} MB"), 413

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return jsonify(error=f"{exc.name}: {exc.description}"), exc.code

    @app.errorhandler(Exception)
    def internal_error(exc):
        traceback.print_exc(file=sys.stderr)
        return jsonify(error=f"internal error: {type(exc).__name__}: {exc}"), 500


def create_app(settings):
    """The Flask app for ``settings`` (an :class:`AppSettings`)."""
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    sources = SourceStore(os.path.join(settings.work_dir, "uploads"))
    if settings.data_dir:
        sources.add_folder(settings.data_dir)
    jobs = JobStore(os.path.join(settings.work_dir, "jobs"), max_running=settings.max_jobs,
                    run=lambda job: run_job(job, [settings.trackers[label] for label in job.labels], settings.build))
    register_pages(app)
    register_sources(app, settings.trackers, sources, settings.max_upload_bytes)
    register_jobs(app, settings.trackers, sources, jobs)
    _error_handlers(app, settings.max_upload_bytes)
    app.extensions["tf_lu"] = {"sources": sources, "jobs": jobs}
    return app


def demo_sequences(work_dir):
    """The demo's generated sequences (:func:`tf_lu.apps.demo.make_embedded_sequences`), written into
    ``work_dir/sequences``."""
    from tf_lu.apps.demo import make_embedded_sequences
    return make_embedded_sequences(os.path.join(work_dir, "sequences"))


def check_address(host, port):
    """A :class:`TfLuError` unless this machine can listen on ``host:port`` (werkzeug would exit the process)."""
    try:
        family, kind, protocol, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(where)
    except OSError as exc:
        raise TfLuError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None


def address(host, port):
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def run_app(host=DEFAULT_HOST, port=DEFAULT_PORT, trackers=None, data_dir=None, max_upload_mb=DEFAULT_MAX_UPLOAD_MB,
            max_jobs=4, log_requests=False, on_ready=print):
    """Serve the page on ``host:port`` until interrupted; ``on_ready(message)`` is told the address (and that the
    server stopped).  Each request is logged on stderr only with ``log_requests``."""
    if max_upload_mb <= 0 or max_jobs < 1:
        raise TfLuError("--max-upload-mb must be positive and --max-jobs at least 1")
    offered = offered_trackers(trackers)
    check_address(host, port)
    with tempfile.TemporaryDirectory(prefix="tf-lu-app-") as work_dir:
        if not data_dir:
            on_ready("tf-lu app: generating the demo's sequences (no --data given) ...")
            data_dir = demo_sequences(work_dir)
        settings = AppSettings(offered, work_dir, data_dir, int(max_upload_mb * 2 ** 20), max_jobs)
        app = create_app(settings)
        logging.getLogger("werkzeug").setLevel(logging.INFO if log_requests else logging.WARNING)
        try:
            server = make_server(host, port, app, threaded=True)
        except (OSError, SystemExit):          # taken in the meantime: werkzeug has said why
            raise TfLuError(f"cannot serve on {host}:{port}") from None
        if host not in LOOPBACK_HOSTS:
            on_ready(f"warning: serving on {host}: anyone who can reach this machine can use the page")
        on_ready(f"tf-lu app: open {address(host, server.port)} in a browser (Ctrl+C stops)")
        try:
            server.serve_forever()          # returns on Ctrl+C
        finally:
            app.extensions["tf_lu"]["jobs"].stop_all()
            server.server_close()
    on_ready("tf-lu app: stopped")
