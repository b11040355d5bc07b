"""Turning benchmark results into the tables of bench/README.md and the growth plot."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"
START, END = "<!-- bench-results:start -->", "<!-- bench-results:end -->"
PAGE_ORDER = (
    "dashboard",
    "response editor",
    "evaluation page",
    "response view",
    "scoring page",
    "consensus page",
    "ranking page",
    "comparison page",
    "PDF scorecard",
)


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
        memory = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        memory = 0
    return {
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gib": round(memory / 2**20, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def server_version() -> str:
    import sqlalchemy as sa

    from app.extensions import db

    if db.engine.dialect.name == "postgresql":
        return "PostgreSQL " + db.session.scalar(sa.text("SHOW server_version"))
    return "SQLite " + sqlite3.sqlite_version


def _ms(value) -> str:
    if value is None or value != value:  # missing or NaN
        return "—"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _pages(growth: dict) -> list[str]:
    seen = {page for column in growth.values() for page in column}
    return [p for p in PAGE_ORDER if p in seen] + sorted(seen - set(PAGE_ORDER))


def growing_pages(results: dict) -> list[str]:
    """Pages whose query count differs between data sizes, per database."""
    found = []
    for backend, result in results["backends"].items():
        growth = result.get("growth", {})
        for page in _pages(growth):
            counts = {
                column[page]["queries"]
                for column in growth.values()
                if page in column and column[page]["queries"] is not None
            }
            if len(counts) > 1:
                found.append(f"{page} ({backend})")
    return found


def failures(results: dict) -> list[str]:
    """Everything that could not be measured because a page or a document failed."""
    found = []
    for backend, result in results["backends"].items():
        if result.get("failed"):
            found.append(f"{backend}: {result['skipped']}")
        for column in result.get("growth", {}).values():
            found += [f"{backend}: {row['error']}" for row in column.values() if row.get("error")]
        found += [f"{backend}: {row['failure']}" for row in result.get("load", []) if row.get("failure")]
        found += [
            f"{backend}: documents at {vendors} vendors: {row['error']}"
            for vendors, row in result.get("documents", {}).items()
            if "error" in row
        ]
    return list(dict.fromkeys(found))


def _queries_table(growth: dict) -> list[str]:
    columns = list(growth)
    lines = [
        "| page | " + " | ".join(f"{c} vendors" if c.isdigit() else c for c in columns) + " | constant |",
        "| --- |" + " ---: |" * len(columns) + " :---: |",
    ]
    for page in _pages(growth):
        cells = [growth[c].get(page, {}) for c in columns]
        counts = [cell.get("queries") for cell in cells]
        known = {n for n in counts if n is not None}
        verdict = (
            "yes"
            if len(known) == 1 and len([n for n in counts if n is not None]) > 1
            else ("GROWS" if len(known) > 1 else "n/a")
        )
        shown = [
            "failed" if cell.get("error") else "—" if n is None else str(n)
            for cell, n in zip(cells, counts, strict=True)
        ]
        lines.append(f"| {page} | " + " | ".join(shown) + f" | {verdict} |")
    return lines


def _times_table(growth: dict) -> list[str]:
    columns = sorted((c for c in growth if c.isdigit()), key=int)
    lines = [
        "| page (CPU ms, one request) | "
        + " | ".join(f"{c} vendors" for c in columns)
        + f" | {columns[-1]} ÷ {columns[0]} |",
        "| --- |" + " ---: |" * (len(columns) + 1),
    ]
    for page in _pages(growth):
        times = [growth[c].get(page, {}).get("cpu_ms") for c in columns]
        known = [t for t in times if t]
        first, last = (known[0], known[-1]) if known else (None, None)
        ratio = f"{last / first:.1f}×" if first and last and times[0] and times[-1] else "—"
        lines.append(f"| {page} | " + " | ".join(_ms(t) for t in times) + f" | {ratio} |")
    return lines


def _load_table(load: list[dict]) -> list[str]:
    bare = load[0]
    lines = [
        "| page | req/s | p50 ms | p95 ms | p50 × bare | p95 × bare | throughput ÷ bare | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in load:
        if row.get("failure"):
            lines.append(f"| {row['page']} | failed | | | | | | |")
            continue
        lines.append(
            f"| {row['page']} | {row['throughput']:.1f} | {_ms(row['p50_ms'])} | {_ms(row['p95_ms'])} | "
            f"{row['p50_ms'] / bare['p50_ms']:.1f} | {row['p95_ms'] / bare['p95_ms']:.1f} | "
            f"{row['throughput'] / bare['throughput']:.3f} | {row['errors']} |"
        )
    return lines


def _pdf_cells(measure: dict | None) -> str:
    if not measure:
        return "— | — | —"
    return f"{measure['cpu']:.2f} | {measure['weasyprint_cpu']:.2f} | {measure['cpu'] / measure['weasyprint_cpu']:.2f}"


def _documents_tables(documents: dict) -> list[str]:
    lines = [
        "| vendors | scorecard s | WeasyPrint alone s | ratio | comparison pack s | WeasyPrint alone s | ratio |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    documents = {vendors: row for vendors, row in documents.items() if "error" not in row}
    for vendors, row in documents.items():
        lines.append(f"| {vendors} | {_pdf_cells(row['scorecard'])} | {_pdf_cells(row.get('pack'))} |")
    lines += [
        "",
        "| vendors | response workbooks: export s | import s | per vendor ms | evaluation export s | its queries |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for vendors, row in documents.items():
        book, export = row["workbooks"], row.get("export")
        per_vendor = (book["export_seconds"] + book["import_seconds"]) / max(1, book["vendors"]) * 1000
        tail = f"{export['cpu']:.2f} | {export['queries']}" if export else "— | —"
        lines.append(
            f"| {vendors} | {book['export_seconds']:.2f} | {book['import_seconds']:.2f} | {per_vendor:.0f} | {tail} |"
        )
    return lines


def _engine_table(engine: list[dict]) -> list[str]:
    lines = [
        "| vendors × criteria | ranking ms | critical weight changes ms | rank acceptability (10 000 draws) ms | "
        "total ms |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in engine:
        total = row["ranking_seconds"] + row["critical_seconds"] + row["acceptability_seconds"]
        lines.append(
            f"| {row['vendors']} × {row['criteria']} | {_ms(row['ranking_seconds'] * 1000)} | "
            f"{_ms(row['critical_seconds'] * 1000)} | {_ms(row['acceptability_seconds'] * 1000)} | "
            f"{_ms(total * 1000)} |"
        )
    return lines


def markdown(results: dict) -> str:
    m, shape = results["machine"], results["shape"]
    out = [
        f"Command: `make bench` (`{results['command']}`), {results['date']}, "
        f"{results['wall_seconds'] / 60:.1f} min wall time.",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}; "
        f"load average {results['load_average']['start']:.1f} at the start and {results['load_average']['end']:.1f} "
        f"at the end (above 2, other programs were competing for the two cores).",
        f"Data set: {shape['evaluations']} evaluations × {shape['vendors']} vendors × the data-collection "
        f"questionnaire × {shape['evaluators']} evaluators (submitted scores), plus one evaluation per vendor count "
        f"{', '.join(map(str, shape['scale']))}, one of 25 vendors with {2 * shape['evaluators']} evaluators and "
        f"open evaluations of 5 and 25 answered drafts.",
        f"Load: gunicorn, 2 sync workers, {results['load_tool']} with 4 connections for {results['duration']:g} s "
        f"per page on 127.0.0.1, after every worker served the page once; pages of one of the 25-vendor "
        f"evaluations.",
    ]
    for backend, result in results["backends"].items():
        title = result.get("server_version", backend)
        out += ["", f"#### {title}"]
        if "skipped" in result:
            out += ["", f"Skipped: {result['skipped']}"]
            continue
        rows = sum(result["seed"]["rows"].values())
        out += [
            "",
            f"Seeded {rows:,} rows ({result['seed']['rows'].get('answer', 0):,} answers, "
            f"{result['seed']['rows'].get('score', 0):,} scores) in {result['seed']['seconds']:.1f} s.",
            "",
            "Queries per request:",
            "",
            *_queries_table(result["growth"]),
            "",
            "Under load (ratios to the bare Flask endpoint on the first line):",
            "",
            *_load_table(result["load"]),
            "",
            "One request, in-process, as the evaluation grows (CPU time of the app process; wall times "
            "are in results.json):",
            "",
            *_times_table(result["growth"]),
        ]
        if "documents" in result:
            out += [
                "",
                "PDF (CPU seconds of the whole request, and of WeasyPrint alone on the same HTML) and XLSX "
                "(CPU seconds):",
                "",
                *_documents_tables(result["documents"]),
            ]
    out += ["", "#### Ranking and robustness (pure engine, no database)", "", *_engine_table(results["engine"])]
    problems = failures(results)
    if problems:
        out += ["", "#### Not measured: failed during this run", "", *(f"- {p}" for p in problems)]
    return "\n".join(out) + "\n"


def update_readme(markdown_text: str) -> None:
    """Replace only the text between the result markers; the rest of the README belongs to its authors."""
    text = README.read_text() if README.exists() else ""
    block = f"{START}\n{markdown_text}{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + block + "\n"
    README.write_text(text)


def plot(results: dict, path: Path) -> None:
    """Three panels, log-log against vendors: pages, documents, and the scoring engine."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    sqlite = results["backends"]["sqlite"]
    figure, axes = plt.subplots(1, 3, figsize=(16, 5))
    growth = {int(k): v for k, v in sqlite["growth"].items() if k.isdigit()}
    vendors = sorted(growth)
    for page in _pages(sqlite["growth"]):
        points = [(v, growth[v][page]["cpu_ms"]) for v in vendors if page in growth[v] and growth[v][page]["cpu_ms"]]
        if len(points) > 2:
            axes[0].plot(*zip(*points, strict=True), marker="o", label=page)
    axes[0].set_title("One request (SQLite), CPU ms")
    documents = {int(k): v for k, v in sqlite.get("documents", {}).items() if "error" not in v}
    series = {
        "PDF scorecard": lambda d: d["scorecard"]["cpu"],
        "comparison pack": lambda d: d["pack"]["cpu"] if "pack" in d else None,
        "response workbooks, export (all vendors)": lambda d: d["workbooks"]["export_seconds"],
        "response workbooks, import (all vendors)": lambda d: d["workbooks"]["import_seconds"],
        "evaluation export (XLSX)": lambda d: d["export"]["cpu"] if "export" in d else None,
    }
    for label, value in series.items():
        points = [(v, value(documents[v])) for v in sorted(documents) if value(documents[v]) is not None]
        if points:
            axes[1].plot(*zip(*points, strict=True), marker="o", label=label)
    axes[1].set_title("Documents, CPU s")
    engine = results["engine"]
    for key, label in (
        ("ranking_seconds", "ranking"),
        ("critical_seconds", "critical weight changes"),
        ("acceptability_seconds", "rank acceptability, 10 000 draws"),
    ):
        axes[2].plot([r["vendors"] for r in engine], [r[key] * 1000 for r in engine], marker="o", label=label)
    axes[2].set_title("Scoring engine, 60 criteria, ms")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("vendors")
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
