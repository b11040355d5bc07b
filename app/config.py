"""Configuration read from the environment, with safe local defaults."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _instance_secret(instance_path: Path) -> str:
    """Return a secret key kept under ``instance/``, generating it on first use.

    A generated key survives restarts so sessions and invitation links stay valid.
    """
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(instance_path: str) -> dict:
    """Build the Flask configuration mapping from environment variables."""
    instance = Path(instance_path)
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'datavet.sqlite'}"
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance),
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env.get("SESSION_COOKIE_SECURE", "0") == "1",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # The CSS framework is served from its installed package, never from a CDN.
        "BOOTSTRAP_SERVE_LOCAL": True,
        "UPLOAD_FOLDER": env.get("UPLOAD_FOLDER") or str(instance / "uploads"),
        "MAX_UPLOAD_MB": int(env.get("MAX_UPLOAD_MB", "20")),
        # Requests far beyond the upload limit are cut off before they are read.
        "MAX_CONTENT_LENGTH": (2 * int(env.get("MAX_UPLOAD_MB", "20")) + 1) * 1024 * 1024,
        # Sample batches: largest archive, what it may unpack to, and how many files it may hold.
        "MAX_SAMPLE_MB": int(env.get("MAX_SAMPLE_MB", "500")),
        "MAX_SAMPLE_UNPACKED_MB": int(env.get("MAX_SAMPLE_UNPACKED_MB", "2048")),
        "MAX_SAMPLE_FILES": int(env.get("MAX_SAMPLE_FILES", "5000")),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USE_SSL": env.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": env.get("MAIL_SENDER", "DataVet <no-reply@datavet.local>"),
        "PUBLIC_URL": env.get("PUBLIC_URL", ""),
        # Hosts the app answers for (comma-separated); default: PUBLIC_URL's host. Others get 400.
        "TRUSTED_HOSTS": [h.strip() for h in env["TRUSTED_HOSTS"].split(",") if h.strip()]
        if env.get("TRUSTED_HOSTS")
        else None,
        "INVITATION_DAYS": int(env.get("INVITATION_DAYS", "14")),
        "REDIS_URL": env.get("REDIS_URL", ""),
        # Sign-in protection: rate limits per client address, growing delays per (e-mail, client address).
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute; 100 per hour"),
        "PASSWORD_RESET_RATE_LIMIT": env.get("PASSWORD_RESET_RATE_LIMIT", "5 per minute; 20 per hour"),
        "INVITATION_RATE_LIMIT": env.get("INVITATION_RATE_LIMIT", "30 per hour"),
        "LOGIN_LOCKOUT_FAILURES": int(env.get("LOGIN_LOCKOUT_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(env.get("LOGIN_LOCKOUT_MINUTES", "15")),
        "PASSWORD_RESET_HOURS": int(env.get("PASSWORD_RESET_HOURS", "2")),
        "JOBS_MODE": env.get("JOBS_MODE", ""),  # rq | thread | inline; default: rq when REDIS_URL is set
        "JOB_RESULTS_FOLDER": env.get("JOB_RESULTS_FOLDER") or str(instance / "job-results"),
        "QUESTIONNAIRE_DIR": env.get("QUESTIONNAIRE_DIR")
        or str(Path(__file__).resolve().parent.parent / "questionnaires"),
    }
