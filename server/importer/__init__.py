"""Imports as jobs: a file is read row by row, in batches that each commit with the
job's progress, so a job can be watched while it runs, and resumed where it stopped
after its process died. Nothing here holds the whole file or its report in memory.

A job is `queued`, `running` (with a heartbeat), then `done`, `failed` (with how far
it got) or `discarded`. The workspace runs jobs in a background thread of the server
process; the command line runs them in the foreground with a progress bar.

What lives where:
  jobs        a job's row, its per-row report, resume and discard
  runner      running a job in batches; records held in memory as one job
  duplicates  likely duplicates of claims already stored
  background  the server's background thread, and jobs whose process died
The file formats themselves are read by server/formats.py.
"""

from .background import HEARTBEAT_TIMEOUT, mark_dead, run_in_background
from .duplicates import text_key
from .jobs import COUNT_KEYS, REPORT_PAGE, create_job, discard, get_job, job_rows, list_jobs, resume
from .runner import BATCH, import_records, run_job

__all__ = [
    "BATCH",
    "COUNT_KEYS",
    "HEARTBEAT_TIMEOUT",
    "REPORT_PAGE",
    "create_job",
    "discard",
    "get_job",
    "import_records",
    "job_rows",
    "list_jobs",
    "mark_dead",
    "resume",
    "run_in_background",
    "run_job",
    "text_key",
]
