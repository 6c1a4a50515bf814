"""Track your own video in the browser: a local web page to draw the first box, run trackers side by side and take
the boxes and an annotated video away.

    tf-lu app [--host 127.0.0.1] [--port 8765] [--data FOLDER] [--trackers a,b,c] [--max-upload-mb 200]

Prints the page's address.  The page offers the sequences of --data (OTB-layout folders and video files; default:
the demo's generated sequences) and any video you upload; uploads and outputs live in a temporary folder that is
removed when the server stops.  The server answers only this machine unless --host says otherwise.
"""
from tf_lu.cli import checks
from tf_lu.cli.common import comma_list


def add_arguments(parser):
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the "
                             "network)")
    parser.add_argument("--port", type=checks.within(0, 65535, int), default=8765, help="port (default 8765; 0 picks a free one)")
    parser.add_argument("--data", metavar="FOLDER", type=checks.input_folder,
                        help="offer the OTB-layout sequences and video files in FOLDER (default: the demo's "
                             "generated sequences)")
    parser.add_argument("--trackers",
                        help="comma-separated tracker names or tracker config files to offer (default: every shipped "
                             "name)")
    parser.add_argument("--max-upload-mb", type=checks.within(0.001, 1e6), default=200, help="largest upload in MB (default 200)")
    parser.add_argument("--max-jobs", type=checks.positive_int, default=4, help="most tracking jobs at once (default 4)")
    parser.add_argument("--log-requests", action="store_true", help="log every HTTP request on stderr")


def run(args):
    checks.trackers(comma_list(args.trackers))
    from tf_lu.web.server import run_app
    try:
        run_app(args.host, args.port, comma_list(args.trackers), args.data, args.max_upload_mb, args.max_jobs,
                args.log_requests, on_ready=lambda line: print(line, flush=True))
    except KeyboardInterrupt:           # Ctrl+C before the server was up
        print("tf-lu app: stopped")
