"""Load and faults: vendor users autosaving against gunicorn + PostgreSQL while things break.

50 vendor contacts (one response each) autosave their answers for a minute through
POST /responses/<id>/autosave; in the middle one gunicorn worker is killed with SIGKILL
and PostgreSQL is restarted once. Every save the server acknowledged is then checked
against the database, every response is submitted, and the audit chain is verified.

    .venv/bin/python bench/load_faults.py                      # 50 users, 60 s, kill at 20 s, restart at 35 s
    .venv/bin/python bench/load_faults.py --users 10 --duration 20 --no-pg-restart
    .venv/bin/python bench/load_faults.py --write-readme       # also record the figures in bench/README.md

Each save appends a numbered token to the answer the vendor last saw acknowledged, so the
final answer must contain every acknowledged token, in order: a lost or overwritten save
shows as a missing token. A save whose outcome the client could not learn (connection cut,
server error) is sent again unchanged until acknowledged, as the editor does.

Loopback only (gunicorn binds 127.0.0.1); a throw-away database is created and dropped.
Restarting PostgreSQL needs root (``pg_ctlcluster``) and interrupts every other client of
that server for a few seconds. The run is bounded: clients stop at the end of the duration
plus a short grace period, and gunicorn is stopped whatever happens.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
QUESTIONS = ("COV-12", "PRO-01")  # the free-text answers the users keep typing into
PASSWORD = "bench password 2026"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
MARK_START, MARK_END = "<!-- load_faults:start -->", "<!-- load_faults:end -->"


class Http:
    """One user's keep-alive connection with its session cookie; reconnects after any failure."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.port, self.timeout, self.cookies, self.conn = port, timeout, {}, None

    def request(self, method: str, path: str, form: dict | None = None, accept: str = "text/html"):
        headers = {"Accept": accept, "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request(method, path, body=body, headers=headers)
            answer = self.conn.getresponse()
            data = answer.read()
        except Exception:
            if self.conn is not None:
                self.conn.close()
            self.conn = None
            raise
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return answer.status, data


@dataclass
class Save:
    user: int
    question: str
    token: str
    started: float
    latency: float


@dataclass
class Tally:
    acks: list[Save] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)  # (seconds since start when it failed, kind)
    unacknowledged: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _csrf(client: Http, path: str) -> str:
    status, body = client.request("GET", path)
    match = CSRF.search(body.decode())
    if status != 200 or not match:
        raise RuntimeError(f"GET {path} answered {status} without a form")
    return match.group(1)


def user_loop(
    port: int, email: str, response_id: int, t0: float, stop_at: float, interval: float, tally: Tally, final: dict
) -> None:
    """Sign in, then autosave one token after another until ``stop_at``; keep what was acknowledged."""
    client = Http(port)
    try:
        token = _csrf(client, "/login")
        status, _ = client.request("POST", "/login", {"csrf_token": token, "email": email, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"{email} could not sign in ({status})")
        token = _csrf(client, f"/responses/{response_id}")
    except Exception as error:  # noqa: BLE001
        with tally.lock:
            tally.errors.append((time.monotonic() - t0, f"could not start: {error}"))
        return
    state = {question: {"value": "", "revision": 0} for question in QUESTIONS}
    number = 0
    rng = random.Random(response_id)
    while time.monotonic() < stop_at:
        number += 1
        question = QUESTIONS[number % 2]
        piece = f"{number};"
        intended = state[question]["value"] + piece
        acknowledged = False
        while time.monotonic() < stop_at + 15 and not acknowledged:  # a grace period to settle the last save
            started = time.monotonic()
            form = {"csrf_token": token, f"rev.{question}": state[question]["revision"], f"q.{question}": intended}
            with tally.lock:
                tally.requests += 1
            try:
                status, body = client.request("POST", f"/responses/{response_id}/autosave", form, "application/json")
                reply = json.loads(body) if status == 200 else None
            except Exception as error:  # noqa: BLE001  (every failure is counted by kind)
                status, reply, kind = None, None, type(error).__name__
            else:
                kind = f"HTTP {status}"
            if reply is not None and reply.get("ok") and question in reply.get("revisions", {}):
                state[question] = {"value": intended, "revision": reply["revisions"][question]}
                with tally.lock:
                    tally.acks.append(Save(response_id, question, piece, started - t0, time.monotonic() - started))
                acknowledged = True
                continue
            if reply is not None and reply.get("conflicts"):
                kind = "conflict"  # never expected: one writer per response
            with tally.lock:
                tally.errors.append((time.monotonic() - t0, kind))  # when it failed, not when it was sent
            time.sleep(0.2 + rng.random() * 0.3)
        if not acknowledged:
            with tally.lock:
                tally.unacknowledged += 1
        time.sleep(interval * (0.5 + rng.random()))
    # Finally the vendor submits: every required answer is there by now.
    for _ in range(20):
        try:
            status, _ = client.request("POST", f"/responses/{response_id}/submit", {"csrf_token": token})
        except Exception:  # noqa: BLE001
            time.sleep(0.5)
            continue
        final[response_id] = status
        break


# --- the server side -----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database_url: str, workdir: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "datavet-bench-secret",
        "UPLOAD_FOLDER": str(workdir / "uploads"),
        "REDIS_URL": "",
        "MAIL_SERVER": "",
        "JOBS_MODE": "inline",
        "FLASK_APP": "wsgi.py",
        # The users all sign in from 127.0.0.1: the per-address sign-in limit is not what is measured.
        "LOGIN_RATE_LIMIT": "10000 per minute",
    }


