"""Each role's workspace: where a user lands after sign-in and which sections the navigation bar links.

Permissions decide, not the staff flag: fieldwork staff land on the waves, interviewers on their call
list, analysts on the results; the admin is linked for administrators only (docs/roles.md).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url: str


def _fieldwork(user) -> bool:
    return user.has_perm("surveys.view_wave")


def _cati(user) -> bool:
    return user.has_perm("surveys.conduct_cati") or user.has_perm("surveys.supervise_cati")


def _results(user) -> bool:
    from analytics.results.views import may_view_results

    return may_view_results(user)


def _data(user) -> bool:
    from analytics.data.views import may_use_data

    return may_use_data(user)


def _admin(user) -> bool:
    return user.is_staff and (user.is_superuser or user.has_perm("auth.change_user"))


def workspace_sections(*, user) -> list[Section]:
    """The sections a signed-in user may open, in the order of the navigation bar."""
    if not user.is_authenticated:
        return []
    sections = []
    if _fieldwork(user):
        sections.append(Section("fieldwork", _("Fieldwork"), reverse("fieldwork:waves")))
    if _cati(user):
        sections.append(Section("cati", _("Telephone interviews"), reverse("cati:list")))
    if _results(user):
        sections.append(Section("results", _("Results"), reverse("results:home")))
    if user.has_perm("analytics.edit_responses"):
        sections.append(Section("editing", _("Editing"), reverse("editing:home")))
    if _data(user):
        sections.append(Section("data", _("Data"), reverse("data:home")))
        sections.append(Section("codebook", _("Codebook"), reverse("data:home") + "#codebooks"))
    if _admin(user):
        sections.append(Section("admin", _("Admin"), reverse("admin:index")))
    return sections


def workspace_home(*, user) -> str:
    """Where a role lands: an interviewer's call list, fieldwork waves, the results, data, or the admin."""
    if user.has_perm("surveys.conduct_cati") and not user.has_perm("surveys.supervise_cati"):
        return reverse("cati:list")
    for section in workspace_sections(user=user):
        if section.key != "codebook":
            return section.url
    return reverse("surveys:home")
