"""Models of the analytics app: stored results (results.py) and export jobs (exports.py)."""
from analytics.models.exports import ExportJob
from analytics.models.results import RecomputeRun, ResultSet, Weighting

__all__ = ["ExportJob", "RecomputeRun", "ResultSet", "Weighting"]
