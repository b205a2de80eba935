"""The five roles of the agency as Django groups, each with the permissions it needs and no more.

Permissions are listed as patterns ("surveys.view_*") with exceptions, so a model a colleague adds
to the fieldwork app gets sensible rights without editing this file; `roles_install` sets each
group's permissions to exactly what the patterns give (re-runnable: stale rights are removed).
The codenames other code checks are documented in docs/roles.md.
"""
from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatch

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

ADMINISTRATOR = "agency administrator"
FIELDWORK = "fieldwork staff"
INTERVIEWER = "interviewer"
ANALYST = "analyst"
EDITOR = "editor"

# The questionnaire's definition tables: read by everybody who works with data, changed only by
# loading definition files (load_instruments), never in the admin.
DEFINITIONS = ("questionnaire", "questionnaireversion", "module", "item", "itemrow", "choice", "derivedvariable",
               "referencelist", "referenceentry")


@dataclass(frozen=True)
class Role:
    name: str
    grants: tuple[str, ...]
    denies: tuple[str, ...] = ()
    is_staff: bool = True  # may open the admin (only the models the permissions allow)


ROLES = {
    # axes.*: the sign-in lockouts, which administrators lift in the admin (docs/roles.md)
    ADMINISTRATOR: Role(ADMINISTRATOR, grants=("surveys.*", "analytics.*", "auth.*", "axes.*")),
    FIELDWORK: Role(
        FIELDWORK,
        grants=("surveys.view_*", "surveys.add_*", "surveys.change_*", "surveys.view_firm_contacts",
                "surveys.supervise_cati", "surveys.view_aggregates", "surveys.import_firms", "surveys.draw_sample",
                "surveys.send_messages", "surveys.record_bounce", "surveys.recompute_tracking", "analytics.view_*",
                "surveys.author_questionnaire"),
        # Answers change only through the questionnaire (audited); audit rows only by the system;
        # definitions only from files (uploaded on the authoring page); the outcome table is the administrator's.
        denies=(*(f"surveys.add_{m}" for m in DEFINITIONS), *(f"surveys.change_{m}" for m in DEFINITIONS),
                "surveys.add_response", "surveys.change_response", "surveys.add_answeredit",
                "surveys.change_answeredit", "surveys.add_caseevent", "surveys.change_caseevent",
                "surveys.add_historical*", "surveys.change_historical*", "surveys.add_outcomecode",
                "surveys.change_outcomecode", "surveys.change_callattempt",
                "surveys.*_outboxmessage",  # the platform's background work: the administrator's
                "surveys.*_apitoken"),  # others' API tokens: the administrator's (own tokens need no right)
    ),
    INTERVIEWER: Role(INTERVIEWER, grants=("surveys.conduct_cati",), is_staff=False),
    ANALYST: Role(
        ANALYST,
        grants=(*(f"surveys.view_{m}" for m in DEFINITIONS), "surveys.view_pseudonymised_data",
                "surveys.view_aggregates", "analytics.view_*", "analytics.add_exportjob"),
        # exports without identifiers: analytics.export_identifiers stays with the administrator;
        # analytics.see_small_cells too, so analysts see small cells hidden
        is_staff=False,  # results, data and codebook are their workspace; the admin is not
    ),
    # Data editors work the review queue (analytics.editing): they change values with a reason or accept
    # them, see the answers keyed by pseudonym beside the firm's register data, and the results.
    EDITOR: Role(
        EDITOR,
        grants=(*(f"surveys.view_{m}" for m in DEFINITIONS), "surveys.view_pseudonymised_data",
                "surveys.view_aggregates", "analytics.edit_responses", "analytics.view_editcase",
                "analytics.view_ruleresult", "analytics.view_valueedit", "analytics.view_results"),
        is_staff=False,
    ),
}


def _matches(perm: str, patterns) -> bool:
    return any(fnmatch(perm, p) for p in patterns)


def role_permissions(role: Role) -> list[Permission]:
    """The permissions a role's patterns select, minus its exceptions."""
    chosen = []
    for perm in Permission.objects.select_related("content_type"):
        name = f"{perm.content_type.app_label}.{perm.codename}"
        if _matches(name, role.grants) and not _matches(name, role.denies):
            chosen.append(perm)
    return chosen


@transaction.atomic
def roles_install() -> dict[str, int]:
    """Create the groups and set their permissions to exactly the role's; returns permission counts."""
    for app_config in apps.get_app_configs():  # permissions of models migrated without post_migrate
        create_permissions(app_config, verbosity=0)
    counts = {}
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.name)
        permissions = role_permissions(role)
        group.permissions.set(permissions)
        counts[role.name] = len(permissions)
    return counts


@transaction.atomic
def role_assign(*, user, role: str) -> None:
    """Give a user one role (its group, and admin access when the role has it)."""
    spec = ROLES[role]
    group, _ = Group.objects.get_or_create(name=spec.name)
    user.groups.remove(*Group.objects.filter(name__in=ROLES).exclude(pk=group.pk))
    user.groups.add(group)
    if user.is_staff != spec.is_staff:
        user.is_staff = spec.is_staff
        user.save(update_fields=["is_staff"])
