"""Outgoing e-mail over SMTP, or to the log when no server is configured (development).

``send_mail`` sends one message and lets SMTP errors through (the caller's request fails
and rolls back). ``deliver`` sends a batch over one connection after the request's work
is committed, and reports failures instead of raising: a notification that could not be
sent must not undo the change it is about.

Header values never carry a line break: one in a title (forms refuse them, but older rows or other
callers may not) would otherwise end the Subject header early and break or forge the message, so
``Mail`` turns every control character in ``to`` and ``subject`` into a space. Logged headers are
written with ``repr`` so no value can start a log line of its own.
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app

from app.limits import one_line


@dataclass(frozen=True)
class Mail:
    """One plain-text e-mail to one recipient."""

    to: str
    subject: str
    body: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", one_line(self.to).strip())
        object.__setattr__(self, "subject", one_line(self.subject).strip())


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _message(mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    return message


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    smtp = smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10)
    try:
        if config["MAIL_USE_TLS"]:
            smtp.starttls()
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    except (smtplib.SMTPException, OSError):
        smtp.close()
        raise
    return smtp


def _log(mail: Mail) -> None:
    current_app.logger.info("E-mail to %r: %r\n%s", mail.to, mail.subject, mail.body)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send a plain-text message; without ``MAIL_SERVER`` it is written to the log instead."""
    mail = Mail(to, subject, body)
    if not current_app.config["MAIL_SERVER"]:
        _log(mail)
        return
    with _connect() as smtp:
        smtp.send_message(_message(mail))


def deliver(mails: Iterable[Mail]) -> DeliveryReport:
    """Send several messages over one connection; failures are logged and reported, never raised."""
    mails = list(mails)
    report = DeliveryReport()
    if not mails:
        return report
    if not current_app.config["MAIL_SERVER"]:
        for mail in mails:
            _log(mail)
            report.sent.append(mail.to)
        return report
    try:
        smtp = _connect()
    except (smtplib.SMTPException, OSError):
        current_app.logger.exception("Mail server unreachable; %d message(s) not sent", len(mails))
        report.failed.extend(mail.to for mail in mails)
        return report
    with smtp:
        for mail in mails:
            try:
                smtp.send_message(_message(mail))
            except (smtplib.SMTPException, OSError):
                current_app.logger.exception("E-mail to %r not sent: %r", mail.to, mail.subject)
                report.failed.append(mail.to)
            else:
                report.sent.append(mail.to)
    return report
