"""Writes of the questionnaire engine: invitations, page saves, submission.

Every save runs in one transaction that locks the response row, checks the revision the page
was rendered from (a second tab or a double click carries an older one), validates, merges,
and upserts the typed read-model row, so answers and read model never disagree.
"""
from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from surveys.answering.audit import answer_edit_record
from surveys.answering.changes import change_position
from surveys.answering.paradata import page_visit_record, visit_seconds
from surveys.answering.readmodel import readmodel_upsert
from surveys.compiled import CompiledLookup, server_bound
from surveys.fieldwork.quotas import quota_cells_matching, quota_full_cell
from surveys.fieldwork.sequential import call_list_leave_on_web
from surveys.models import Response
from surveys.models.questionnaire import version_heavy_fields
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import PageResult, merge_page, validate_all, validate_page


class Conflict(Exception):
    """The response changed since the page was rendered."""


class AlreadySubmitted(Exception):
    pass


class ScreenedOut(Exception):
    """The case was closed because its quota cell is full: no more saves."""


class Incomplete(Exception):
    def __init__(self, module_code: str, errors: dict):
        self.module_code, self.errors = module_code, errors
        super().__init__(f"module {module_code} has errors")


# ------------------------------------------------------------------ answering
# Every page save locks its response row (SQL compiled once per process: surveys/compiled.py).
_LOCKED = CompiledLookup(
    lambda pk: (Response.objects.select_for_update(of=("self",))
                .select_related("version", "invitation", "version__questionnaire")
                .defer(*version_heavy_fields("version__")).filter(pk=pk)),
    placeholder=-1)


def _locked(response_id: int) -> Response:
    response = _LOCKED.get(response_id)
    if response is None:
        raise Response.DoesNotExist(f"no response {response_id}")
    return response


def _store(response: Response, fields: list[str]) -> None:
    response.change_seq = change_position()  # the API feed's position, in the same UPDATE
    response.save(update_fields=[*fields, "updated_at", "change_seq"])
    del response.change_seq  # an expression until read back: deferred, loaded if anybody asks
    readmodel_upsert([response], response.version.questionnaire, stamped=True)


@server_bound()  # the same few statements on every save: prepared once per connection
@transaction.atomic
def response_save_page(*, response_id: int, module_code: str, raw: dict, revision: int, language: str = "en",
                       seconds: float = 0, confirmed=(), mode: str | None = None,
                       allow_missing: bool = False, actor=None, device: str = "other",
                       messages: str | None = None) -> tuple[PageResult, Response]:
    """Validate and save one page. Nothing is saved when the page has errors.

    `seconds`: since the page was served (capped, surveys.answering.paradata); `device`: the device
    class of the browser that saved it. Both go to the page's paradata row.
    `language` reads the values (the respondent's); `messages`: the language of the error messages
    when it is not the respondent's (an interviewer's own).

    `actor`: the signed-in user saving on the firm's behalf (an interviewer); their changes are
    audited (surveys.answering.audit). Respondents' own saves pass None and copy nothing.
    """
    response = _locked(response_id)
    if response.status == Response.Status.SUBMITTED:
        raise AlreadySubmitted
    if response.screened_out_at:
        raise ScreenedOut
    if response.revision != revision:
        raise Conflict
    spec = spec_for_version(response.version)
    confirmed = set(confirmed) | set(response.confirmed_warnings)
    result = validate_page(spec, module_code, raw, response.answers, language=language, confirmed=confirmed,
                           allow_missing=allow_missing, messages=messages)
    if not result.ok:
        return result, response
    before = response.answers
    response.answers = merge_page(spec, response.answers, module_code, result.values)
    response.derived = spec.env(response.answers).derived()
    response.revision += 1
    response.confirmed_warnings = sorted(w for w in confirmed if w.split("#")[0] in spec.items)
    seconds = visit_seconds(seconds)
    response.page_seconds = {**response.page_seconds,
                             module_code: round(response.page_seconds.get(module_code, 0) + seconds, 1)}
    response.current_module = module_code
    if mode:
        response.mode = mode
    if response.status == Response.Status.INVITED:
        response.status = Response.Status.STARTED
        response.started_at = timezone.now()
    cells = _quota_screen(response, lock=False)
    _store(response, ["answers", "derived", "revision", "confirmed_warnings", "page_seconds", "current_module",
                      "mode", "status", "started_at", "screened_out_at"])
    if cells is not None:
        response.quota_cells.set(cells)
    page_visit_record(response_id=response.pk, module_code=module_code, now=response.updated_at, seconds=seconds,
                      mode=response.mode, device=device)
    if actor is not None:
        answer_edit_record(response=response, actor=actor, before=before, after=response.answers,
                           module_code=module_code, mode=response.mode)
    return result, response


