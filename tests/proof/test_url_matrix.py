"""The role x URL x expected-status table, generated from the URL conf: every URL pattern is
requested (GET) by every role, and a URL without a rule in RULES fails the test, so a colleague's
new URL cannot ship without saying who may open it.

Roles: anonymous (a respondent's links carry their own token), interviewer, analyst, fieldwork
staff, agency administrator, and "nobody" (staff flag, no role). Admin URLs follow one rule,
checked per model permission below.
"""
from __future__ import annotations

import os

import pytest
from django.test import Client

from tests.proof.tally import TALLY
from tests.proof.urls import fill, parameters, routes

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "interviewer", "analyst", "fieldwork", "administrator", "nobody"]
L = 302  # to the sign-in page (or a redirect the screen makes)
# POST-only screens answer a GET with 405 before anything else: a GET shows or changes nothing.

# pattern: expected status per role, in the order of ROLES
RULES: dict[str, tuple[int, ...]] = {
    "": (200,) * 6,
    "s/<str:token>/": (200,) * 6,
    "s/<str:token>/language/": (405,) * 6,
    "s/<str:token>/p/<str:module>/": (200,) * 6,
    "s/<str:token>/p/<str:module>/relevance/": (405,) * 6,
    "s/<str:token>/review/": (200,) * 6,
    "s/<str:token>/submit/": (405,) * 6,
    "s/<str:token>/thanks/": (L,) * 6,  # not submitted yet: back to the welcome page
    "s/<str:token>/optout/": (200,) * 6,
    "s/<str:token>/register/": (405,) * 6,
    "s/<str:token>/handover/": (405,) * 6,
    "s/<str:token>/answers.pdf": (L,) * 6,  # only once submitted
    "accounts/login/": (200,) * 6,
    "accounts/logout/": (405,) * 6,
    "accounts/language/": (405,) * 6,
    "cati/": (L, 200, 403, 200, 200, 403),
    "cati/case/<int:pk>/": (L, 200, 403, 200, 200, 403),
    "cati/case/<int:pk>/attempt/": (405,) * 6,
    "cati/case/<int:pk>/interview/": (405,) * 6,
    "cati/case/<int:pk>/release/": (405,) * 6,
    "cati/case/<int:pk>/p/<str:module>/": (L, 200, 403, L, L, 403),  # not being interviewed: to the case
    "cati/case/<int:pk>/p/<str:module>/relevance/": (405,) * 6,
    "cati/case/<int:pk>/review/": (L, 200, 403, L, L, 403),
    "cati/case/<int:pk>/submit/": (405,) * 6,
    # issue-11: the data workspace goes by permission, not the staff flag (signed in without it: 403)
    "staff/data/": (L, 403, 200, 200, 200, 403),
    "staff/data/<slug:code>/exports/": (L, 403, 200, 200, 200, 403),
    "staff/data/<slug:code>/exports/new/": (405,) * 6,
    "staff/data/<slug:code>/exports/paradata/": (405,) * 6,
    "staff/data/exports/<uuid:key>/download/": (L, 403, 200, 404, 200, 403),  # the analyst's own export
    "staff/data/<slug:code>/codebook/": (L, 403, 200, 200, 200, 403),
    "staff/data/<slug:code>/codebook.<str:fmt>": (L, 403, 200, 200, 200, 403),
    "staff/data/<slug:code>/import/": (L, 403, 403, 403, 200, 403),
    "staff/": (L, 403, 200, 200, 200, 403),
    "staff/waves/<int:wave_id>/": (L, 403, 200, 200, 200, 403),
    "staff/waves/<int:wave_id>/recompute/": (405,) * 6,
    "staff/waves/<int:wave_id>/invite/": (405,) * 6,
    "staff/waves/<int:wave_id>/invite/confirm/": (L, 403, 403, 200, 200, 403),
    "staff/waves/<int:wave_id>/remind/": (405,) * 6,
    "staff/waves/<int:wave_id>/sample/": (L, 403, 403, 200, 200, 403),
    "staff/waves/<int:wave_id>/messages/": (L, 403, 403, 200, 200, 403),
    "staff/waves/<int:wave_id>/messages/<str:kind>/<str:language>/": (L, 403, 403, 200, 200, 403),
    "staff/waves/<int:wave_id>/messages/<str:kind>/<str:language>/preview/": (405,) * 6,
    "staff/waves/<int:wave_id>/messages/<str:kind>/<str:language>/test/": (405,) * 6,
    "staff/waves/<int:wave_id>/messages/<str:kind>/<str:language>/reset/": (405,) * 6,
    "staff/samples/<int:sample_id>/": (L, 403, 403, 200, 200, 403),
    "staff/samples/<int:sample_id>/firms.csv": (L, 403, 403, 200, 200, 403),
    "staff/population/import/": (L, 403, 403, 200, 200, 403),
    "staff/population/import/<int:import_id>/": (L, 403, 403, 200, 200, 403),
    "staff/population/import/<int:import_id>/check/": (405,) * 6,
    "staff/population/import/<int:import_id>/apply/": (405,) * 6,
    "results/": (L, L, 200, 200, 200, 200),
    "results/<slug:code>/": (L, L, 200, 200, 200, 200),
    "results/<slug:code>/views/": (405,) * 6,
    "results/<slug:code>/recompute/": (405,) * 6,
    "results/<slug:code>/<slug:report>.csv": (L, L, 404, 404, 404, 404),
    "results/<slug:code>/<slug:report>/<str:block>.csv": (L, L, 404, 404, 404, 404),
    "results/<slug:code>/<slug:report>/<str:block>.svg": (L, L, 404, 404, 404, 404),
    "s/<str:token>/p/<str:module>/back/": (405,) * 6,
    "s/<str:token>/closed/": (L,) * 6,  # only a case a full quota closed: others go to the welcome page
    "cati/case/<int:pk>/p/<str:module>/back/": (405,) * 6,
    "accounts/api-tokens/": (L, 200, 200, 200, 200, 200),  # every signed-in user manages their own tokens
    "accounts/api-tokens/<int:token_id>/revoke/": (405,) * 6,
    "staff/authoring/": (L, 403, 403, 200, 200, 403),
    "staff/authoring/upload/": (405,) * 6,
    "staff/authoring/drafts/<int:draft_id>/": (L, 403, 403, 404, 404, 403),  # no such draft
    "staff/authoring/drafts/<int:draft_id>/publish/": (405,) * 6,
    "staff/authoring/drafts/<int:draft_id>/preview/<slug:language>/": (L, 403, 403, 404, 404, 403),
    "staff/authoring/drafts/<int:draft_id>/preview/<slug:language>/done/": (L, 403, 403, 404, 404, 403),
    "staff/authoring/drafts/<int:draft_id>/preview/<slug:language>/<str:module>/": (L, 403, 403, 404, 404, 403),
    "staff/authoring/drafts/<int:draft_id>/preview/<slug:language>/<str:module>/relevance/": (405,) * 6,
    # the proof world's format is json, which a questionnaire is not exported as
    "staff/authoring/questionnaires/<slug:code>/export.<slug:fmt>": (L, 403, 403, 404, 404, 403),
    "staff/authoring/questionnaires/<slug:code>/waves/": (405,) * 6,
    "staff/authoring/waves/<int:wave_id>/settings/": (L, 403, 403, 200, 200, 403),
    # editing: analytics.edit_responses (editor, administrator); the audit is read by every analytics viewer
    "staff/editing/": (L, 403, 403, 403, 200, 403),
    "staff/editing/<slug:code>/": (L, 403, 403, 403, 200, 403),
    "staff/editing/<slug:code>/audit/": (L, 403, 200, 200, 200, 403),
    "staff/editing/responses/<int:pk>/": (L, 403, 403, 403, 404, 403),  # the proof world's response is not submitted
    "staff/editing/responses/<int:pk>/edit/": (405,) * 6,
    "staff/editing/responses/<int:pk>/accept/": (405,) * 6,
    "api/v1/schema/": (200,) * 6,
    "api/v1/docs/": (200,) * 6,
    # the API takes personal tokens only (a signed-in browser session is not enough): 401 without one
    **{pattern: (401,) * 6 for pattern in (
        "api/v1/questionnaires/", "api/v1/questionnaires/<slug:code>/",
        "api/v1/questionnaires/<slug:code>/versions/<version:number>/", "api/v1/questionnaires/<slug:code>/codebook/",
        "api/v1/questionnaires/<slug:code>/responses/", "api/v1/questionnaires/<slug:code>/waves/",
        "api/v1/questionnaires/<slug:code>/waves/<slug:wave>/tracking/", "api/v1/questionnaires/<slug:code>/results/",
        "api/v1/questionnaires/<slug:code>/results/<slug:report>/", "api/v1/questionnaires/<slug:code>/exports/",
        "api/v1/exports/<uuid:key>/", "api/v1/exports/<uuid:key>/download/")},
    "^api/": (404,) * 6,  # any other /api/ path: a JSON 404
}


