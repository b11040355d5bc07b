from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FloatField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, InputRequired, NumberRange, Optional, ValidationError

from app import limits
from app.evaluations.services import MODALITIES, DeadlineError, check_deadline
from app.scoring.model import CURRENCIES, DEFAULT_CURRENCY
from app.web.fields import LocalDateTimeField, MultiCheckboxField, max_length, single_line


def _future(form, field):
    """A new evaluation's deadline: the same rule as the API (``check_deadline``)."""
    if field.data is not None:
        try:
            check_deadline(None, field.data)
        except DeadlineError as error:
            raise ValidationError(str(error)) from error


class EvaluationForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), max_length(limits.EVALUATION_TITLE), single_line])
    description = TextAreaField("What you are buying", validators=[max_length(limits.EVALUATION_DESCRIPTION)])
    questionnaire = SelectField("Questionnaire", coerce=int, validators=[InputRequired()])
    deadline = LocalDateTimeField(
        "Response deadline (your time zone)", validators=[DataRequired(message="Enter a date and time."), _future]
    )
    modalities = MultiCheckboxField(
        "Modalities collected",
        choices=dict(MODALITIES),
        validators=[DataRequired(message="Choose at least one modality.")],
    )
    sealed = BooleanField("Keep responses sealed until the deadline", default=True)


class DeadlineForm(FlaskForm):
    deadline = LocalDateTimeField(
        "Response deadline (your time zone)", validators=[DataRequired(message="Enter a date and time.")]
    )


class OpenEarlyForm(FlaskForm):
    reason = TextAreaField(
        "Why open the responses now",
        validators=[
            DataRequired(message="Say why; every invited vendor is told."),
            max_length(limits.OPEN_EARLY_REASON),
        ],
    )
    confirm = BooleanField(
        "I understand that the evaluation closes to every vendor now and that they are told.",
        validators=[DataRequired(message="Tick to confirm.")],
    )


class InviteVendorForm(FlaskForm):
    vendor_name = StringField(
        "Vendor organisation", validators=[DataRequired(), max_length(limits.VENDOR_NAME), single_line]
    )
    email = EmailField("Contact e-mail", validators=[DataRequired(), Email(), max_length(limits.EMAIL), single_line])


class AssignEvaluatorForm(FlaskForm):
    evaluator = SelectField("Evaluator", coerce=int)
    section = SelectField("Scores section")
    is_lead = BooleanField("Lead evaluator (sets consensus)")


class RequirementsForm(FlaskForm):
    locales = TextAreaField(
        "Required locales",
        description="One per line: locale (BCP 47), minimum contributors, minimum hours. Example: en-GB, 200, 500",
        validators=[max_length(limits.REQUIREMENTS_TEXT)],
    )
    demographics = TextAreaField(
        "Demographic targets",
        description="One attribute per line: attribute: category=share, ... with the categories listed below "
        "(the labels vendors see, or their keys). Shares add up to 1 or 100. Example: Gender: Female=50, Male=50",
        validators=[max_length(limits.REQUIREMENTS_TEXT)],
    )
    devices = MultiCheckboxField("Required device classes", choices={})
    environments = MultiCheckboxField("Required capture environments", choices={})
    award_date = DateField(
        "Planned award date", validators=[Optional()], description="Certificates must be valid on this date."
    )
    budget_per_unit = FloatField("Budget per accepted unit", validators=[Optional(), NumberRange(min=0.01)])
    unit = SelectField("Unit", choices={"hour": "hour of speech", "image": "image", "item": "item"})
    currency = SelectField(
        "Currency",
        choices={code: f"{code} ({name})" for code, name in CURRENCIES.items()},
        default=DEFAULT_CURRENCY,
        description="ISO 4217 code of the budget and of the prices vendors quote.",
    )
    must_have_share = FloatField(
        "Must-have share of each mandatory locale (%)",
        validators=[Optional(), NumberRange(min=1, max=100, message="Enter a percentage from 1 to 100.")],
        description="A vendor fails the coverage must-have when it commits less than this share of a mandatory "
        "locale's required contributors or hours. Empty means 50.",
    )


class CloseScoringForm(FlaskForm):
    confirm = BooleanField(
        "I understand that the scores, consensus and ranking are frozen as they are now, "
        "and only an explicit re-score can change them.",
        validators=[DataRequired(message="Tick to confirm.")],
    )


class RescoreForm(FlaskForm):
    fingerprint = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(
        "Replace the stored results with the results above.",
        validators=[DataRequired(message="Tick to confirm.")],
    )
