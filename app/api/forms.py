from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class NewTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(message="Name the token, e.g. after the tool using it."), Length(max=100)],
        description="What will use it, e.g. 'Sourcing suite' or 'Upload script'.",
    )
