"""Writes of the audit trail for answers: staff saves and submissions, with old and new values.

Firm and Invitation rows are audited by django-simple-history (surveys/models/audit.py); the
history user comes from simple_history's request middleware, the reason from `_change_reason`.
"""
from __future__ import annotations

from surveys.models import AnswerEdit, Response


def answer_changes(before: dict, after: dict) -> dict[str, list]:
    """{key: [old, new]} for every answer key whose value differs (None when absent)."""
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def answer_edit_record(*, response: Response, actor, before: dict, after: dict, module_code: str, mode: str,
                       action: str = AnswerEdit.Action.SAVE) -> AnswerEdit:
    return AnswerEdit.objects.create(response=response, actor=actor, action=action, mode=mode or "",
                                     module_code=module_code, revision=response.revision,
                                     changes=answer_changes(before, after))
