"""Measurements inside one process: queries per request, single-request times, PDF and XLSX work.

Every page is requested once to warm caches (parsed questionnaires, templates), then measured, so the
numbers are what a running server does on every request.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from bench.dataset import PASSWORD
from bench.pages import Page


class BenchError(RuntimeError):
    """A page did not answer as expected: the benchmark would measure an error page."""


class Clients:
    """Signed-in test clients, one per person, signed in through the real login form."""

    def __init__(self, app):
        self.app = app
        self._clients: dict[str, object] = {}

    def of(self, email: str):
        if email not in self._clients:
            client = self.app.test_client()
            answer = client.post("/login", data={"email": email, "password": PASSWORD})
            if answer.status_code != 302:
                raise BenchError(f"signing in as {email} answered {answer.status_code}")
            self._clients[email] = client
        return self._clients[email]

    def get(self, page: Page):
        client = self.of(page.user)
        answer = client.post(page.path) if page.method == "POST" else client.get(page.path)
        if answer.status_code != (302 if page.method == "POST" else 200):
            raise BenchError(
                f"{page.name} ({page.path}) as {page.user} answered {answer.status_code}: "
                f"{answer.get_data(as_text=True)[:300]}"
            )
        return answer


@contextmanager
def counting(app):
    """Collect the SQL statements sent while the block runs (all connections of the app's engine)."""
    from app.extensions import db

    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)


def queries(app, clients: Clients, page: Page) -> int:
    clients.get(page)  # warm-up
    with counting(app) as statements:
        clients.get(page)
    return len(statements)


@dataclass(frozen=True)
class Timing:
    """Medians over the runs: wall-clock seconds, and CPU seconds of this process.

    CPU time hardly changes when other programs share the machine; wall time does (and includes
    waiting for PostgreSQL, which runs in its own process).
    """

    wall: float
    cpu: float


def timed(action, *, repeat: int = 5, budget: float = 4.0, warm: bool = True) -> Timing:
    """Run ``action()`` up to ``repeat`` times (at least twice, fewer once ``budget`` seconds are spent)."""
    if warm:
        action()
    walls: list[float] = []
    cpus: list[float] = []
    started = time.perf_counter()
    while len(walls) < repeat and (len(walls) < 2 or time.perf_counter() - started < budget):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return Timing(statistics.median(walls), statistics.median(cpus))


@dataclass(frozen=True)
class PageMeasure:
    page: str
    queries: int | None
    wall_ms: float | None
    cpu_ms: float | None
    error: str = ""  # the page failed: the run goes on, the report says so


def measure_pages(app, clients: Clients, pages: list[Page], *, time_pages: bool = True) -> list[PageMeasure]:
    result = []
    for page in pages:
        try:
            count = queries(app, clients, page)
            timing = (
                timed(lambda page=page: clients.get(page), repeat=3, budget=3.0, warm=False) if time_pages else None
            )
        except BenchError as error:
            result.append(PageMeasure(page.name, None, None, None, str(error)))
            continue
        result.append(PageMeasure(page.name, count, timing and timing.wall * 1000, timing and timing.cpu * 1000))
    return result


@contextmanager
def captured_html():
    """Record the HTML every WeasyPrint document is built from while the block runs."""
    import weasyprint

    documents: list[str] = []
    original = weasyprint.HTML.__init__

    def recording(self, *args, **kwargs):
        if kwargs.get("string") is not None:
            documents.append(kwargs["string"])
        original(self, *args, **kwargs)

    weasyprint.HTML.__init__ = recording
    try:
        yield documents
    finally:
        weasyprint.HTML.__init__ = original


def weasyprint_alone(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html, base_url="about:blank").write_pdf()


@dataclass(frozen=True)
class PdfMeasure:
    name: str
    wall: float  # the whole request: data, charts, template, PDF
    cpu: float
    weasyprint_wall: float  # WeasyPrint alone on the same HTML
    weasyprint_cpu: float
    html_kilobytes: float

    @property
    def ratio(self) -> float:
        return self.cpu / self.weasyprint_cpu


def measure_pdf(clients: Clients, page: Page, *, repeat: int = 3) -> PdfMeasure:
    """The request (median of ``repeat``) against WeasyPrint alone on the HTML that request rendered."""
    with captured_html() as documents:
        first = timed(lambda: clients.get(page), repeat=1, warm=False)
    if not documents:
        raise BenchError(f"{page.name} rendered no HTML through WeasyPrint")
    html = documents[-1]
    request = first if repeat <= 1 else timed(lambda: clients.get(page), repeat=repeat, budget=6.0, warm=False)
    alone = timed(lambda: weasyprint_alone(html), repeat=repeat, budget=6.0, warm=False)
    return PdfMeasure(page.name, request.wall, request.cpu, alone.wall, alone.cpu, len(html.encode()) / 1024)


@dataclass(frozen=True)
class XlsxMeasure:
    vendors: int
    export_seconds: float  # CPU: every vendor's response workbook written
    import_seconds: float  # CPU: all of them read back
    kilobytes: float


def measure_workbooks(app, evaluation_id: int) -> XlsxMeasure:
    """Export every response of the evaluation as the vendor's workbook, then import them all."""
    from app.extensions import db
    from app.models import Answer, Evaluation, Response
    from app.questionnaires import store
    from app.questionnaires.workbook import answers_from_xlsx, response_to_xlsx

    with app.app_context():
        evaluation = db.session.get(Evaluation, evaluation_id)
        questionnaire = store.parsed(evaluation.questionnaire)
        modalities = list(evaluation.modalities)
        answers: dict[int, dict] = {}
        for response_id, question_id, value in db.session.execute(
            sa.select(Answer.response_id, Answer.question_id, Answer.value)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.evaluation_id == evaluation_id)
        ):
            answers.setdefault(response_id, {})[question_id] = value
    books: list[bytes] = []

    def export_all():
        books.clear()
        books.extend(response_to_xlsx(questionnaire, given, modalities) for given in answers.values())

    def import_all():
        for book in books:
            imported = answers_from_xlsx(questionnaire, book, modalities)
            if imported.errors:
                raise BenchError(f"a workbook DataVet wrote does not read back: {imported.errors[:3]}")

    export_seconds = timed(export_all, repeat=2, budget=1.0, warm=False).cpu
    import_seconds = timed(import_all, repeat=2, budget=1.0, warm=False).cpu
    return XlsxMeasure(len(answers), export_seconds, import_seconds, sum(map(len, books)) / 1024)
