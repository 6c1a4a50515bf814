"""``tf-lu app``: a local web page to track an object through your own video.

Open a video (an upload, or a sequence from the folder the server was pointed at), drag the first box on the first
frame, pick trackers and watch their boxes come back frame by frame; download the boxes (OTB format) and an annotated
MP4 or GIF; where the sequence has ground truth, see AUC, precision and the success plot.

Modules: :mod:`.inputs` (checking what a page sends), :mod:`.sources` (videos and sequences a page may open,
uploads kept in the server's temporary folder), :mod:`.lockstep` (several trackers advanced frame by frame through
the one tracking loop), :mod:`.response_map` (a Siamese tracker's response as a picture), :mod:`.job_outputs`
(box files, the annotated video, the scores), :mod:`.jobs` (a job's state and the store of jobs),
:mod:`.job_run` (what a job's background thread does), :mod:`.encode` (JPEG / PNG for the page), :mod:`.routes`
(the HTTP API), :mod:`.server` (the Flask app and the serving loop) and the page itself in ``static/`` (plain HTML,
JavaScript and CSS; nothing is fetched from the internet).
"""
