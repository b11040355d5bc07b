"""The dashboard each role lands on, and the health check."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_login import current_user

from app import permissions
from app.evaluations import services as evaluation_services
from app.extensions import db
from app.models import Response
from app.web.security import public

bp = Blueprint("main", __name__)


@bp.get("/")
def dashboard():
    if permissions.is_vendor(current_user):
        responses = db.session.scalars(
            sa.select(Response)
            .where(Response.vendor_organisation_id == current_user.organisation_id)
            .options(sa.orm.joinedload(Response.evaluation))
            .order_by(Response.id.desc())
        ).all()
        return render_template("main/vendor_dashboard.html", responses=responses)
    evaluations = evaluation_services.evaluations_for(current_user)
    return render_template("main/dashboard.html", evaluations=evaluations)


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
