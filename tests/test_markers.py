"""Tests carry the markers `make test-fast` deselects: browser, postgres, redis (and slow, set by hand)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BROWSER_TESTS, markers_for

TESTS = Path(__file__).resolve().parent


def test_markers_are_declared(pytestconfig):
    declared = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    assert {"browser", "slow", "postgres", "redis"} <= declared


def test_markers_follow_the_folder_and_the_fixtures():
    assert markers_for(BROWSER_TESTS / "test_autosave.py", ()) == {"browser"}
    assert markers_for(TESTS / "jobs" / "test_jobs.py", ("app_ctx", "redis_url")) == {"redis"}
    assert markers_for(TESTS / "security" / "test_concurrency_pg.py", ("pg_app",)) == {"postgres"}
    assert markers_for(TESTS / "app" / "test_permissions.py", ("client", "world")) == set()


def test_every_collected_test_carries_its_markers(request):
    # Under `-m "not browser"` a browser test left in the session would mean its marker was never applied.
    for item in request.session.items:
        own = {mark.name for mark in item.iter_markers()}
        missing = markers_for(item.path, getattr(item, "fixturenames", ())) - own
        assert not missing, f"{item.nodeid} lacks {missing}"
        if BROWSER_TESTS in item.path.parents:
            assert "browser" in own, item.nodeid
