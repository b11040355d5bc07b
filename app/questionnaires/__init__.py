"""Questionnaires: the YAML definitions, their validation, answer parsing and spreadsheet exchange.

Pure Python (no Flask, no database). The app stores ``to_dict(questionnaire)`` per version and rebuilds
it with ``parse_questionnaire``; see ``schema`` for the format, ``answers`` for canonical answer values
and ``workbook`` for the offline spreadsheet.
"""

from app.questionnaires.answers import (
    FieldError,
    ParsedAnswer,
    missing_required,
    parse_answer,
    parse_answers,
    visible_questions,
    visible_sections,
    without_hidden,
)
from app.questionnaires.errors import Problem, QuestionnaireError
from app.questionnaires.model import (
    MODALITIES,
    AnswerCondition,
    Check,
    Column,
    FileSpec,
    MustHaveRule,
    Option,
    Question,
    Questionnaire,
    Scoring,
    Section,
    Visibility,
)
from app.questionnaires.schema import (
    definition_hash,
    load_directory,
    load_questionnaire,
    parse_questionnaire,
    parse_yaml,
    to_dict,
)

__all__ = [
    "MODALITIES",
    "AnswerCondition",
    "Check",
    "Column",
    "FieldError",
    "FileSpec",
    "MustHaveRule",
    "Option",
    "ParsedAnswer",
    "Problem",
    "Question",
    "Questionnaire",
    "QuestionnaireError",
    "Scoring",
    "Section",
    "Visibility",
    "definition_hash",
    "load_directory",
    "load_questionnaire",
    "missing_required",
    "parse_answer",
    "parse_answers",
    "parse_questionnaire",
    "parse_yaml",
    "to_dict",
    "visible_questions",
    "visible_sections",
    "without_hidden",
]