def seed(app, users: int) -> list[tuple[str, int]]:
    """One buyer evaluation; per user a vendor organisation and a draft answered except the two texts."""
    from datetime import timedelta

    from app.demo import VENDOR_PROFILES, demo_answer
    from app.evaluations import invitations, services as evaluations
    from app.extensions import db
    from app.models import Answer, Organisation, OrganisationKind, Role, User
    from app.models.base import utcnow
    from app.questionnaires import store
    from app.questionnaires.answers import visible_questions
    from app.responses import services as responses
    from app.scoring.model import Requirements

    with app.app_context():
        store.import_directory(ROOT / "questionnaires")
        buyer_org = Organisation(name="Bench buyer", kind=OrganisationKind.BUYER)
        buyer = User(email="buyer@bench.example", role=Role.BUYER, organisation=buyer_org)
        buyer.set_password(PASSWORD)
        db.session.add_all([buyer_org, buyer])
        db.session.flush()
        version = next(v for v in store.latest_versions() if v.key == "data-collection-vendor")
        evaluation = evaluations.create_evaluation(
            owner=buyer,
            questionnaire=version,
            title="Load and faults",
            description="",
            sealed=True,
            deadline=utcnow() + timedelta(days=7),
            modalities=["speech", "text"],
        )
        parsed, accounts = store.parsed(version), []
        for n in range(users):
            vendor = Organisation(name=f"Bench vendor {n:02d}", kind=OrganisationKind.VENDOR)
            person = User(
                email=f"vendor{n:02d}@bench.example",
                role=Role.VENDOR,
                organisation=vendor,
                password_hash=buyer.password_hash,
            )
            db.session.add_all([vendor, person])
            response = invitations.ensure_response(evaluation, vendor)
            rng, answered = random.Random(n), {}
            for _ in range(3):  # conditional questions appear as earlier answers arrive
                shown = visible_questions(parsed, evaluation.modalities, responses.answer_values(response))
                for question in shown:
                    if question.id in answered or question.id in QUESTIONS:
                        continue
                    if question.type == "file":
                        answered[question.id] = [{"id": 0, "name": "consent.pdf", "sha256": "0" * 64, "size": 1}]
                        db.session.add(
                            Answer(response_id=response.id, question_id=question.id, value=answered[question.id])
                        )
                        continue
                    raw = demo_answer(
                        question, VENDOR_PROFILES[n % len(VENDOR_PROFILES)], Requirements.from_dict({}), rng
                    )
                    result = responses.save_answers(response, user=person, raw={question.id: raw}, revisions={})
                    if question.id in result.saved:
                        answered[question.id] = True
            accounts.append((person.email, response.id))
        db.session.commit()
        return accounts


