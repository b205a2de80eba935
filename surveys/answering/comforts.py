"""Respondent comforts: register data to confirm or correct, passing the link on, pre-filled answers.

The register (the sampling frame) is not overwritten by what a firm reports: samples were drawn and
strata formed on it. A firm's confirmation or correction is kept on its case (CaseEvent), feeds the
pre-filled answers, and shows staff where the register is wrong. Contact changes do update the
firm (reminders must reach the new person), through its audited history.
"""
from __future__ import annotations

from django.db import transaction

from surveys.authoring.waves import invitation_prefill
from surveys.models import CaseEvent, Firm, Invitation, ReferenceEntry, Response
from surveys.questionnaire.spec import ItemSpec, ModuleSpec, Spec

REGISTER_FIELDS = ("industry_code", "employees", "district")
# Items answered from register data: questionnaire code -> {item code: (firm field, reference list)}.
PREFILLED_ITEMS: dict[str, dict[str, tuple[str, str]]] = {
    "italian-districts-2016": {"A0.1": ("district", "DISTRICT")},
}
REGISTER_KINDS = (CaseEvent.Kind.REGISTER_CONFIRMED, CaseEvent.Kind.REGISTER_CORRECTED)


def prefilled_items(spec: Spec, invitation) -> dict[str, tuple[str, str]]:
    """The shipped mapping, plus the items the invitation's wave pre-fills (staff set them, no reference list)."""
    mapping = dict(PREFILLED_ITEMS.get(spec.code, {}))
    mapping.update({item: (field, "") for item, field in invitation_prefill(invitation).items() if item in spec.items})
    return mapping


# ------------------------------------------------------------------ register data
def register_item(spec: Spec, field: str) -> tuple[ItemSpec, str] | None:
    """The questionnaire item pre-filled from a register field, with its reference list, if any."""
    for code, (name, ref) in PREFILLED_ITEMS.get(spec.code, {}).items():
        if name == field and code in spec.items:
            return spec.items[code], ref
    return None


def register_choice(item: ItemSpec, ref: str, value) -> str | None:
    """The item's choice code for a register value given as code, reference key or label."""
    wanted = str(value or "").strip().casefold()
    if not wanted:
        return None
    entries = ReferenceEntry.objects.filter(reference_list__code=ref)
    keys = {e.code: (e.attributes or {}).get("key", "") for e in entries}
    for choice in item.choices:
        aliases = {str(choice.code), keys.get(str(choice.code), ""), *choice.label.values()}
        if wanted in {str(a).casefold() for a in aliases if a}:
            return str(choice.code)
    return None


def register_reported(invitation: Invitation) -> dict:
    """The register values as the firm last confirmed them, else as the register has them."""
    event = invitation.events.filter(kind__in=REGISTER_KINDS).order_by("-at", "-pk").first()
    firm = invitation.firm
    return dict(event.values) if event else {f: getattr(firm, f) for f in REGISTER_FIELDS}


def register_initial(invitation: Invitation, spec: Spec) -> dict:
    """The reported values, with those a questionnaire item asks for as the item's choice code."""
    values = register_reported(invitation)
    for field in REGISTER_FIELDS:
        found = register_item(spec, field)
        if found:
            values[field] = register_choice(*found, values.get(field)) or values.get(field)
    return values


@transaction.atomic
def register_confirm(*, invitation: Invitation, spec: Spec, values: dict, actor=None) -> CaseEvent:
    """Record the firm's register data as it confirms or corrects them (old values: the last reported)."""
    before = register_initial(invitation, spec)
    changes = {f: [before.get(f), values.get(f)] for f in REGISTER_FIELDS if before.get(f) != values.get(f)}
    kind = CaseEvent.Kind.REGISTER_CORRECTED if changes else CaseEvent.Kind.REGISTER_CONFIRMED
    return CaseEvent.objects.create(invitation=invitation, kind=kind, actor=actor, changes=changes,
                                    values={f: values.get(f) for f in REGISTER_FIELDS})


def register_prefill(spec: Spec, module: ModuleSpec, response: Response) -> dict:
    """Initial values for the page's register items the firm has not answered yet."""
    mapping = prefilled_items(spec, response.invitation)
    wanted = [i for i in module.items if i.code in mapping and i.code not in response.answers]
    if not wanted:
        return {}
    reported = register_initial(response.invitation, spec)
    firm = response.invitation.firm
    initial = {}
    for item in wanted:
        field, ref = mapping[item.code]
        value = reported.get(field) if field in REGISTER_FIELDS else getattr(firm, field, None)
        if item.choices:
            value = register_choice(item, ref, value)
        if value not in (None, ""):
            initial[item.code] = str(value)
    return initial


def register_answers_check(*, spec: Spec, module_code: str, response: Response, actor=None) -> CaseEvent | None:
    """After a page save: an answer to a register item that differs from the last reported value is recorded
    (and becomes the reported value, so saving the page again records nothing new)."""
    mapping = {code: entry for code, entry in prefilled_items(spec, response.invitation).items()
               if entry[0] in REGISTER_FIELDS}
    items = [i for i in spec.module(module_code).items if i.code in mapping and i.code in response.answers]
    if not items:
        return None
    reported = register_initial(response.invitation, spec)
    changes = {}
    for item in items:
        field = mapping[item.code][0]
        answer = response.answers[item.code]
        if not isinstance(answer, dict) and str(answer) != str(reported.get(field)):  # dict: don't know/refused
            changes[field] = [reported.get(field), str(answer)]
    if not changes:
        return None
    values = {**{f: reported.get(f) for f in REGISTER_FIELDS}, **{f: new for f, (_, new) in changes.items()}}
    return CaseEvent.objects.create(invitation=response.invitation, kind=CaseEvent.Kind.REGISTER_CORRECTED,
                                    actor=actor, changes=changes, values=values)


# ------------------------------------------------------------------ passing the link on
@transaction.atomic
def contact_handover(*, invitation: Invitation, contact_name: str, email: str, phone: str = "",
                     actor=None) -> CaseEvent:
    """The firm names a colleague to answer: the firm's contact changes (in its history) and the case records it."""
    firm = Firm.objects.select_for_update().get(pk=invitation.firm_id)
    new = {"contact_name": contact_name, "email": email, **({"phone": phone} if phone else {})}
    changes = {f: [getattr(firm, f), v] for f, v in new.items() if getattr(firm, f) != v}
    if changes:
        for field, (_, value) in changes.items():
            setattr(firm, field, value)
        firm._change_reason = f"link passed to a colleague (case {invitation.pk})"
        firm.save(update_fields=[*changes, "updated_at"])
    return CaseEvent.objects.create(invitation=invitation, kind=CaseEvent.Kind.CONTACT_PASSED, actor=actor,
                                    changes=changes, values=new)
