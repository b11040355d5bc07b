"""Background jobs: inline, in a thread, and through RQ on the real Redis."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from app.extensions import db
from app.jobs import JobOutput, enqueue, job_kind
from app.jobs.registry import JOB_KINDS
from app.models import Job, JobStatus
from tests.factories import UserFactory
from tests.jobs.helpers import enqueue_in_request

KIND = "test.count-to"

if KIND not in JOB_KINDS:

    @job_kind(KIND)
    def count_to(context, n: int, fail: bool = False) -> JobOutput:
        for i in range(n):
            context.progress(i + 1, n, f"{i + 1} of {n}")
        if fail:
            raise RuntimeError("boom")
        return JobOutput(data=f"counted to {n}".encode(), filename="count.txt", mimetype="text/plain", summary={"n": n})


def test_inline_job_reports_progress_and_result_is_kept_until_downloaded(client, login):
    user = UserFactory()
    db.session.commit()
    job = enqueue(KIND, owner=user, title="Counting", params={"n": 5})
    db.session.refresh(job)
    assert job.status == JobStatus.DONE and job.progress == 1.0 and job.result == {"n": 5}
    login(user)
    assert client.get(f"/jobs/{job.id}.json").json["download"] is True
    assert "Counting" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
    first = client.get(f"/jobs/{job.id}/download")
    assert first.status_code == 200 and first.data == b"counted to 5"
    assert client.get(f"/jobs/{job.id}/download").status_code == 410


def test_failed_job_says_why(app_ctx):
    user = UserFactory()
    db.session.commit()
    job = enqueue(KIND, owner=user, params={"n": 2, "fail": True})
    db.session.refresh(job)
    assert job.status == JobStatus.FAILED and "boom" in job.message


def test_someone_else_cannot_see_a_job(client, login):
    owner, other = UserFactory(), UserFactory()
    db.session.commit()
    job = enqueue(KIND, owner=owner, params={"n": 1})
    login(other)
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404


def test_thread_mode_finishes_in_the_background(app_ctx):
    user = UserFactory()
    db.session.commit()
    app_ctx.config["JOBS_MODE"] = "thread"
    try:
        job_id = enqueue_in_request(app_ctx, KIND, owner=user, params={"n": 3})
    finally:
        app_ctx.config["JOBS_MODE"] = "inline"
    for _ in range(200):
        db.session.expire_all()
        if db.session.get(Job, job_id).finished:
            break
        time.sleep(0.05)
    assert db.session.get(Job, job_id).status == JobStatus.DONE


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.skip("TEST_REDIS_URL is not set: the RQ path needs a Redis server")
    from redis import Redis

    try:
        Redis.from_url(url).ping()
    except Exception as error:  # noqa: BLE001
        pytest.skip(f"Redis at {url} does not answer: {error}")
    return url


def test_rq_path_on_real_redis(app_ctx, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from app.jobs import service

    user = UserFactory()
    db.session.commit()
    queue_name = f"datavet-test-{uuid.uuid4().hex[:8]}"
    app_ctx.config.update(JOBS_MODE="rq", REDIS_URL=redis_url)
    original, service.QUEUE_NAME = service.QUEUE_NAME, queue_name
    connection = Redis.from_url(redis_url)
    try:
        job_id = enqueue_in_request(app_ctx, KIND, owner=user, params={"n": 4})
        assert db.session.get(Job, job_id).status == JobStatus.QUEUED
        assert len(Queue(queue_name, connection=connection)) == 1
        SimpleWorker([queue_name], connection=connection).work(burst=True)
    finally:
        service.QUEUE_NAME = original
        app_ctx.config.update(JOBS_MODE="inline", REDIS_URL="")
        Queue(queue_name, connection=connection).delete(delete_jobs=True)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == JobStatus.DONE and job.result == {"n": 4}
