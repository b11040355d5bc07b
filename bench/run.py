"""``make bench``: seed a large data set on SQLite and PostgreSQL, measure DataVet, write the tables.

    .venv/bin/python -m bench.run            # the full run (about 5 minutes on 2 cores)
    .venv/bin/python -m bench.run --quick    # a small data set and short loads, to check the benchmark itself

Results go to ``bench/results/`` (results.json, report.md, growth.svg) and the tables into
``bench/README.md`` between its result markers; ``--quick`` writes to ``bench/results/quick/`` only.
PostgreSQL is skipped, with the reason, when the server (``BENCH_POSTGRES_URL``, else
``TEST_DATABASE_URL``, else postgres@127.0.0.1:5432) does not answer.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import environment, report
from bench.dataset import Shape, seed
from bench.engine import measure_engine
from bench.inprocess import Clients, measure_pages, measure_pdf, measure_workbooks, queries, timed
from bench.load import load_tool, measure_load
from bench.pages import Page, editor_page, evaluation_pages, main_pages, optional_downloads

RESULTS = Path(__file__).resolve().parent / "results"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


DOCUMENT_SIZES = (5, 25, 100)
PACK_SIZES = (5, 25)  # a 100-vendor pack takes minutes: measured with --pack-vendors


def _row(measure) -> dict:
    row = {"queries": measure.queries, "wall_ms": measure.wall_ms, "cpu_ms": measure.cpu_ms}
    return row | ({"error": measure.error} if measure.error else {})


def _documents(app, clients: Clients, seeded, vendors: int, evaluation_id: int, args) -> dict:
    """PDF scorecard, response workbooks, and the comparison pack and evaluation export where they exist."""
    buyer = seeded.staff["buyer"]
    scorecard = next(p for p in evaluation_pages(app, seeded, evaluation_id) if p.name == "PDF scorecard")
    found: dict = {
        "scorecard": asdict(measure_pdf(clients, scorecard, repeat=2)),
        "workbooks": asdict(measure_workbooks(app, evaluation_id)),
    }
    for kind, (method, template) in optional_downloads(app).items():
        page = Page(
            f"comparison {kind}", buyer, template.format(evaluation_id=evaluation_id), binary=True, method=method
        )
        if kind == "pack":
            if vendors in args.pack_vendors:
                found[kind] = asdict(measure_pdf(clients, page, repeat=1))
        else:
            count = queries(app, clients, page)  # also the warm-up
            timing = timed(lambda page=page: clients.get(page), repeat=2, budget=3.0, warm=False)
            found[kind] = {"wall": timing.wall, "cpu": timing.cpu, "queries": count, "path": page.path}
    return found


def bench_backend(name: str, database_url: str, shape: Shape, workdir: Path, args) -> dict:
    result: dict = {"database": name}
    app = environment.make_app(database_url, workdir)
    started = time.perf_counter()
    environment.migrate(app)
    result["migrate_seconds"] = time.perf_counter() - started
    with app.app_context():
        seeded = seed(shape, workdir / "uploads")
        result["server_version"] = report.server_version()
    result["seed"] = {"seconds": seeded.seconds, "rows": dict(seeded.rows)}
    _log(f"{name}: seeded {sum(seeded.rows.values()):,} rows in {seeded.seconds:.1f} s")

    clients = Clients(app)
    growth: dict[str, dict] = {}
    for vendors, evaluation_id in sorted(seeded.scale.items()):
        growth[str(vendors)] = {
            m.page: _row(m) for m in measure_pages(app, clients, evaluation_pages(app, seeded, evaluation_id))
        }
    wide = measure_pages(app, clients, evaluation_pages(app, seeded, seeded.wide), time_pages=False)
    growth[f"25, {2 * shape.evaluators} evaluators"] = {m.page: _row(m) for m in wide}
    for vendors, evaluation_id in sorted(seeded.open.items()):
        measure = measure_pages(app, clients, [editor_page(seeded, evaluation_id)])[0]
        growth.setdefault(str(vendors), {})[measure.page] = _row(measure)
    dashboard = measure_pages(app, clients, [Page("dashboard", seeded.staff["buyer"], "/")])[0]
    growth.setdefault(str(shape.vendors), {})["dashboard"] = _row(dashboard)
    result["growth"] = growth
    _log(f"{name}: queries and single-request times measured")

    if args.documents:
        result["documents"] = {}
        for vendors in sorted(set(DOCUMENT_SIZES) | args.pack_vendors):
            if vendors in seeded.scale:
                try:
                    documents = _documents(app, clients, seeded, vendors, seeded.scale[vendors], args)
                except Exception as error:  # noqa: BLE001 - someone's unfinished page must not stop the run
                    documents = {"error": f"{type(error).__name__}: {error}"}
                result["documents"][str(vendors)] = documents
                _log(f"{name}: PDF and XLSX at {vendors} vendors measured")

    pages = main_pages(app, seeded, seeded.main[len(seeded.main) // 2], seeded.open[25])
    result["load"] = [
        asdict(m) | {"throughput": m.throughput}
        for m in measure_load(environment.server_env(database_url, workdir), pages, args.duration)
    ]
    _log(f"{name}: load measured with {load_tool()}")
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small data set and 1-second loads")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--duration", type=float, default=None, help="seconds of load per page (default 5)")
    parser.add_argument("--no-readme", action="store_true", help="do not write the tables into bench/README.md")
    parser.add_argument(
        "--pack-vendors",
        default=",".join(map(str, PACK_SIZES)),
        help="vendor counts at which the comparison pack is rendered (default %(default)s)",
    )
    args = parser.parse_args(argv)
    args.pack_vendors = {int(v) for v in args.pack_vendors.split(",") if v.strip()}
    if args.quick and "--pack-vendors" not in " ".join(sys.argv if argv is None else argv):
        args.pack_vendors = {5}
    shape = Shape(evaluations=8, scale=(5, 25, 100)) if args.quick else Shape()
    args.duration = args.duration or (1.0 if args.quick else 5.0)
    started = time.perf_counter()
    load_at_start = os.getloadavg()[0]  # other programs on the machine: said beside the results
    logging.getLogger("alembic").setLevel(logging.WARNING)
    given = sys.argv[1:] if argv is None else argv
    results: dict = {
        "command": " ".join(["python -m bench.run", *given]),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "machine": report.machine(),
        "shape": asdict(shape) | {"vendor_pool": shape.vendor_pool},
        "load_tool": load_tool(),
        "duration": args.duration,
        "backends": {},
    }
    if load_tool() != "wrk":
        _log("wrk not found: using the bounded Python load generator (install Debian's wrk for steadier figures)")
    workdir = Path(tempfile.mkdtemp(prefix="datavet-bench-"))
    try:
        args.documents = True
        with environment.sqlite_database(workdir) as url:
            results["backends"]["sqlite"] = bench_backend("SQLite", url, shape, workdir / "sqlite-files", args)
        why = "--skip-postgres given" if args.skip_postgres else environment.postgres_unreachable()
        if why:
            _log(f"PostgreSQL skipped: {why}")
            results["backends"]["postgresql"] = {"skipped": why}
        else:
            args.documents = False  # PDF and XLSX work does not depend on the database: measured once
            try:
                with environment.postgres_database() as url:
                    results["backends"]["postgresql"] = bench_backend(
                        "PostgreSQL", url, shape, workdir / "pg-files", args
                    )
            except Exception as error:  # noqa: BLE001 - e.g. the server restarted: keep SQLite's results
                why = f"failed during the run: {type(error).__name__}: {str(error).strip().splitlines()[0][:300]}"
                _log(f"PostgreSQL {why}")
                results["backends"]["postgresql"] = {"skipped": why, "failed": True}
        results["engine"] = [asdict(measure_engine(v)) for v in (5, 10, 25, 50, 100)]
        _log("ranking and robustness measured")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    results["wall_seconds"] = time.perf_counter() - started
    results["load_average"] = {"start": load_at_start, "end": os.getloadavg()[0]}
    folder = RESULTS / "quick" if args.quick else RESULTS  # a check of the benchmark keeps the full results
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2, default=str))
    markdown = report.markdown(results)
    (folder / "report.md").write_text(markdown)
    report.plot(results, folder / "growth.svg")
    if not args.no_readme and not args.quick:
        report.update_readme(markdown)
    print(markdown)
    growing = report.growing_pages(results)
    if growing:
        _log("WARNING: queries grow with vendors or evaluators on: " + ", ".join(growing))
    failures = report.failures(results)
    for failure in failures:
        _log(f"FAILED: {failure}")
    _log(f"done in {results['wall_seconds'] / 60:.1f} min; results in {folder}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
