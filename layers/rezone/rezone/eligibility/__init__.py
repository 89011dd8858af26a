"""Eligibility to installation aids: vocabulary of answers, the pure rules engine, the questionnaire."""

from .engine import STATUSES, Ruleset, compile_rules, evaluate
from .questionnaire import answers_needed, questionnaire
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
