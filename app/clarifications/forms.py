"""Forms of the clarification page: a vendor's question, the buyer's answer."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from app import limits
from app.web.fields import max_length

AUDIENCES = {
    "vendor": "Only the vendor who asked",
    "all": "Every invited vendor (who asked is not shown)",
}


class AskForm(FlaskForm):
    question_id = SelectField("About", choices={"": "The evaluation as a whole"})
    question = TextAreaField(
        "Your question",
        validators=[DataRequired(message="Write your question."), max_length(limits.CLARIFICATION_QUESTION)],
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        "Answer", validators=[DataRequired(message="Write the answer."), max_length(limits.CLARIFICATION_ANSWER)]
    )
    audience = RadioField(
        "Send the answer to",
        choices=dict(AUDIENCES),
        default="vendor",
        validators=[DataRequired(message="Choose who receives the answer.")],
    )
    public_question = TextAreaField(
        "Question as every vendor will read it",
        validators=[max_length(limits.CLARIFICATION_QUESTION)],
        description="Only for answers to every vendor: reword anything that would give away who asked.",
    )

    def validate_public_question(self, field):
        if self.audience.data == "all" and not (field.data or "").strip():
            raise ValidationError("Write the question as every vendor will read it.")
