"""Results dashboard for staff and analysts: stored results only, as tables, SVG charts and CSV downloads.

Access: logged-in staff, or users with the permission analytics.view_results. Viewers without the
permission analytics.see_small_cells see small cells hidden (settings.ANALYTICS_MIN_CELL), whatever
their staff status: the permission alone decides. Recomputing and the run log need
analytics.change_resultset.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from analytics.reports import ITEMS_BY_GROUP, report_get, report_menu, report_names
from analytics.results import selectors
from analytics.results.charts import chart_for, chart_svg
from analytics.results.forms import ScopeForm
from analytics.results.presentation import block_table, report_csv, report_tables, table_csv
from analytics.results.scopes import scope_resolve
from analytics.results.services import result_set_for, results_request_recompute
from surveys.access import questionnaire_for_code
from surveys.models import Questionnaire


def may_view_results(user) -> bool:
    return user.is_active and (user.is_staff or user.has_perm("analytics.view_results"))


def suppress_below(user) -> int:
    if user.has_perm("analytics.see_small_cells"):
        return 0
    return settings.ANALYTICS_MIN_CELL


def may_recompute(user) -> bool:
    return user.has_perm("analytics.change_resultset")


results_viewer = user_passes_test(may_view_results)


def _scope(request, questionnaire: Questionnaire, meta: dict) -> tuple[ScopeForm, dict, str, str]:
    form = ScopeForm(request.GET or None, questionnaire=questionnaire, meta=meta)
    if request.GET.get("scope"):  # download links carry the key of the scope they belong to
        return form, {}, "", request.GET["scope"]
    raw = form.filters() if form.is_valid() else {}
    group = form.cleaned_data.get("group", "") if form.is_valid() else ""
    filters, group, key = scope_resolve(questionnaire.code, raw, group)
    return form, filters, group, key


def _report_payloads(result_set, questionnaire: Questionnaire, name: str) -> list[dict]:
    """The stored report (a collection expands to its members); empty when not computed yet."""
    report = report_get(questionnaire.code, name)
    names = list(report.includes) if report and report.includes else [name]
    return [p for p in (selectors.result_report(result_set=result_set, name=n) for n in names) if p]


@login_required
@results_viewer
def results_home(request):
    rows = [{**row, "reports": report_menu(row["questionnaire"].code)}
            for row in selectors.questionnaires_with_results()]
    return render(request, "analytics/home.html", {"rows": rows})


@login_required
@results_viewer
def dashboard(request, code: str):
    questionnaire = questionnaire_for_code(code)
    meta = selectors.variable_meta(questionnaire=questionnaire)
    form, filters, group, key = _scope(request, questionnaire, meta)
    names = report_names(code)
    name = request.GET.get("report") if request.GET.get("report") in names else names[0]
    result_set = selectors.result_set_get(questionnaire=questionnaire, key=key)
    if result_set is None or result_set.computed_at is None:
        result_set = _compute_on_open(request, questionnaire, filters, group) or result_set
    hide = suppress_below(request.user)
    sections = []
    for payload in _report_payloads(result_set, questionnaire, name) if result_set else []:
        tables = report_tables(payload, suppress_below=hide)
        for table, block in zip(tables, payload["blocks"], strict=True):
            chart = chart_for(block, suppress_below=hide)
            table["svg"] = chart_svg(chart) if chart else ""
        sections.append({"report": payload, "tables": tables})
    return render(request, "analytics/dashboard.html", {
        "questionnaire": questionnaire, "form": form, "names": names, "name": name, "result_set": result_set,
        "sections": sections, "scope": key, "filters": filters, "group": group, "hide": hide,
        "runs": selectors.runs_recent(questionnaire=questionnaire) if may_recompute(request.user) else [],
        "query": urlencode({"scope": key}), "stale": _stale(result_set),
        "may_recompute": may_recompute(request.user), "menu": report_menu(code),
        "current": next(m for m in report_menu(code) if m["name"] == name),
        "nav_query": _without(request.GET, "report")})


def _compute_on_open(request, questionnaire: Questionnaire, filters: dict, group: str):
    """A view not stored yet is computed on first open (in the background; the page shows progress)."""
    try:
        result_set = result_set_for(questionnaire=questionnaire, filters=filters, group=group, user=request.user)
    except ValueError:
        return None
    results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0)
    result_set.refresh_from_db()
    return result_set


def _without(query, name: str) -> str:
    query = query.copy()
    query.pop(name, None)
    return query.urlencode()


def _stale(result_set) -> bool:
    return bool(result_set and result_set.requested_at and (
        result_set.snapshot_at is None or result_set.snapshot_at < result_set.requested_at))


@require_POST
@login_required
@results_viewer
def scope_create(request, code: str):
    """Ask for a view that is not stored yet: create its result set and compute it in the background."""
    questionnaire = questionnaire_for_code(code)
    meta = selectors.variable_meta(questionnaire=questionnaire)
    form = ScopeForm(request.POST, questionnaire=questionnaire, meta=meta)
    if not form.is_valid():
        raise Http404
    result_set_for(questionnaire=questionnaire, filters=form.filters(), group=form.cleaned_data.get("group", ""),
                   user=request.user)
    results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0)
    messages.info(request, _("The view is being computed; this page shows it once it is stored."))
    return redirect(reverse("results:dashboard", args=[code]) + "?" + request.POST.get("query", ""))


@require_POST
@login_required
def recompute(request, code: str):
    if not may_recompute(request.user):
        raise PermissionDenied
    questionnaire = questionnaire_for_code(code)
    results_request_recompute(questionnaire_id=questionnaire.pk, countdown=0)
    messages.info(request, _("Recompute requested."))
    return redirect("results:dashboard", code=code)


def _stored_block(request, code: str, report: str, block: str) -> tuple[dict, dict]:
    questionnaire = questionnaire_for_code(code)
    result_set = selectors.result_set_get(questionnaire=questionnaire, key=request.GET.get("scope", "all"))
    payload = selectors.result_report(result_set=result_set, name=report) if result_set else None
    found = next((b for b in (payload or {}).get("blocks", []) if b["id"] == block), None)
    if found is None:
        raise Http404
    return payload, found


def _download(body: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@results_viewer
def block_csv(request, code: str, report: str, block: str):
    payload, found = _stored_block(request, code, report, block)
    table = block_table(found, payload, suppress_below=suppress_below(request.user))
    body = table_csv(table, title=True, report=payload)
    return _download(body, "text/csv; charset=utf-8", f"{code}-{report}-{block}.csv")


@login_required
@results_viewer
def block_svg(request, code: str, report: str, block: str):
    _block, found = _stored_block(request, code, report, block)
    chart = chart_for(found, suppress_below=suppress_below(request.user))
    if chart is None:
        raise Http404
    return _download(chart_svg(chart), "image/svg+xml", f"{code}-{report}-{block}.svg")


@login_required
@results_viewer
def whole_report_csv(request, code: str, report: str):
    questionnaire = questionnaire_for_code(code)
    result_set = selectors.result_set_get(questionnaire=questionnaire, key=request.GET.get("scope", "all"))
    if result_set is None or report not in report_names(code) + [ITEMS_BY_GROUP]:
        raise Http404
    hide = suppress_below(request.user)
    payloads = _report_payloads(result_set, questionnaire, report)
    sections = [(p, report_tables(p, suppress_below=hide)) for p in payloads]
    return _download(report_csv(sections), "text/csv; charset=utf-8", f"{code}-{report}.csv")
