"""Subsidy rules as data: schema (validated, JSON-serialisable rule sets), the engine that
decides a claim with a full trace, the CEL escape hatch, and templates of the real rule sets."""

from .engine import ClaimInput, Decision, Usage, decide, subsidy_calculate
from .expressions import ExpressionError
from .schema import RuleSet
from .templates import TEMPLATES, template_copy, template_get

__all__ = ["TEMPLATES", "ClaimInput", "Decision", "ExpressionError", "RuleSet", "Usage", "decide",
           "subsidy_calculate", "template_copy", "template_get"]