def _admin_expected(route, role: str, user) -> set[int]:
    """Admin pages: signed-out and non-staff users go to the admin sign-in; staff get a model's page
    when its ModelAdmin grants the action, 403 otherwise (a missing object id redirects to the index)."""
    from django.contrib.admin import ModelAdmin
    from django.test import RequestFactory

    name = route.name.removeprefix("admin:")
    if route.pattern == "admin/login/":  # the throttled sign-in page
        return {200, 302}
    if role in ("anonymous", "interviewer") or not (user and user.is_active and user.is_staff):
        return {302}  # non-staff (the analyst since issue-11): to the admin sign-in
    model_admin = getattr(route.callback, "model_admin", None)
    if model_admin is None:  # index, app lists, password pages, autocomplete, catch-all
        return {200, 302, 403, 404, 405}
    request = RequestFactory().get("/")
    request.user = user
    action = name.rsplit("_", 1)[-1]
    if action == "changelist":
        return {200} if model_admin.has_view_or_change_permission(request) else {403}
    if action == "add":
        custom = type(model_admin).add_view is not ModelAdmin.add_view  # e.g. redirects to a staff screen
        allowed = model_admin.has_add_permission(request)
        return ({200, 302} if allowed else {403}) | ({302} if custom else set())
    if action == "change":
        return {302} if model_admin.has_view_or_change_permission(request) else {403}
    if action == "delete":
        return {302} if model_admin.has_delete_permission(request) else {403}
    if action == "history":  # missing object: the admin's redirect, or simple_history's 404
        return {302, 404}
    return {200, 302, 403, 404}


