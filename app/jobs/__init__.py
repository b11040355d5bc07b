"""Background jobs: long work (PDF packs, sample-batch analyses) with progress shown to the user.

A job kind is a function registered with :func:`job_kind`; it receives a :class:`JobContext`
(to report progress) and the job's params, and returns a :class:`JobOutput`. With ``REDIS_URL``
set, jobs go to an RQ queue served by ``flask jobs worker``; otherwise they run in a thread of
the web process (``JOBS_MODE=inline`` runs them within the request, for tests).
"""

from __future__ import annotations

from app.jobs.registry import JobContext, JobOutput, job_kind
from app.jobs.service import enqueue, result_path, run_job

__all__ = ["JobContext", "JobOutput", "enqueue", "job_kind", "result_path", "run_job"]
