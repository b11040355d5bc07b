"""Vector charts for the PDF reports: matplotlib figures saved as SVG and embedded as ``data:`` URIs.

WeasyPrint's URL fetcher only reads ``data:`` resources, so every chart travels inside the HTML.
Text is drawn as glyph outlines (``svg.fonttype = path``) with the Noto fallback chain below, so a
vendor name in Japanese, Hindi, Thai or Arabic is shaped by matplotlib and renders the same anywhere.
Only the object-oriented API is used (no pyplot): no global figure state, safe in a worker thread.
"""

from __future__ import annotations

import base64
import io
import warnings
from collections.abc import Sequence

import matplotlib
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from app.reports.comparison import Comparison
from app.reports.coverage import CoverageHeatmap
from app.reports.ranking import VendorResult

FONT_FAMILIES = [
    "Noto Sans",
    "Noto Sans CJK JP",
    "Noto Sans Devanagari",
    "Noto Sans Thai",
    "Noto Sans Arabic",
    "DejaVu Sans",
]
STYLE = {
    "font.family": FONT_FAMILIES,
    "font.size": 8,
    "svg.fonttype": "path",
    "svg.hashsalt": "datavet",  # stable element ids: the same data gives the same SVG
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "axes.titlesize": 9,
}
PALETTE = ("#0d6efd", "#fd7e14", "#198754", "#6f42c1", "#d63384", "#20c997", "#ffc107", "#0dcaf0")
SET_APART = "#adb5bd"
# Red (nothing) through amber to green (requirement met), the same steps as the page's .heat-N classes.
HEAT = LinearSegmentedColormap.from_list("coverage", ["#f8d7da", "#fff3cd", "#d1e7dd", "#198754"])


def _svg_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # A character no installed font has (an emoji in a vendor's name) becomes a box, not an error.
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from", category=UserWarning)
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _label(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def totals_chart(ranked: Sequence[VendorResult], set_apart: Sequence[VendorResult]) -> str:
    """Horizontal bars of the 0-100 totals, ranked vendors first; vendors set apart in grey."""
    vendors = list(ranked) + list(set_apart)
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.6, 0.45 * len(vendors) + 0.8))
        axes = figure.add_subplot()
        labels = [f"{v.rank}. {_label(v.vendor)}" if v.rank else f"— {_label(v.vendor)} (not ranked)" for v in vendors]
        colours = [_colour(0) if v.rank else SET_APART for v in vendors]
        bars = axes.barh(range(len(vendors)), [v.total for v in vendors], color=colours, height=0.6)
        axes.bar_label(bars, labels=[f"{v.total:.1f}" for v in vendors], padding=3)
        axes.set_yticks(range(len(vendors)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 105)
        axes.set_xlabel("Weighted total (0-100)")
        return _svg_uri(figure)


def sections_chart(comparison: Comparison) -> str:
    """Grouped bars: each section's 0-100 score per vendor, one colour per vendor."""
    vendors, sections = comparison.vendors, comparison.sections
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.6, len(sections) * (0.12 * max(1, len(vendors)) + 0.15) + 0.9))
        axes = figure.add_subplot()
        height = 0.8 / max(1, len(vendors))
        for index, vendor in enumerate(vendors):
            scores = [row.scores[index] or 0.0 for row in sections]
            positions = [s + index * height for s in range(len(sections))]
            axes.barh(
                positions,
                scores,
                height=height * 0.95,
                label=_label(vendor.vendor, 28),
                color=_colour(index) if vendor.rank else SET_APART,
                hatch=None if vendor.rank else "//",
            )
        axes.set_yticks(
            [s + 0.4 - height / 2 for s in range(len(sections))],
            [f"{_label(r.title, 26)} ({r.weight_share:.0%})" for r in sections],
        )
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("Section score (0-100)")
        axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=min(3, len(vendors)), frameon=False)
        return _svg_uri(figure)


def coverage_chart(heatmap: CoverageHeatmap) -> str | None:
    """Required locales × vendors coloured by the share of the requirement offered, numbers in the cells."""
    if not heatmap.available:
        return None
    rows, vendors = heatmap.rows, heatmap.vendors
    ratios = [[(cell.ratio if cell else 0.0) for cell in row.cells] for row in rows]
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(min(7.0, 1.6 + 1.3 * len(vendors)), 0.42 * len(rows) + 1.3))
        axes = figure.add_subplot()
        axes.imshow(ratios, cmap=HEAT, vmin=0, vmax=1, aspect="auto")
        for y, row in enumerate(rows):
            for x, cell in enumerate(row.cells):
                text = "no answer" if cell is None else f"{cell.offered:,.0f}/{cell.required:,.0f}"
                axes.text(
                    x,
                    y,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if cell is not None and cell.ratio >= 0.95 else "#212529",
                )
        axes.set_xticks(range(len(vendors)), [_label(v.vendor, 18) for v in vendors], rotation=20, ha="right")
        axes.set_yticks(range(len(rows)), [f"{r.locale} (needs {r.required:,.0f})" for r in rows])
        axes.tick_params(length=0)
        for side in ("left", "bottom"):
            axes.spines[side].set_visible(False)
        axes.set_title(f"Committed {heatmap.unit} against the requirement")
        return _svg_uri(figure)


def acceptability_chart(comparison: Comparison) -> str | None:
    """Stacked bars: for each ranked vendor, the share of weight draws in which it took each rank."""
    robustness = comparison.robustness
    if not robustness.available:
        return None
    rows = robustness.acceptability
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(6.6, 0.42 * len(rows) + 1.2))
        axes = figure.add_subplot()
        left = [0.0] * len(rows)
        for rank in range(len(rows)):
            shares = [r.rank_shares[rank] * 100 for r in rows]
            axes.barh(range(len(rows)), shares, left=left, height=0.6, color=_colour(rank), label=f"rank {rank + 1}")
            left = [a + b for a, b in zip(left, shares, strict=True)]
        axes.set_yticks(range(len(rows)), [_label(r.vendor) for r in rows])
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel(f"Share of {robustness.draws:,} random weight draws (%)")
        axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=min(5, len(rows)), frameon=False)
        return _svg_uri(figure)


def vendor_sections_chart(vendor: VendorResult) -> str:
    """One vendor's section scores (0-100) as horizontal bars, with each section's weight share."""
    sections = vendor.sections
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(4.2, 0.26 * len(sections) + 0.6))
        axes = figure.add_subplot()
        bars = axes.barh(
            range(len(sections)),
            [s.score for s in sections],
            height=0.6,
            color=_colour(0) if not vendor.disqualified else SET_APART,
        )
        axes.bar_label(bars, labels=[f"{s.score:.0f}" for s in sections], padding=3)
        axes.set_yticks(range(len(sections)), [f"{_label(s.title, 28)} ({s.weight_share:.0%})" for s in sections])
        axes.invert_yaxis()
        axes.set_xlim(0, 108)
        axes.set_xlabel("Section score (0-100), weight share in brackets")
        return _svg_uri(figure)
