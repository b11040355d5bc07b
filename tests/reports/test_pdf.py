"""PDF scorecards and the comparison pack: text in every script, page images, the background job."""

from __future__ import annotations

import io
import shutil
import subprocess
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from app.extensions import db
from app.models import AuditEvent, Job, JobStatus, User
from app.reports.pack import PACK_JOB
from app.reports.ranking import compute_results
from tests.jobs.helpers import enqueue_in_request
from tests.reports.conftest import ARABIC_TITLE

SCRIPT_FONTS = ("Noto-Sans-CJK", "Noto-Sans-Devanagari", "Noto-Sans-Thai", "Noto-Sans-Arabic")


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _assert_arabic_title(text: str) -> None:
    # Right-to-left text comes out of a PDF in visual order around the number; the words are all there.
    for word in ARABIC_TITLE.split():
        assert word in text


@pytest.mark.slow
def test_scorecard_in_every_script_renders_with_the_right_fonts_on_one_page(client, multiscript, demo_user, tmp_path):
    demo_user("buyer@acme.example")
    results = compute_results(multiscript)
    for vendor in results.ranked + results.disqualified:
        answer = client.get(f"/evaluations/{multiscript.id}/vendors/{vendor.response_id}/scorecard.pdf")
        assert answer.status_code == 200 and answer.mimetype == "application/pdf"
        assert len(PdfReader(io.BytesIO(answer.data)).pages) == 1, f"{vendor.vendor}'s scorecard fits one page"
        text = _text(answer.data)
        assert vendor.vendor in text and f"{vendor.total:.1f}" in text
        assert (f"rank {vendor.rank} of {len(results.ranked)}" if vendor.rank else "not ranked") in text
        assert "Must-haves" in text and "Coverage" in text and "ja-JP" in text
        _assert_arabic_title(text)
    fonts = _fonts(answer.data)
    assert any("Noto-Sans-Thai" in f for f in fonts) and any("Noto-Sans-Arabic" in f for f in fonts)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "export.downloaded", AuditEvent.subject.like("scorecard:%"))
        )
        == 3
    )

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: the Makefile installs it")
    (tmp_path / "card.pdf").write_bytes(answer.data)
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            "-png",
            "-singlefile",
            str(tmp_path / "card.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    with Image.open(tmp_path / "page.png") as image:
        grey = image.convert("L")
        inked = sum(grey.histogram()[:200])  # pixels darker than light grey
        assert grey.size[0] > 250 and inked > 0.01 * grey.size[0] * grey.size[1], "page 1 is not blank"


@pytest.mark.slow
def test_comparison_pack_is_made_in_the_background_and_kept_until_downloaded(client, multiscript, demo_user):
    buyer = demo_user("buyer@acme.example")
    started = client.post(f"/evaluations/{multiscript.id}/comparison/pack")
    assert started.status_code == 302 and "/jobs/" in started.headers["Location"]
    job = db.session.scalar(sa.select(Job).where(Job.kind == PACK_JOB))
    assert job.owner_id == buyer.id and job.status == JobStatus.DONE and job.progress == 1.0
    assert client.get(f"/jobs/{job.id}.json").json["download"] is True
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pdf = download.data
    text = _text(pdf)
    results = compute_results(multiscript)
    for vendor in results.ranked + results.disqualified:
        assert vendor.vendor in text and f"{vendor.total:.1f}" in text
    for heading in (
        "Executive summary",
        "Ranking",
        "Section comparison",
        "Coverage: required locales",
        "Robustness of the ranking",
        "Rank acceptability",
        "Evaluator agreement",
        "Appendix A · Methodology",
        "Scoring rules",
        "Evaluators",
        "Appendix B · Audit summary",
    ):
        assert heading in text, heading
    assert "Eva Evaluator" in text and "response.submitted" in text and "intact" in text
    _assert_arabic_title(text)
    fonts = _fonts(pdf)
    for family in SCRIPT_FONTS:
        assert any(family in font for font in fonts), f"{family} is embedded"
    assert client.get(f"/jobs/{job.id}/download").status_code == 410, "the file is gone once downloaded"
    actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.evaluation_id == multiscript.id)))
    assert {"export.requested", "export.downloaded"} <= actions


def test_comparison_pack_through_rq_on_real_redis(app_ctx, demo, redis_url):
    from redis import Redis
    from rq import Queue, SimpleWorker

    from app.jobs import service

    owner = db.session.scalar(sa.select(User).where(User.email == "buyer@acme.example"))
    queue_name = f"datavet-test-{uuid.uuid4().hex[:8]}"
    app_ctx.config.update(JOBS_MODE="rq", REDIS_URL=redis_url)
    original, service.QUEUE_NAME = service.QUEUE_NAME, queue_name
    connection = Redis.from_url(redis_url)
    try:
        job_id = enqueue_in_request(
            app_ctx,
            PACK_JOB,
            owner=owner,
            title="Pack",
            evaluation_id=demo.id,
            params={"evaluation_id": demo.id, "requested_by": "Bea Buyer"},
        )
        assert db.session.get(Job, job_id).status == JobStatus.QUEUED
        assert len(Queue(queue_name, connection=connection)) == 1
        SimpleWorker([queue_name], connection=connection).work(burst=True)
    finally:
        service.QUEUE_NAME = original
        app_ctx.config.update(JOBS_MODE="inline", REDIS_URL="")
        Queue(queue_name, connection=connection).delete(delete_jobs=True)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == JobStatus.DONE, job.message
    assert job.result["vendors"] == 3 and job.result_name.endswith(".pdf")
    pdf = service.result_path(job).read_bytes()
    assert pdf.startswith(b"%PDF") and "Polyglot Voices Ltd" in _text(pdf)
