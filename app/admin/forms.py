from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email

from app import limits
from app.models import STAFF_ROLES
from app.web.fields import max_length, single_line


class InviteStaffForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), max_length(limits.PERSON_NAME), single_line])
    email = EmailField("E-mail", validators=[DataRequired(), Email(), max_length(limits.EMAIL), single_line])
    role = SelectField("Role", choices={r.value: r.value.capitalize() for r in STAFF_ROLES})
