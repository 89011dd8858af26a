"""Eligibility to installation aids: vocabulary of answers, the typed rules, the pure engine, the questionnaire."""

from .engine import STATUSES, evaluate
from .questionnaire import answers_needed, questionnaire
from .rules import Ruleset, compile_rules
from .vocabulary import QUESTION_NAMES, QUESTIONS

__all__ = [
    "QUESTIONS",
    "QUESTION_NAMES",
    "STATUSES",
    "Ruleset",
    "answers_needed",
    "compile_rules",
    "evaluate",
    "questionnaire",
]
