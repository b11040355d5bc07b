from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app import limits
from app.web.fields import max_length, single_line

MIN_PASSWORD = 12


def _strip(value):
    # Addresses pasted from e-mails often carry a space at either end.
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[DataRequired(), Email()], filters=[_strip])
    password = PasswordField("Password", validators=[DataRequired()])
    next = HiddenField()


class SetPasswordForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), max_length(limits.PERSON_NAME), single_line])
    password = PasswordField(
        "Password",
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "E-mail", validators=[DataRequired(), Email(), max_length(limits.EMAIL), single_line], filters=[_strip]
    )
