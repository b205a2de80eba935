from .api import ApiToken
from .audit import AnswerEdit, CaseEvent, DataAccess
from .authoring import DefinitionDraft, WaveSettings
from .cati import CallAttempt, CatiCase, OutcomeCode
from .fieldwork import Firm, Invitation, Wave
from .mailing import MailingPlan, Message, MessageTemplate, OptOut
from .outbox import OutboxMessage
from .preferences import UserPreference
from .questionnaire import Choice, DerivedVariable, Item, ItemRow, Module, Questionnaire, QuestionnaireVersion
from .quotas import Quota, QuotaCell
from .reference import ReferenceEntry, ReferenceList
from .responses import PageVisit, Response
from .sampling import PopulationImport, Sample, Selection, Stratum
from .tracking import WaveTracking

__all__ = [
    "Choice", "DerivedVariable", "Firm", "Invitation", "Item", "ItemRow", "Module", "Questionnaire",
    "QuestionnaireVersion", "ReferenceEntry", "ReferenceList", "Response", "Wave",
]
__all__ += ["MailingPlan", "Message", "OptOut", "PopulationImport", "Sample", "Selection", "Stratum",
            "WaveTracking"]  # fieldwork: sampling, mailing, tracking
__all__ += ["AnswerEdit", "CallAttempt", "CaseEvent", "CatiCase", "DataAccess", "OutcomeCode"]  # CATI, audit
__all__ += ["DefinitionDraft", "WaveSettings"]  # authoring
__all__ += ["ApiToken", "Quota", "QuotaCell"]  # API tokens, quotas
__all__ += ["MessageTemplate"]  # a wave's e-mail wording
__all__ += ["PageVisit"]  # paradata
__all__ += ["OutboxMessage"]  # background work waiting for the broker
__all__ += ["UserPreference"]  # the interface language a user chose
