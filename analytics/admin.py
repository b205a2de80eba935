"""Admin of the analytics app."""
from analytics import (
    admin_exports,  # noqa: F401  (export jobs, issue 6)
    admin_results,  # noqa: F401  (stored results, run log, weights: issue 5)
)