def _quota_screen(response: Response, *, lock: bool) -> list | None:
    """The response's quota cells (None: the wave has no quota); sets screened_out_at when one is full."""
    cells = quota_cells_matching(response=response, fresh=lock)  # submission (lock) always looks
    if cells and quota_full_cell(cells=cells, response=response, lock=lock):
        response.screened_out_at = timezone.now()
    return cells


def first_incomplete_module(response: Response) -> tuple[str | None, dict]:
    spec = spec_for_version(response.version)
    answers: dict = {}
    for module in spec.modules:
        result = validate_page(spec, module.code, response.answers, answers, confirmed=_Everything(),
                               allow_missing=bool(spec.missing_codes))
        if result.errors:
            return module.code, result.errors
        answers.update(result.values)
    return None, {}


class _Everything:
    def __contains__(self, item) -> bool:
        return True


@transaction.atomic
def response_submit(*, response_id: int) -> tuple[Response, bool]:
    """Submit once; a second submit (double click, second tab) is a no-op returning False.

    A case whose quota cell filled up meanwhile is screened out instead (False, `screened_out_at` set).
    """
    response = _locked(response_id)
    if response.status == Response.Status.SUBMITTED or response.screened_out_at:
        return response, False
    module_code, errors = first_incomplete_module(response)
    if module_code:
        raise Incomplete(module_code, errors)
    cells = _quota_screen(response, lock=True)
    if cells is not None:
        response.quota_cells.set(cells)
    if response.screened_out_at:
        response.revision += 1
        _store(response, ["screened_out_at", "revision"])
        return response, False
    response.status = Response.Status.SUBMITTED
    response.submitted_at = timezone.now()
    response.revision += 1
    if response.started_at is None:
        response.started_at = response.submitted_at
    _store(response, ["status", "submitted_at", "revision", "started_at"])
    if response.mode == Response.Mode.WEB:  # answered on the web: no more telephone calls
        call_list_leave_on_web(invitation_id=response.invitation_id)
    schedule_results(response.version.questionnaire_id)
    schedule_editing(response.pk)
    return response, True


def schedule_results(questionnaire_id: int) -> None:
    """Ask analytics to recompute after commit (import here: analytics builds on surveys)."""
    try:
        from analytics.results.services import results_schedule_recompute
    except ImportError:  # analytics not installed in this deployment
        return
    results_schedule_recompute(questionnaire_id=questionnaire_id)


def schedule_editing(response_id: int) -> None:
    """Run the questionnaire's edit rules on the response after commit (analytics.editing)."""
    try:
        from analytics.editing.edits import editing_schedule
    except ImportError:  # analytics not installed in this deployment
        return
    editing_schedule(response_id=response_id)


def response_record(*, response: Response, answers: dict, language: str = "en", submitted_at=None,
                     mode: str = Response.Mode.IMPORT, source: str = "") -> Response:
    """Store a whole, already validated set of answers as a submitted response (imports, generators)."""
    spec = spec_for_version(response.version)
    now = submitted_at or timezone.now()
    response.answers = answers
    response.derived = spec.env(answers).derived()
    response.status = Response.Status.SUBMITTED
    response.mode, response.language, response.source = mode, language, source
    response.started_at = response.started_at or now - dt.timedelta(minutes=15)
    response.submitted_at = now
    response.revision += 1
    return response


def response_validate_full(*, response: Response, raw: dict, language: str = "en") -> tuple[dict, dict]:
    spec = spec_for_version(response.version)
    return validate_all(spec, raw, language=language, allow_missing=bool(spec.missing_codes))
