"""The interviewer's screens: the call list, a case with its calls, and the interview itself.

The interview pages are the respondent's pages (surveys.answering.pageflow) saved on the firm's behalf:
mode "cati", don't know / refused offered, every save audited, the case locked to the interviewer.
"""
from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from surveys.access import cati_case_for_user
from surveys.answering.pageflow import Channel, back_view, base_context, page_view, relevance_view, resume_target
from surveys.answering.pages import review_sections
from surveys.answering.saves import Incomplete
from surveys.cati.calls import (
    CaseClosed,
    CaseLocked,
    call_attempt_record,
    call_list,
    case_lock,
    case_unlock,
    cati_interview_start,
    cati_interview_submit,
)
from surveys.cati.forms import CallAttemptForm
from surveys.models import CatiCase, Response
from surveys.models.questionnaire import version_heavy_fields
from surveys.questionnaire.spec import spec_for_version

WEB_ACTIVE = dt.timedelta(minutes=30)  # a web save this recent: the respondent may be answering right now
CONFLICT = gettext_lazy("The respondent (on the web) or another user saved answers for this case meanwhile. The page "
                        "now shows the saved answers: check them with the respondent and save again.")


def interviewer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not (user.has_perm("surveys.conduct_cati") or user.has_perm("surveys.supervise_cati")):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@interviewer_required
def call_list_view(request):
    return render(request, "cati/call_list.html", {**call_list(user=request.user), "now": timezone.now()})


@interviewer_required
def case(request, pk):
    return _case_screen(request, cati_case_for_user(request.user, pk), CallAttemptForm())


def _case_screen(request, case: CatiCase, form, status: int = 200):
    response, now = case.invitation.response, timezone.now()
    web_active = (response.mode == Response.Mode.WEB and response.status == Response.Status.STARTED
                  and response.updated_at > now - WEB_ACTIVE)
    return render(request, "cati/case.html", {
        "case": case, "firm": case.invitation.firm, "response": response, "form": form,
        "calls": case.calls.select_related("outcome", "interviewer").order_by("-called_at", "-pk"),
        "locked_by_other": case.is_locked_for(request.user, now), "web_active": web_active,
        "events": case.invitation.events.all()[:5]}, status=status)


@require_POST
@interviewer_required
def attempt(request, pk):
    case = cati_case_for_user(request.user, pk)
    form = CallAttemptForm(request.POST)
    if not form.is_valid():
        return _case_screen(request, case, form, status=422)
    try:
        call = call_attempt_record(case_id=case.pk, user=request.user, **form.cleaned_data)
    except (CaseLocked, CaseClosed) as exc:
        messages.error(request, _why(exc))
        return redirect("cati:case", pk=case.pk)
    except ValidationError as exc:
        form.add_error("appointment_at", exc)
        return _case_screen(request, case, form, status=422)
    messages.success(request, _("Call to {firm} logged: {outcome}.").format(firm=case.invitation.firm.name,
                                                                           outcome=call.outcome.shown_label))
    return redirect("cati:list")


@require_POST
@interviewer_required
def interview(request, pk):
    """Start or continue the interview: take the case and open the page after the last saved one."""
    case = cati_case_for_user(request.user, pk)
    try:
        cati_interview_start(case_id=case.pk, user=request.user)
    except (CaseLocked, CaseClosed) as exc:
        messages.error(request, _why(exc))
        return redirect("cati:case", pk=case.pk)
    response = Response.objects.select_related("version").defer(*version_heavy_fields("version__")).get(
        invitation__cati=case)
    target = resume_target(spec_for_version(response.version), response)
    return redirect(_page_url(case, target))


@require_POST
@interviewer_required
def release(request, pk):
    case = cati_case_for_user(request.user, pk)
    case_unlock(case_id=case.pk, user=request.user, force=request.user.has_perm("surveys.supervise_cati"))
    return redirect("cati:list")


def _page_url(case: CatiCase, target: str) -> str:
    if target == "review":
        return reverse("cati:review", kwargs={"pk": case.pk})
    return reverse("cati:page", kwargs={"pk": case.pk, "module": target})


def _why(exc: Exception) -> str:
    if isinstance(exc, CaseLocked):
        until = timezone.localtime(exc.case.locked_until)
        return _("{user} is working on this case (locked until {until}).").format(user=exc.case.locked_by,
                                                                                 until=f"{until:%H:%M}")
    return _("Nothing to do: {reason}.").format(reason=exc)


def _working_case(request, pk) -> tuple[CatiCase | None, object]:
    """The case, locked (renewed) for the interviewer; otherwise a redirect to the case screen."""
    case = cati_case_for_user(request.user, pk)
    try:
        case_lock(case_id=case.pk, user=request.user)
    except CaseLocked as exc:
        messages.error(request, _why(exc))
        return None, redirect("cati:case", pk=case.pk)
    if case.invitation.response.status == Response.Status.SUBMITTED:
        messages.info(request, _("The questionnaire has been submitted."))
        return None, redirect("cati:case", pk=case.pk)
    return case, None


def _channel(request, case: CatiCase) -> Channel:
    kwargs = {"pk": case.pk}
    case_url = reverse("cati:case", kwargs=kwargs)
    return Channel(namespace="cati", kwargs=kwargs, start=case_url, done=case_url, mode=Response.Mode.CATI,
                   allow_missing=True, actor=request.user, template="cati/page.html", conflict=CONFLICT,
                   audience="interviewer", interface=translation.get_language(),
                   context={"case": case, "firm": case.invitation.firm})


@interviewer_required
def page(request, pk, module):
    case, refused = _working_case(request, pk)
    if case is None:
        return refused
    return page_view(request, _channel(request, case), case.invitation.response, module)


@require_POST
@interviewer_required
def page_back(request, pk, module):
    case, refused = _working_case(request, pk)
    if case is None:
        return refused
    return back_view(request, _channel(request, case), case.invitation.response, module)


@require_POST
@interviewer_required
def relevance(request, pk, module):
    return relevance_view(request, cati_case_for_user(request.user, pk).invitation.response, module)


@interviewer_required
def review(request, pk):
    case, refused = _working_case(request, pk)
    if case is None:
        return refused
    response = case.invitation.response
    sections = review_sections(spec_for_version(response.version), response.answers, response.language,
                               audience="interviewer", interface=translation.get_language())
    for section in sections:
        section["url"] = _page_url(case, section["code"]) + "?return=review"
    return render(request, "cati/review.html", base_context(
        response, interface=translation.get_language(), case=case, firm=case.invitation.firm, sections=sections))


@require_POST
@interviewer_required
def submit(request, pk):
    case = cati_case_for_user(request.user, pk)
    try:
        submitted = cati_interview_submit(case_id=case.pk, user=request.user)
    except Incomplete as exc:
        messages.error(request, _("Some answers are still missing on this page."))
        return redirect(_page_url(case, exc.module_code) + "?incomplete=1")
    except (CaseLocked, CaseClosed) as exc:
        messages.error(request, _why(exc))
        return redirect("cati:case", pk=case.pk)
    if submitted.screened_out_at:  # the firm's quota cell filled up meanwhile (AAPOR 4.80)
        messages.info(request, _("The quota cell of {firm} is full: the case is closed, its answers are kept. Thank "
                                 "the respondent and end the call.").format(firm=case.invitation.firm.name))
    else:
        messages.success(request,
                         _("Interview with {firm} submitted. Thank you!").format(firm=case.invitation.firm.name))
    return redirect("cati:list")
