"""Models of the analytics app: stored results (results.py), export jobs (exports.py),
editing (editing.py)."""
from analytics.models.editing import EditCase, RuleResult, ValueEdit
from analytics.models.exports import ExportJob
from analytics.models.results import RecomputeRun, ResultSet, Weighting

__all__ = ["EditCase", "ExportJob", "RuleResult", "ValueEdit", "RecomputeRun", "ResultSet", "Weighting"]