def test_every_url_has_a_rule_and_every_role_gets_it(world):
    users = {"anonymous": None, **{r: world.users[r] for r in ROLES if r != "anonymous"}}
    values = parameters(world)
    missing, wrong, seen = [], [], {}
    for route in routes():
        admin = route.pattern.startswith("admin/")
        if not admin and route.pattern not in RULES and not os.environ.get("PROOF_SHOW_STATUSES"):
            missing.append(route.pattern)
            continue
        path = fill(route.pattern, values)
        for index, role in enumerate(ROLES):
            client = Client(raise_request_exception=False)
            if users[role]:
                client.force_login(users[role])
            status = client.get(path).status_code
            seen.setdefault(route.pattern, []).append(status)
            TALLY["url matrix: requests (URL x role)"] += 1
            rule = RULES.get(route.pattern, (0,) * 6)  # (0, ...): a new URL shown with PROOF_SHOW_STATUSES
            expected = _admin_expected(route, role, users[role]) if admin else {rule[index]}
            if status not in expected or status >= 500:
                wrong.append(f"{role:13} GET {path} -> {status}, expected {sorted(expected)}")
    TALLY["url matrix: URL patterns"] = len(routes())
    if os.environ.get("PROOF_SHOW_STATUSES"):  # to write a new URL's rule: review, then copy
        print("\n".join(f'    "{p}": {tuple(v)},' for p, v in seen.items() if not p.startswith("admin/")))
    assert not missing, f"URLs without a rule in RULES (add one): {missing}"
    assert not wrong, "\n".join(wrong)
