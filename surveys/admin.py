"""Admin of the surveys app: each part registers its own models."""
from surveys.api import admin as api_admin  # noqa: F401  personal API tokens
from surveys.authoring import admin as authoring_admin  # noqa: F401  definition drafts, wave settings
from surveys.cati import admin as cati_admin  # noqa: F401  telephone fieldwork and the audit log
from surveys.fieldwork import admin as fieldwork_admin  # noqa: F401  imports, samples, e-mail, tracking, quotas
from surveys.questionnaire import admin as questionnaire_admin  # noqa: F401  questionnaires, responses
