"""PDF rendering with WeasyPrint, fed plain data and cut off from files and the network."""

from __future__ import annotations

from flask import render_template
from weasyprint import HTML
from weasyprint.urls import URLFetcher


def safe_url_fetcher() -> URLFetcher:
    """A fetcher that only reads inline ``data:`` resources: no local files, no remote calls."""
    return URLFetcher(allowed_protocols={"data"}, timeout=1)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url="about:blank", url_fetcher=safe_url_fetcher()).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """Render a report template (plain data only) to PDF bytes."""
    return html_to_pdf(render_template(template, **context))
