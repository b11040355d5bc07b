"""`flask evaluation export` / `import`: one archive restores an evaluation identically into an empty database."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import audit
from app.backup import archive
from app.extensions import db
from app.models import AuditEvent, Invitation, User
from tests.factories import EvaluationFactory
from tests.security.test_audit_trail import _walk_through_an_evaluation

HOSTILE = "<script>alert('x')</script> =HYPERLINK(\"http://evil.example\")"


def _contents(path: Path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as zipped:
        document = json.loads(zipped.read(archive.DATA_NAME))
        files = {name: zipped.read(name) for name in zipped.namelist() if name not in (archive.DATA_NAME,)}
    return document, files


@pytest.fixture
def busy_evaluation(client, login, world):
    """An evaluation with every kind of row, with other evaluations' events chained in between."""
    other = EvaluationFactory(organisation=world.buyer_org, title="Unrelated evaluation")
    db.session.flush()
    audit.record("evaluation.created", actor=world.buyer, evaluation_id=other.id, details={"title": other.title})
    invitation_mail = "contact@vendor-a.example"
    db.session.add(
        Invitation(
            evaluation=world.evaluation,
            vendor_organisation=world.response_a.vendor_organisation,
            email=invitation_mail,
            token_hash="a" * 64,
            expires_at=world.evaluation.deadline,
        )
    )
    world.evaluation.description = HOSTILE
    db.session.commit()
    _walk_through_an_evaluation(client, login, world)
    audit.record("evaluation.created", actor=world.buyer, evaluation_id=other.id, details={"again": True})
    db.session.commit()
    client.post("/logout")
    return world.evaluation


def test_export_then_import_into_an_empty_database_is_identical(busy_evaluation, runner, fresh_app, tmp_path):
    first = tmp_path / "backup.zip"
    result = runner.invoke(args=["evaluation", "export", str(busy_evaluation.id), "--out", str(first)])
    assert result.exit_code == 0, result.output
    exported, exported_files = _contents(first)
    assert exported["tables"]["answer"] and exported["tables"]["score"] and exported["tables"]["consensus_score"]
    assert all("token_hash" not in row for row in exported["tables"]["invitation"])
    assert all("password_hash" not in row for row in exported["tables"]["user_account"])
    assert not any("Unrelated" in json.dumps(row) for row in exported["tables"]["audit_event"])
    for row in exported["tables"]["attachment"]:
        assert hashlib.sha256(exported_files[f"evidence/{row['stored_name']}"]).hexdigest() == row["sha256"]

    restored_app = fresh_app("restored")
    second = tmp_path / "again.zip"
    with restored_app.app_context():  # CLI commands run in the app context already pushed
        restored = restored_app.test_cli_runner()
        result = restored.invoke(args=["evaluation", "import", str(first)])
        assert result.exit_code == 0, result.output
        result = restored.invoke(args=["evaluation", "export", str(busy_evaluation.id), "--out", str(second)])
        assert result.exit_code == 0, result.output
        assert restored.invoke(args=["audit", "verify"]).exit_code == 0, "the restored trail verifies"
        assert (
            db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.password_hash.is_not(None))) == 0
        )
        assert "a" * 64 not in db.session.scalars(sa.select(Invitation.token_hash)).all()
        db.session.remove()
    again, again_files = _contents(second)

    for name, table in exported["tables"].items():
        if name != "audit_event":
            assert again["tables"][name] == table, f"{name} differs after the round trip"
    assert set(again["tables"]) == set(exported["tables"])
    events, events_again = exported["tables"]["audit_event"], again["tables"]["audit_event"]
    assert events_again[: len(events)] == events
    assert [e["action"] for e in events_again[len(events) :]] == ["evaluation.restored", "evaluation.exported"]
    assert {k: v for k, v in again_files.items() if k != archive.SUMS_NAME} == {
        k: v for k, v in exported_files.items() if k != archive.SUMS_NAME
    }


def test_import_refuses_a_database_that_is_not_empty(busy_evaluation, runner, tmp_path):
    path = tmp_path / "backup.zip"
    runner.invoke(args=["evaluation", "export", str(busy_evaluation.id), "--out", str(path)])
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    result = runner.invoke(args=["evaluation", "import", str(path)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


def _rewrite(source: Path, target: Path, change, *, fix_sums: bool) -> None:
    """Copy an archive, changing the JSON document (and, if asked, keeping SHA256SUMS consistent)."""
    with zipfile.ZipFile(source) as zipped:
        members = {name: zipped.read(name) for name in zipped.namelist()}
    document = json.loads(members[archive.DATA_NAME])
    change(document, members)
    members[archive.DATA_NAME] = json.dumps(document).encode()
    if fix_sums:
        members[archive.SUMS_NAME] = "".join(
            f"{hashlib.sha256(content).hexdigest()}  {name}\n"
            for name, content in members.items()
            if name != archive.SUMS_NAME
        ).encode()
    with zipfile.ZipFile(target, "w") as zipped:
        for name, content in members.items():
            zipped.writestr(name, content)


def _forge_answer(document, members):
    document["tables"]["answer"][0]["value"] = "forged"


def _forge_event(document, members):
    document["tables"]["audit_event"][0]["details"] = {"forged": True}


def _forge_file(document, members):
    name = next(n for n in members if n.startswith("evidence/"))
    members[name] = b"forged evidence"


def _traversal(document, members):
    row = document["tables"]["attachment"][0]
    members[f"evidence/../../{row['stored_name']}"] = members.pop(f"evidence/{row['stored_name']}")
    row["stored_name"] = f"../../{row['stored_name']}"


@pytest.mark.parametrize(
    ("change", "fix_sums", "reason"),
    [
        (_forge_answer, False, "does not match its SHA-256"),
        (_forge_event, True, "audit trail does not verify"),
        (_forge_file, True, "SHA-256"),
        (_traversal, True, "unsafe file"),
    ],
)
def test_import_refuses_altered_archives(busy_evaluation, runner, fresh_app, tmp_path, change, fix_sums, reason):
    original = tmp_path / "backup.zip"
    runner.invoke(args=["evaluation", "export", str(busy_evaluation.id), "--out", str(original)])
    altered = tmp_path / "altered.zip"
    _rewrite(original, altered, change, fix_sums=fix_sums)
    target = fresh_app("target")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["evaluation", "import", str(altered)])
        assert result.exit_code == 1 and reason in result.output, result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == 0
        db.session.remove()
    assert not [p for p in Path(target.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()], "no file was written"


def test_import_rejects_what_is_not_a_backup(fresh_app, tmp_path):
    bogus = tmp_path / "not-a-backup.zip"
    bogus.write_bytes(b"PK\x03\x04 but not really a zip")
    target = fresh_app("target")
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["evaluation", "import", str(bogus)])
    assert result.exit_code == 1 and "not a DataVet backup" in result.output


def test_export_of_an_unknown_evaluation_fails_cleanly(runner, tmp_path):
    result = runner.invoke(args=["evaluation", "export", "999999", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "No evaluation" in result.output
    assert not (tmp_path / "x.zip").exists()


def test_export_stops_when_an_evidence_file_is_missing(busy_evaluation, runner, tmp_path, app):
    from app.models import Attachment

    stored = db.session.scalar(sa.select(Attachment.stored_name))
    (Path(app.config["UPLOAD_FOLDER"]) / stored).unlink()
    result = runner.invoke(args=["evaluation", "export", str(busy_evaluation.id), "--out", str(tmp_path / "x.zip")])
    assert result.exit_code == 1 and "missing" in result.output
    assert not (tmp_path / "x.zip").exists()
