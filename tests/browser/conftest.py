"""Browser tests: the real app served on loopback, driven by headless Chromium through Playwright.

They run when Chromium is installed (Debian's package at /usr/bin/chromium, which `.ci/run`
installs) and are skipped with a clear reason otherwise. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {CHROMIUM}: browser tests skipped "
        "(apt-get install chromium, or set CHROMIUM_PATH)"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_server(app, database_url, tmp_path_factory):
    """The app as a browser meets it (CSRF on, jobs in a thread), served on a free loopback port."""
    from werkzeug.serving import make_server

    from app import create_app

    # The port is known only once the socket is bound, and the app needs it as PUBLIC_URL (a real
    # deployment refuses to start without one), so the server is made first and handed the app after.
    server = make_server("127.0.0.1", 0, None, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    served = create_app(
        {
            "TESTING": False,
            "PUBLIC_URL": base,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "browser-secret",
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "JOB_RESULTS_FOLDER": app.config["JOB_RESULTS_FOLDER"],
            "QUESTIONNAIRE_DIR": app.config["QUESTIONNAIRE_DIR"],
            "MAIL_SERVER": "",
            "JOBS_MODE": "thread",
            "RATELIMIT_ENABLED": False,
        }
    )
    server.app = served
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    with served.app_context():
        from app.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-final.png"), full_page=True)
    context.close()


def shot(page, name: str) -> None:
    """Keep a screenshot of the current page as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, email: str, password: str = "correct horse battery") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
