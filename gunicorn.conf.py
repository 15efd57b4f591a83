"""Gunicorn settings read from the repository root (``gunicorn -w 2 app:server``).

preload_app: the package is loaded and validated once, in the master, before the workers fork: the workers
share its memory, and a bad package stops the server with one line naming file, row and column instead of
every worker failing to boot with a traceback.
"""

preload_app = True
limit_request_line = 8190  # request lines (and so access-log lines) stay bounded
limit_request_field_size = 8190
