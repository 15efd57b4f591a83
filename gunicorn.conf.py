"""Gunicorn settings read from the repository root (``gunicorn -w 2 app:server``).

preload_app: the package is loaded and validated once, in the master, before the workers fork: the workers
share its memory, and a bad package stops the server with one line naming file, row and column instead of
every worker failing to boot with a traceback.
"""

import contextlib
import ctypes
import gc
import os

# Arrow allocates through the C library's malloc instead of its own pool, so the buffers freed once the package
# is read go back to the system before the workers fork (with mimalloc they stayed in every worker's RSS).
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

preload_app = True
limit_request_line = 8190  # request lines (and so access-log lines) stay bounded
limit_request_field_size = 8190


def release_memory() -> None:
    """Give back to the system what loading the package freed (≈ 60 MB nationally) before the workers copy it."""
    gc.collect()
    with contextlib.suppress(Exception):
        import pyarrow

        pyarrow.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def pre_fork(server, worker):
    """Memory released, then everything loaded so far (package, geometry, Dash) moved to a generation the collector
    never scans: a collection in a worker then does not write to those objects, so their pages stay shared with
    the master instead of being copied into every worker."""
    release_memory()
    gc.freeze()


def post_worker_init(worker):
    """Warm the map colourings in the background (callbacks/map_files.py: ``warm``) so that the first visitor of
    an indicator finds it computed. With Redis the workers share the cache and the first worker warms it for all;
    without, each worker warms its own."""
    from callbacks.map_files import start_warming

    if worker.age == 1 or not os.environ.get("ATLAS_REDIS_URL"):
        start_warming(worker.wsgi)
