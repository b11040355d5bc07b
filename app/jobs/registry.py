"""The registry of job kinds and what a job function receives and returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class JobOutput:
    """A job's result: a file to download, and/or a JSON-able summary."""

    data: bytes | None = None
    filename: str | None = None
    mimetype: str | None = None
    summary: dict[str, Any] | None = None


class JobContext(Protocol):
    def progress(self, done: int, total: int, message: str = "") -> None: ...


JobFunction = Callable[..., JobOutput]
JOB_KINDS: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a function as the job kind ``name``: ``fn(context, **params) -> JobOutput``."""

    def register(function: JobFunction) -> JobFunction:
        if name in JOB_KINDS:
            raise ValueError(f"job kind {name!r} is registered twice")
        JOB_KINDS[name] = function
        return function

    return register
