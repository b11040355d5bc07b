"""Fixtures of the vendor-portal tests: a real SMTP server on loopback (the `world` comes from tests/world.py)."""

from __future__ import annotations

import re
import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Mailbox:
    """What the loopback SMTP server received, in order."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].lower() == address.lower()]

    def recipients(self) -> list[str]:
        return sorted(m["To"].lower() for m in self.messages)


def body(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message: EmailMessage, path_pattern: str) -> str:
    """The path of the first link in the message matching ``path_pattern`` (host stripped)."""
    found = re.search(r"https?://[^/\s]+(" + path_pattern + r")", body(message))
    assert found, f"no link matching {path_pattern} in:\n{body(message)}"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, box
    controller.stop()


@pytest.fixture
def mailbox(app, smtp_server, monkeypatch) -> Mailbox:
    """Point the app's SMTP settings at the loopback server; empty before each test."""
    controller, box = smtp_server
    box.clear()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", controller.port)
    return box


@pytest.fixture
def dead_mail_server(app, monkeypatch) -> None:
    """A mail server address where nothing listens."""
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())
