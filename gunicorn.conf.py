"""Gunicorn settings read from the repository root (``gunicorn -w 2 app:server``).

preload_app: the package is loaded and validated once, in the master, before the workers fork: the workers
share its memory, and a bad package stops the server with one line naming file, row and column instead of
every worker failing to boot with a traceback.
"""

import gc
import os

preload_app = True
limit_request_line = 8190  # request lines (and so access-log lines) stay bounded
limit_request_field_size = 8190


def pre_fork(server, worker):
    """Everything loaded so far (package, geometry, Dash) moves to a generation the collector never scans: a
    collection in a worker then does not write to those objects, so their pages stay shared with the master
    instead of being copied into every worker."""
    gc.freeze()


def post_worker_init(worker):
    """Warm the map colourings in the background (callbacks/map_files.py: ``warm``) so that the first visitor of
    an indicator finds it computed. With Redis the workers share the cache and the first worker warms it for all;
    without, each worker warms its own."""
    from callbacks.map_files import start_warming

    if worker.age == 1 or not os.environ.get("ATLAS_REDIS_URL"):
        start_warming(worker.wsgi)
