"""Pages under concurrent load: gunicorn (2 workers) on loopback, hit by wrk (or a bounded Python client).

Every figure is also given as a ratio to a bare Flask endpoint served and loaded the same way
(``bench/bare_app.py``), so a slower or busier machine changes the absolute numbers, not the ratios.
Traffic goes to 127.0.0.1 only; every run is bounded in time.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.dataset import PASSWORD
from bench.environment import ROOT
from bench.inprocess import BenchError
from bench.pages import Page

USER_AGENT = "DataVet-bench/1"  # sessions are bound to the browser: the load must look like the sign-in
WORKERS = 2
CONNECTIONS = 4
LUA = Path(__file__).with_name("wrk_report.lua")


@dataclass(frozen=True)
class LoadMeasure:
    page: str
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int
    failure: str = ""  # the page did not answer 200 before the load: not measured

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict[str, str], ready_path: str = "/"):
    """Serve ``app_spec`` with gunicorn on a free loopback port until the block ends; yields the base URL."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        app_spec,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status(base + ready_path, "")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchError(f"gunicorn {app_spec} did not start (exit {process.poll()})") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def status(url: str, cookie: str) -> int:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        connection.request("GET", parts.path or "/", headers={"Cookie": cookie, "User-Agent": USER_AGENT})
        answer = connection.getresponse()
        answer.read()
        return answer.status
    finally:
        connection.close()


def sign_in(base: str, email: str) -> str:
    """Sign in through the real login form (CSRF token included); returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"email": email, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    opener.open(base + "/login", data=urllib.parse.urlencode(form).encode(), timeout=30).read()
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    if not cookie:
        raise BenchError(f"signing in as {email} gave no session cookie")
    return cookie


def _wrk(url: str, cookie: str, duration: float) -> LoadMeasure:
    command = [
        "wrk",
        "-t1",
        f"-c{CONNECTIONS}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "60s",
        "-H",
        f"User-Agent: {USER_AGENT}",
        "-s",
        str(LUA),
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, timeout=duration + 90, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("{"))
    figures = json.loads(line)
    return LoadMeasure(
        "",
        figures["requests"],
        figures["duration_us"] / 1e6,
        figures["p50_us"] / 1000,
        figures["p95_us"] / 1000,
        figures["non2xx"] + figures["socket_errors"],
    )


def _python_load(url: str, cookie: str, duration: float) -> LoadMeasure:
    """The fallback when wrk is missing: CONNECTIONS threads, a new connection per request, bounded in time."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + duration

    def worker():
        while time.monotonic() < stop:
            begin = time.perf_counter()
            try:
                code = status(url, cookie)
            except OSError:
                code = 0
            with lock:
                latencies.append(time.perf_counter() - begin)
                errors[0] += code >= 400 or code == 0

    threads = [threading.Thread(target=worker) for _ in range(CONNECTIONS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return LoadMeasure("", len(latencies), elapsed, statistics.median(latencies) * 1000, cuts[18] * 1000, errors[0])


def load_tool() -> str:
    return "wrk" if shutil.which("wrk") else "python"


def hit(name: str, url: str, cookie: str, duration: float) -> LoadMeasure:
    single = []
    for _ in range(2 * WORKERS):  # every worker has served the page once before it is measured
        begin = time.perf_counter()
        status(url, cookie)
        single.append(time.perf_counter() - begin)
    # A slow page (a PDF) gets longer, so that its percentiles rest on a few dozen requests at least.
    duration = max(duration, min(4 * duration, 12 * min(single) * CONNECTIONS / WORKERS))
    measure = (_wrk if load_tool() == "wrk" else _python_load)(url, cookie, duration)
    return LoadMeasure(name, measure.requests, measure.seconds, measure.p50_ms, measure.p95_ms, measure.errors)


def measure_load(env: dict[str, str], pages: list[Page], duration: float) -> list[LoadMeasure]:
    """The bare endpoint first, then the health check and every page, each for ``duration`` seconds."""
    results = []
    with gunicorn("bench.bare_app:app", {}) as base:
        hit("warm-up", base + "/", "", 1)  # fresh workers answer their first thousand requests slower
        results.append(hit("bare Flask endpoint", base + "/", "", duration))
    with gunicorn("wsgi:app", env, ready_path="/healthz") as base:
        hit("warm-up", base + "/healthz", "", 1)
        results.append(hit("/healthz (one trivial query)", base + "/healthz", "", duration))
        cookies: dict[str, str] = {}
        for page in pages:
            if page.user not in cookies:
                cookies[page.user] = sign_in(base, page.user)
            code = status(base + page.path, cookies[page.user])
            if code != 200:
                why = f"{page.name} ({page.path}) as {page.user} answered {code} under gunicorn"
                results.append(LoadMeasure(page.name, 0, 0.0, 0.0, 0.0, 0, why))
                continue
            results.append(hit(page.name, base + page.path, cookies[page.user], duration))
    return results
