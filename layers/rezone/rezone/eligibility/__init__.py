"""Eligibility to installation aids: vocabulary of answers, the pure rules engine, the questionnaire."""

from .engine import STATUSES, Ruleset, compile_rules, evaluate
from .questionnaire import answers_needed, questionnaire
from .vocabulary import QUESTION_NAMES, QUESTIONS

__all__ = ["evaluate", "compile_rules", "Ruleset", "STATUSES", "questionnaire", "answers_needed", "QUESTIONS",
           "QUESTION_NAMES"]