def start_gunicorn(env: dict, port: int, workers: int, threads: int, log: Path) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--timeout",
        "30",
        "--graceful-timeout",
        "5",
        "wsgi:app",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Http(port, 2).request("GET", "/healthz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.kill()
    raise RuntimeError(f"gunicorn did not answer; see {log}")


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def restart_postgres(cluster: str) -> float:
    version, name = cluster.split()
    started = time.monotonic()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=True,
        timeout=120,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    return time.monotonic() - started


def verify(app, accounts: list[tuple[str, int]], tally: Tally) -> dict:
    """Every acknowledged token in the stored answers, in order; every save whole; the chain intact."""
    import sqlalchemy as sa

    from app import audit
    from app.extensions import db
    from app.models import Answer, AuditEvent, Response, ResponseStatus
    from app.responses import services

    acked: dict[tuple[int, str], list[str]] = {}
    for save in sorted(tally.acks, key=lambda s: int(s.token[:-1])):
        acked.setdefault((save.user, save.question), []).append(save.token)
    lost, out_of_order, half_written, submitted, incomplete = 0, 0, 0, 0, 0
    with app.app_context():
        stored = {
            (r, q): (v, rev)
            for r, q, v, rev in db.session.execute(
                sa.select(Answer.response_id, Answer.question_id, Answer.value, Answer.revision).where(
                    Answer.question_id.in_(QUESTIONS)
                )
            )
        }
        saves = Counter()
        for event in db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "answer.saved")):
            for question in set(event.details.get("questions", [])) & set(QUESTIONS):
                saves[(int(event.subject.split(":")[1]), question)] += 1
        for key, tokens in acked.items():
            value, revision = stored.get(key, ("", 0))
            pieces = (value or "").split(";")[:-1]
            lost += sum(1 for token in tokens if token[:-1] not in pieces)
            positions = [pieces.index(t[:-1]) for t in tokens if t[:-1] in pieces]
            out_of_order += positions != sorted(positions)
        for key, (_value, revision) in stored.items():
            # One save, one transaction: the answer's revision and the trail's count move together.
            half_written += revision != saves[key]
        for response in db.session.scalars(sa.select(Response).where(Response.id.in_([r for _, r in accounts]))):
            if response.status == ResponseStatus.SUBMITTED:
                submitted += 1
                incomplete += bool(services.missing_for_submission(response))
        chain = audit.verify_chain()
        db.session.remove()
    return {
        "acknowledged": len(tally.acks),
        "lost": lost,
        "out_of_order": out_of_order,
        "half_written": half_written,
        "submitted": submitted,
        "submitted_incomplete": incomplete,
        "chain": chain.reason,
        "chain_events": chain.events,
    }


def recovery(tally: Tally, faults: list[tuple[str, float]], end: float) -> list[dict]:
    """Per fault: errors until the next fault, and when saving worked again after the last of them."""
    rows = []
    for index, (name, at) in enumerate(faults):
        until = faults[index + 1][1] if index + 1 < len(faults) else end + 15
        failed = [(t, kind) for t, kind in tally.errors if at <= t < until]
        errors = [t for t, _ in failed]
        last_error = max(errors) if errors else None
        after = [s.started + s.latency for s in tally.acks if s.started >= (last_error if errors else at)]
        rows.append(
            {
                "fault": name,
                "at": round(at, 1),
                "errors": len(errors),
                "kinds": dict(Counter(kind for _, kind in failed)),
                "recovered_after": round(min(after) - at, 2) if after else None,
                "errors_until": round(last_error - at, 2) if errors else 0.0,
            }
        )
    return rows


def postgres_database(server: str):
    import psycopg

    name = f"datavet_faults_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, urlunsplit(urlsplit(server)._replace(path=f"/{name}"))


def drop_database(server: str, name: str) -> None:
    import psycopg

    for _ in range(10):  # PostgreSQL may still be coming back
        try:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.OperationalError:
            time.sleep(1)


def run(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="datavet-faults-"))
    name, database_url = postgres_database(args.postgres)
    server = None
    try:
        env = server_env(database_url, workdir)
        os.environ.update(env)
        from flask_migrate import upgrade

        from app import create_app

        app = create_app({"SERVER_NAME": None})
        with app.app_context():
            upgrade(revision="heads")
        accounts = seed(app, args.users)
        port = _free_port()
        server = start_gunicorn(env, port, args.workers, args.threads, workdir / "gunicorn.log")
        tally, final, faults = Tally(), {}, []
        t0 = time.monotonic()
        stop_at = t0 + args.duration
        users = [
            threading.Thread(
                target=user_loop, daemon=True, args=(port, email, response_id, t0, stop_at, args.interval, tally, final)
            )
            for email, response_id in accounts
        ]
        for user in users:
            user.start()
        plan = [(args.kill_at, "SIGKILL one gunicorn worker")]
        if not args.no_pg_restart:
            plan.append((args.pg_restart_at, "restart PostgreSQL"))
        restart_seconds = None
        for at, fault in sorted(plan):
            time.sleep(max(0.0, t0 + at - time.monotonic()))
            faults.append((fault, time.monotonic() - t0))
            if fault.startswith("SIGKILL"):
                # The busiest worker: the one holding the most client connections.
                victim = max(worker_pids(server.pid), key=lambda pid: len(os.listdir(f"/proc/{pid}/fd")))
                os.kill(victim, signal.SIGKILL)
            else:
                restart_seconds = restart_postgres(args.cluster)
        for user in users:
            user.join(timeout=max(1.0, stop_at + 60 - time.monotonic()))
        stuck = sum(user.is_alive() for user in users)
        latencies = sorted(s.latency for s in tally.acks)
        result = {
            "users": args.users,
            "duration": args.duration,
            "workers": args.workers,
            "threads": args.threads,
            "requests": tally.requests,
            "stuck_users": stuck,
            "unacknowledged": tally.unacknowledged,
            "errors": dict(Counter(kind for _, kind in tally.errors)),
            "latency_ms": {
                "p50": round(statistics.median(latencies) * 1000) if latencies else None,
                "p95": round(latencies[int(len(latencies) * 0.95)] * 1000) if latencies else None,
                "max": round(latencies[-1] * 1000) if latencies else None,
            },
            "faults": recovery(tally, faults, args.duration),
            "postgres_restart_s": restart_seconds,
            "submit_statuses": dict(Counter(final.values())),
            "workers_alive_after": len(worker_pids(server.pid)),
        }
        result["check"] = verify(app, accounts, tally)
        shutil.rmtree(workdir, ignore_errors=True)  # kept only when the run failed: gunicorn.log is there
        return result
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        drop_database(args.postgres, name)


