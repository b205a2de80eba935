from .fieldwork import Firm, Invitation, Wave
from .questionnaire import Choice, DerivedVariable, Item, ItemRow, Module, Questionnaire, QuestionnaireVersion
from .reference import ReferenceEntry, ReferenceList
from .responses import Response

__all__ = [
    "Choice", "DerivedVariable", "Firm", "Invitation", "Item", "ItemRow", "Module", "Questionnaire",
    "QuestionnaireVersion", "ReferenceEntry", "ReferenceList", "Response", "Wave",
]
