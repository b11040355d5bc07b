"""A batch set against the vendor's answers: verified answers, contradictions where evaluators look."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from app.extensions import db
from app.models import Answer, EvidenceLevel, ResponseStatus, SampleBatch
from app.models.base import utcnow
from app.sample_batches.findings import sample_findings, sample_summary, scorecard_samples
from tests.app.helpers import complete_response
from tests.sample_batches import archives
from tests.sample_batches.test_uploads import upload

CLAIMS = {
    "COV-02": [{"locale": "de-DE", "contributors": 100, "hours": 40}],
    "COV-03": [
        {"locale": "de-DE", "category": "female", "contributors": 50},
        {"locale": "de-DE", "category": "male", "contributors": 50},
    ],
    "COV-08": 20,  # the batch has one contributor with 40 % of the items
    "PRO-06": ["contributor_pseudonym", "locale", "consent_version"],
    "QA-04": [
        {"metric": "SNR", "threshold": "< 15 dB", "action": "recollect", "reported": True},
        {"metric": "Sample rate", "threshold": "16 kHz", "action": "recollect", "reported": True},
    ],
}
CONTRADICTION = "c00 supplies 8 of 20 items (40%)"


def answer(response, question_id: str, value) -> Answer:
    row = db.session.scalar(
        sa.select(Answer).where(Answer.response_id == response.id, Answer.question_id == question_id)
    )
    if row is None:
        row = Answer(response_id=response.id, question_id=question_id, value=value)
        db.session.add(row)
    row.value = value
    return row


def levels(response) -> dict[str, str]:
    db.session.expire_all()
    return {
        a.question_id: a.evidence_level.value
        for a in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id))
    }


def submit_and_unseal(world) -> None:
    world.response_a.status, world.response_a.submitted_at = ResponseStatus.SUBMITTED, utcnow()
    world.evaluation.deadline = utcnow() - timedelta(hours=1)
    db.session.commit()


@pytest.fixture
def analysed(audio_required, client, login):
    """Vendor A answered CLAIMS and uploaded the audio batch (measured inline), then signed out."""
    world = audio_required
    for question_id, value in CLAIMS.items():
        answer(world.response_a, question_id, value)
    db.session.commit()
    login(world.vendor_a)
    assert upload(client, world.response_a, "audio", archives.audio_batch()).status_code == 302
    client.post("/logout")
    return world


def test_answers_the_batch_confirms_are_verified_and_the_others_contradicted(analysed):
    world = analysed
    assert levels(world.response_a) == {
        "COV-02": "verified",
        "COV-03": "verified",
        "PRO-06": "verified",
        "QA-04": "verified",
        "COV-08": "self_attested",
    }
    findings = sample_findings(world.response_a)
    [share] = findings["COV-08"]
    assert share.verdict == "contradicted" and share.modality == "audio"
    assert share.claimed == 20 and share.measured == 40.0 and CONTRADICTION in share.message
    assert {f.verdict for f in findings["QA-04"]} == {"verified"}
    summary = sample_summary(world.response_a)
    assert summary.verified_questions == ("COV-02", "COV-03", "PRO-06", "QA-04")
    assert summary.contradicted_questions == ("COV-08",) and summary.missing == ("Texts",)


def test_a_contradiction_undoes_an_earlier_verification(analysed, client, login):
    world = analysed
    answer(world.response_a, "QA-04", [{"metric": "SNR", "threshold": "< 30 dB", "action": "recollect"}])
    db.session.commit()
    login(world.vendor_a)
    assert client.post(f"/responses/{world.response_a.id}/samples/audio/analyse").status_code == 302
    assert levels(world.response_a)["QA-04"] == "self_attested"
    assert levels(world.response_a)["COV-02"] == "verified"
    [snr] = sample_findings(world.response_a)["QA-04"]
    assert snr.verdict == "contradicted" and "under 30 dB SNR are rejected" in snr.message


def test_contradiction_shown_beside_the_answer_on_the_evaluators_page(analysed, client, login):
    world = analysed
    submit_and_unseal(world)
    login(world.evaluator)
    client.post(f"/reviews/{world.response_a.id}", data={"declaration": "no_conflict"})
    page = client.get(f"/reviews/{world.response_a.id}").get_data(as_text=True)
    assert "contradicted by sample" in page and "Answers contradicted: <strong>COV-08</strong>" in page
    view = client.get(f"/responses/{world.response_a.id}/view").get_data(as_text=True)
    block = view[view.index('id="answer-COV-08"') :]
    block = block[: block.index('class="question"')]
    assert "contradicted by sample" in block and CONTRADICTION in block
    verified = view[view.index('id="answer-COV-02"') :]
    assert "verified by sample" in verified[: verified.index('class="question"')]


def test_contradiction_in_the_pdf_scorecard(analysed, client, login):
    world = analysed
    submit_and_unseal(world)
    login(world.buyer)
    pdf = client.get(f"/evaluations/{world.evaluation.id}/vendors/{world.response_a.id}/scorecard.pdf")
    assert pdf.status_code == 200
    reader = PdfReader(io.BytesIO(pdf.data))
    flat = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Sample batch" in flat and "Contradicted: COV-08" in flat
    assert CONTRADICTION in flat and "Not uploaded: Texts" in flat
    assert len(reader.pages) == 1, "the scorecard stays on one page"


def test_no_section_without_sample_batches(world):
    assert scorecard_samples(world.response_b.id) is None and scorecard_samples(10**6) is None


def test_text_batch_contradicts_claimed_redaction(audio_required, client, login):
    world = audio_required
    answer(world.response_a, "TXT-02", "automatic")
    db.session.commit()
    login(world.vendor_a)
    assert upload(client, world.response_a, "text", archives.text_batch(), name="texts.tar.gz").status_code == 302
    batch = db.session.scalar(sa.select(SampleBatch).where(SampleBatch.modality == "text"))
    assert batch.report["aggregate"]["language_matched"] == 5 and batch.report["aggregate"]["pii_items"] == ["t4"]
    [pii] = sample_findings(world.response_a)["TXT-02"]
    assert pii.verdict == "contradicted"
    assert "1 of 5 texts (20%) contain an e-mail, phone, IBAN or card number pattern" in pii.message
    assert levels(world.response_a)["TXT-02"] == EvidenceLevel.SELF_ATTESTED.value


def test_an_answer_changed_after_the_analysis_is_no_longer_verified_at_submission(analysed, client, login):
    world = analysed
    assert levels(world.response_a)["COV-02"] == "verified"
    login(world.vendor_a)
    complete_response(client, world.response_a)
    answer(
        world.response_a,
        "COV-02",
        [{"locale": "de-DE", "contributors": 100, "hours": 40}, {"locale": "en-US", "contributors": 900, "hours": 400}],
    )
    db.session.commit()
    assert client.post(f"/responses/{world.response_a.id}/submit").status_code == 302
    assert levels(world.response_a)["COV-02"] != "verified", "the batch measured other numbers than those submitted"
