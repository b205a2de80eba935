"""Admin of the analytics app: each part registers its own models."""
from analytics.data import admin as data_admin  # noqa: F401  export jobs
from analytics.editing import admin as editing_admin  # noqa: F401  the editors' audit, rule results
from analytics.results import admin as results_admin  # noqa: F401  stored results, run log, weights
