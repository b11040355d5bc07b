"""DataVet: evaluate and choose AI training-data collection vendors."""

from __future__ import annotations

import logging
import os

from flask import Flask

from app.config import load_config
from app.extensions import bootstrap, csrf, db, login_manager, migrate
from app.links import check_public_url
from app.web.input_guard import CleanInputRequest


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application; ``overrides`` replace configuration values (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_mapping(load_config(app.instance_path))
    if overrides:
        app.config.update(overrides)
    check_public_url(app)
    app.request_class = CleanInputRequest  # NUL characters never reach the database
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_request_hooks(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    # WeasyPrint narrates every rendering step at INFO.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def register_extensions(app: Flask) -> None:
    from app import models  # noqa: F401  (models must be mapped before Alembic or queries run)

    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"), render_as_batch=True
    )
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        from app.models import User

        # A session names the person and their session generation ("12:3"); after a logout, a new
        # password or a deactivation the generation moves on, and older sessions no longer load.
        user_id, _, generation = session_id.partition(":")
        if not user_id.isdigit() or not generation.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or user.session_generation != int(generation):
            return None
        return user


def register_blueprints(app: Flask) -> None:
    from app.admin.views import bp as admin_bp
    from app.auth.views import bp as auth_bp
    from app.evaluations import closing_views, weights_views  # noqa: F401  (routes on evaluations_bp)
    from app.evaluations.views import bp as evaluations_bp
    from app.jobs.views import bp as jobs_bp
    from app.main.views import bp as main_bp
    from app.reports.views import bp as reports_bp
    from app.responses.views import bp as responses_bp
    from app.reviews.views import bp as reviews_bp
    from app.workbooks.views import bp as workbooks_bp

    for blueprint in (
        main_bp,
        auth_bp,
        admin_bp,
        evaluations_bp,
        responses_bp,
        reviews_bp,
        reports_bp,
        jobs_bp,
        workbooks_bp,
    ):
        app.register_blueprint(blueprint)

    # Vendor portal: clarification questions and each person's time-zone preference.
    from app.clarifications.views import bp as clarifications_bp
    from app.profile.views import bp as profile_bp

    app.register_blueprint(clarifications_bp)
    app.register_blueprint(profile_bp)

    # Sample batches: required per modality, uploaded by vendors, measured by a background job.
    from app.sample_batches.views import bp as sample_batches_bp

    app.register_blueprint(sample_batches_bp)

    # JSON API under /api/v1 (bearer tokens, OpenAPI document) and the page managing API tokens.
    from app.api import init_api

    init_api(app)

    # Reliability and security: audit trail page, personal-data requests, limits on sign-in forms.
    from app.audit.views import bp as audit_trail_bp
    from app.auth.ratelimit import init_rate_limits
    from app.privacy.views import bp as privacy_bp

    app.register_blueprint(audit_trail_bp)
    app.register_blueprint(privacy_bp)
    init_rate_limits(app)  # after every blueprint: it wraps the sign-in views


def register_template_helpers(app: Flask) -> None:
    from app import permissions
    from app.web.formatting import register_filters

    app.jinja_env.globals.update(permissions.PREDICATES)
    register_filters(app)


def register_request_hooks(app: Flask) -> None:
    from app.transaction import register_transaction
    from app.web.security import register_security

    register_security(app)
    register_transaction(app)  # registered last, so it runs first: headers see the committed state


def register_error_handlers(app: Flask) -> None:
    from app.web.errors import register_errors

    register_errors(app)


def register_commands(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)

    from app.responses.reminders import send_reminders_command

    app.cli.add_command(send_reminders_command)

    from app.backup.cli import evaluation_group
    from app.privacy.cli import user_group

    app.cli.add_command(evaluation_group)
    app.cli.add_command(user_group)

    # First accounts: buyer organisations, staff accounts and API tokens from the shell.
    from app.admin.cli import create_user_command, org_group, token_group

    user_group.add_command(create_user_command)
    app.cli.add_command(org_group)
    app.cli.add_command(token_group)