def markdown(result: dict, args) -> str:
    check, faults = result["check"], result["faults"]
    errors = ", ".join(f"{kind}: {count}" for kind, count in sorted(result["errors"].items())) or "none"
    lines = [
        MARK_START,
        "## Load and faults (`bench/load_faults.py`)",
        "",
        f"{result['users']} vendor users autosave (one token per save, about every {args.interval:g} s each) for "
        f"{result['duration']} s against gunicorn ({result['workers']} gthread workers x {result['threads']} threads) "
        "and PostgreSQL 15 on loopback; one worker is killed with SIGKILL and PostgreSQL is restarted "
        "(`pg_ctlcluster --skip-systemctl-redirect 15 main restart`) during the run. Afterwards every user "
        "submits, and the database is checked.",
        "",
        "```sh",
        "sudo .venv/bin/python bench/load_faults.py --write-readme   # root: pg_ctlcluster restarts the server",
        "```",
        "",
        f"Run of {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f} at the end:",
        "",
        "| figure | value |",
        "| --- | --- |",
        f"| autosave requests / acknowledged saves | {result['requests']} / {check['acknowledged']} |",
        f"| acknowledged saves missing from the database | **{check['lost']}** |",
        f"| answers whose tokens are out of order | {check['out_of_order']} |",
        f"| saves half-written (answer revision and audit trail disagree) | **{check['half_written']}** |",
        f"| saves never acknowledged (gave up at the end) | {result['unacknowledged']} |",
        f"| errors seen by users | {errors} |",
        f"| save latency p50 / p95 / max | {result['latency_ms']['p50']} / {result['latency_ms']['p95']} / "
        f"{result['latency_ms']['max']} ms |",
        f"| responses submitted (all required answers present) | {check['submitted']} of {result['users']} "
        f"({check['submitted_incomplete']} incomplete) |",
        f"| audit chain after the run | {check['chain']} ({check['chain_events']} events) |",
        f"| gunicorn workers alive at the end | {result['workers_alive_after']} of {result['workers']} |",
    ]
    for fault in faults:
        recovered = "never" if fault["recovered_after"] is None else f"{fault['recovered_after']} s"
        kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(fault["kinds"].items()))
        lines.append(
            f"| {fault['fault']} at {fault['at']} s | {fault['errors']} failed requests "
            f"({kinds or 'none'}) within {fault['errors_until']} s; saving worked again after {recovered} |"
        )
    if result["postgres_restart_s"] is not None:
        lines.append(f"| `pg_ctlcluster restart` itself took | {result['postgres_restart_s']:.1f} s |")
    lines += [
        "",
        "Recovery is the time from the fault until the first save acknowledged after the last failed "
        "request; no one restarted the app: the killed worker is replaced by gunicorn, and connections "
        "broken by the database restart are replaced on their next use (`pool_pre_ping`). Failed requests "
        "are retried by the users unchanged, which is safe because a save of the same value is "
        "recognised as already done.",
        MARK_END,
    ]
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    readme = Path(__file__).with_name("README.md")
    current = readme.read_text() if readme.exists() else "# Benchmarks\n"
    if MARK_START in current and MARK_END in current:
        before, rest = current.split(MARK_START, 1)
        current = before + text.rstrip("\n") + rest.split(MARK_END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + text
    readme.write_text(current)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of autosaving")
    parser.add_argument("--interval", type=float, default=0.5, help="mean pause between one user's saves (s)")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--kill-at", type=float, default=20.0)
    parser.add_argument("--pg-restart-at", type=float, default=35.0)
    parser.add_argument("--no-pg-restart", action="store_true")
    parser.add_argument("--cluster", default="15 main", help="PostgreSQL version and cluster for pg_ctlcluster")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, indent=2))
    text = markdown(result, args)
    print(text)
    if args.write_readme:
        write_readme(text)
    check = result["check"]
    return 0 if not check["lost"] and not check["half_written"] and check["chain"] == "intact" else 1


if __name__ == "__main__":
    sys.exit(main())
