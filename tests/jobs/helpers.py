"""Starting a job as a request does: queued by the view, started once the request commits."""

from __future__ import annotations

from app.jobs import enqueue


def enqueue_in_request(app, kind: str, **kwargs) -> str:
    """Enqueue inside a request and let the request's commit point start the job; returns its id."""
    with app.test_request_context():
        job_id = enqueue(kind, **kwargs).id
        app.process_response(app.response_class())
    return job_id
