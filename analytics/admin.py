"""Admin of the analytics app."""
from analytics import admin_exports  # noqa: F401  (export jobs, issue 6)
