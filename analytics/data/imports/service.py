"""The import itself: check every row, then store all of it (or its valid rows) in one transaction."""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from analytics.data.imports.cells import META_COLUMNS, formula_escape_text
from analytics.data.imports.layout import Layout
from analytics.editing.edits import editing_schedule_all
from surveys.answering.readmodel import questionnaire_variables, readmodel_upsert
from surveys.answering.saves import response_record, schedule_results
from surveys.fieldwork.invitations import wave_default
from surveys.models import Firm, Invitation, Questionnaire, Response, Wave
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import validate_all
from surveys.questionnaire.variables import column_name
from surveys.tabular import ImportFileError, table_read, xlsx_text
from surveys.tokens import new_salt, token_from_salt, token_hash


@dataclass
class Problem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column or '-'}: {self.reason}"


@dataclass
class ImportReport:
    filename: str = ""
    rows: int = 0
    valid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    imported: bool = False
    file_error: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.problems

    def summary(self) -> str:
        if self.file_error:
            return _("{file}: not imported: {error}").format(file=self.filename, error=self.file_error)
        bad = len({p.row for p in self.problems})
        head = _("{file}: {rows} rows, {valid} valid, {bad} with problems").format(
            file=self.filename, rows=self.rows, valid=self.valid, bad=bad)
        if not self.imported:
            return head + _("; nothing imported") + (_(" (fix the rows or use --valid-only)") if bad else "")
        return head + _("; {created} created, {updated} updated, {unchanged} unchanged").format(
            created=self.created, updated=self.updated, unchanged=self.unchanged)



@dataclass
class _Row:
    number: int
    firm: Firm
    wave: Wave
    answers: dict
    language: str
    started_at: dt.datetime | None
    submitted_at: dt.datetime | None


class _Importer:
    def __init__(self, questionnaire: Questionnaire, header: list[str], wave: Wave | None, report: ImportReport):
        self.questionnaire, self.header, self.report = questionnaire, header, report
        self.default_wave = wave
        self.names = {v.name for v in questionnaire_variables(questionnaire)}
        self.waves = {w.code: w for w in questionnaire.waves.select_related("version")}
        self.layouts: dict[int, Layout] = {}
        self.seen: set[tuple[int, int]] = set()

    def check_header(self) -> None:
        duplicates = sorted({h for h in self.header if self.header.count(h) > 1})
        if duplicates:
            raise ImportFileError(_("duplicate columns: {columns}").format(columns=", ".join(duplicates[:10])))
        unknown = [h for h in self.header if h not in self.names and h not in META_COLUMNS]
        if len(unknown) == len(self.header):
            raise ImportFileError(_("no column of {code} in the header: not an export of it").format(
                code=self.questionnaire.code))
        if unknown:
            raise ImportFileError(_("unknown columns (not variables of {code}): {columns}").format(
                code=self.questionnaire.code, columns=", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")))
        if "firm" not in self.header and "firm_identifier" not in self.header:
            raise ImportFileError(_("a 'firm' (pseudonym) or 'firm_identifier' column is needed"))

    def firms(self, rows: list[dict]) -> dict[tuple[str, str], Firm]:
        out = {}
        for column, attr in (("firm", "pseudonym"), ("firm_identifier", "identifier")):
            keys = sorted({r.get(column, "") for r in rows if r is not None} - {""})
            for start in range(0, len(keys), 5000):
                for firm in Firm.objects.filter(**{f"{attr}__in": keys[start:start + 5000]}):
                    out[(column, getattr(firm, attr))] = firm
        return out

    def layout(self, wave: Wave) -> Layout:
        if wave.version_id not in self.layouts:
            self.layouts[wave.version_id] = Layout(spec_for_version(wave.version), wave.version.number, self.names)
        return self.layouts[wave.version_id]

    def row(self, number: int, cells: dict[str, str], firms: dict) -> _Row | None:
        problems = self.report.problems
        before = len(problems)
        firm = self._firm(number, cells, firms)
        wave = self._wave(number, cells)
        meta = self._meta(number, cells, wave)
        if firm is None or wave is None or meta is None:
            return None
        if (firm.pk, wave.pk) in self.seen:
            problems.append(Problem(number, "firm", _("the same firm and wave appear in an earlier row")))
            return None
        self.seen.add((firm.pk, wave.pk))
        layout = self.layout(wave)
        raw, cell_problems = layout.raw(cells)
        problems.extend(Problem(number, column, reason) for column, reason in cell_problems)
        answers, errors = validate_all(layout.spec, raw, language="en", allow_missing=bool(layout.spec.missing_codes),
                                       strict=True)
        for key, messages in errors.items():
            columns = layout.key_columns.get(key) or [column_name(key)]
            label = ", ".join(columns[:3]) + (", ..." if len(columns) > 3 else "")
            problems.extend(Problem(number, label, message) for message in messages)
        if len(problems) > before:
            return None
        return _Row(number, firm, wave, answers, *meta)

    def _firm(self, number: int, cells: dict, firms: dict) -> Firm | None:
        for column in ("firm", "firm_identifier"):
            key = cells.get(column, "")
            if key:
                firm = firms.get((column, key))
                if firm is None:
                    problem = _("no firm {key} in the register").format(key=repr(key))
                    self.report.problems.append(Problem(number, column, problem))
                return firm
        self.report.problems.append(Problem(number, "firm", _("the firm is missing")))
        return None

    def _wave(self, number: int, cells: dict) -> Wave | None:
        code = cells.get("wave", "")
        wave = self.waves.get(code) if code else self.default_wave
        if wave is None:
            self.report.problems.append(Problem(number, "wave", _("no wave {wave} in {code}").format(
                wave=repr(code), code=self.questionnaire.code)))
        elif self.default_wave and wave != self.default_wave:
            problem = _("the row is for wave {row}, the import for {wave}").format(
                row=repr(code), wave=repr(self.default_wave.code))
            self.report.problems.append(Problem(number, "wave", problem))
            return None
        elif cells.get("version", "") not in ("", str(wave.version.number)):
            problem = _("wave {wave} uses version {number}").format(wave=wave.code, number=wave.version.number)
            self.report.problems.append(Problem(number, "version", problem))
            return None
        return wave

    def _meta(self, number: int, cells: dict, wave: Wave | None):
        problems = self.report.problems
        status = cells.get("status", "")
        if status not in ("", Response.Status.SUBMITTED):
            problem = _("only submitted responses can be imported, not {status}").format(status=repr(status))
            problems.append(Problem(number, "status", problem))
            return None
        language = cells.get("language", "") or ""
        if wave is not None and language and language not in (wave.version.languages or ["en"]):
            problem = _("{language} is not a language of this questionnaire").format(language=repr(language))
            problems.append(Problem(number, "language", problem))
            return None
        moments = []
        for column in ("started_at", "submitted_at"):
            try:
                moments.append(_moment(cells.get(column, "")))
            except ValueError:
                problems.append(Problem(number, column, _("not a date and time (YYYY-MM-DD HH:MM:SS, UTC)")))
                return None
        return (language, *moments)


def _moment(text: str) -> dt.datetime | None:
    if not text:
        return None
    moment = dt.datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.replace(microsecond=0)


def responses_import(*, questionnaire: Questionnaire, stream: BinaryIO, filename: str = "",
                     valid_only: bool = False, wave_code: str | None = None, source: str = "") -> ImportReport:
    """Check every row of a file, then store all of it (or only its valid rows) in one transaction."""
    report = ImportReport(filename=filename or "upload")
    try:
        _check_size(stream)
        wave = _wave_option(questionnaire, wave_code)
        # This platform's own exports are UTF-8: anything else is named, with the line, not guessed
        table = table_read(stream, encoding="utf-8")
        # XLSX text cells hold the text itself; escape them as CSV does, the layout unescapes
        cell = (lambda c: formula_escape_text(c) if isinstance(c, str) else xlsx_text(c)) \
            if table.encoding == "xlsx" else xlsx_text
        header, rows = table.header, [(line, [cell(c) for c in cells]) for line, cells in table.rows]
        importer = _Importer(questionnaire, header, wave, report)
        importer.check_header()
    except ImportFileError as exc:
        report.file_error = str(exc)
        return report
    if importer.default_wave is None and "wave" not in header:
        importer.default_wave = wave_default(questionnaire=questionnaire)
    records = _records(header, rows, report)
    firms = importer.firms([cells for _, cells in records])
    valid = [r for n, cells in records if cells is not None
             and (r := importer.row(n, cells, firms)) is not None]
    existing = _existing(valid)
    valid = [r for r in valid if _may_write(r, existing.get((r.firm.pk, r.wave.pk)), report)]
    report.rows, report.valid = len(rows), len(valid)
    if report.problems and not valid_only:
        return report
    _store(questionnaire, valid, existing, report, source or f"import:{report.filename}")
    return report


def _check_size(stream: BinaryIO) -> None:
    limit = settings.IMPORT_MAX_BYTES
    size = stream.seek(0, io.SEEK_END)
    stream.seek(0)
    if size > limit:
        raise ImportFileError(_("the file has {size} MB; at most {limit} MB can be imported").format(
            size=f"{size / 1e6:.0f}", limit=f"{limit / 1e6:.0f}"))


def _wave_option(questionnaire: Questionnaire, code: str | None) -> Wave | None:
    if not code:
        return None
    wave = questionnaire.waves.select_related("version").filter(code=code).first()
    if wave is None:
        raise ImportFileError(_("no wave {wave} in {code}").format(wave=repr(code), code=questionnaire.code))
    return wave


def _records(header: list[str], rows: list[tuple[int, list[str]]],
             report: ImportReport) -> list[tuple[int, dict | None]]:
    out: list[tuple[int, dict | None]] = []
    width = len(header)
    for number, row in rows:
        if len(row) != width:
            report.problems.append(Problem(number, "", _("has {cells} cells, the header has {width}: truncated or "
                                                         "damaged file").format(cells=len(row), width=width)))
            out.append((number, None))
            continue
        out.append((number, dict(zip(header, row, strict=True))))
    return out


def _unchanged(response: Response, row: _Row) -> bool:
    return (response.status == Response.Status.SUBMITTED and response.answers == row.answers
            and (not row.language or response.language == row.language)
            and (row.submitted_at is None or _seconds(response.submitted_at) == row.submitted_at))


def _seconds(moment: dt.datetime | None) -> dt.datetime | None:
    return moment.replace(microsecond=0) if moment else None


def _may_write(row: _Row, response: Response | None, report: ImportReport) -> bool:
    """A response submitted on the web or by an interviewer is never overwritten by a file."""
    if response is None or _unchanged(response, row) or response.status != Response.Status.SUBMITTED \
            or response.mode == Response.Mode.IMPORT:
        return True
    report.problems.append(Problem(row.number, "firm", _("this firm already submitted wave {wave} ({mode}) with other "
                                                         "answers; not overwritten").format(wave=row.wave.code,
                                                                                            mode=response.mode)))
    return False


RECORDED = ["answers", "derived", "status", "mode", "language", "source", "started_at", "submitted_at", "revision",
            "updated_at"]  # what response_record sets


def _store(questionnaire: Questionnaire, rows: list[_Row], existing: dict, report: ImportReport,
           source: str) -> None:
    """One transaction: new cases created in bulk, changed ones updated, every row upserted in the read model."""
    with transaction.atomic():
        fresh, changed = [], []
        for row in rows:
            response = existing.get((row.firm.pk, row.wave.pk))
            if response is None:
                fresh.append(row)
            elif _unchanged(response, row):
                report.unchanged += 1
            else:
                _record(response, row, source)
                response.save(update_fields=RECORDED)
                changed.append(response)
        created = _create(fresh, source)
        report.created, report.updated = len(created), len(changed)
        responses = created + changed
        for start in range(0, len(responses), 1000):
            readmodel_upsert(responses[start:start + 1000], questionnaire)
        report.imported = True
    if responses:
        schedule_results(questionnaire.pk)
        editing_schedule_all(questionnaire_id=questionnaire.pk)  # the edit rules (docs/editing.md)


def _record(response: Response, row: _Row, source: str) -> None:
    response.version = row.wave.version  # the wave's version, already loaded
    response.started_at = row.started_at or response.started_at
    response_record(response=response, answers=row.answers, language=row.language or response.language,
                    submitted_at=row.submitted_at, mode=Response.Mode.IMPORT, source=f"{source}#row{row.number}")


def _create(rows: list[_Row], source: str) -> list[Response]:
    """The cases of new rows, made as `invitation_issue` makes them but in bulk.

    invitation_issue costs five round trips per case (savepoint, lookup, two inserts, release):
    60 s for 10,000 rows on the 2-core machine. Like surveys.answering.generate, build the same rows here.
    """
    invitations = []
    for row in rows:
        salt = new_salt()
        languages = row.wave.version.languages or ["en"]
        language = row.language or (row.firm.language if row.firm.language in languages else languages[0])
        invitations.append(Invitation(wave=row.wave, firm=row.firm, token_salt=salt, language=language,
                                      token_hash=token_hash(token_from_salt(salt))))
    invitations = Invitation.objects.bulk_create(invitations, batch_size=2000)
    responses = []
    for row, invitation in zip(rows, invitations, strict=True):
        response = Response(invitation=invitation, version=row.wave.version, language=invitation.language)
        _record(response, row, source)
        responses.append(response)
    return Response.objects.bulk_create(responses, batch_size=2000)


def _existing(rows: list[_Row]) -> dict[tuple[int, int], Response]:
    out = {}
    firm_ids = sorted({r.firm.pk for r in rows})
    wave_ids = {r.wave.pk for r in rows}
    for start in range(0, len(firm_ids), 5000):
        # not select_related("version"): its definition is a large JSON document, parsed once per row
        chunk = firm_ids[start:start + 5000]
        for response in (Response.objects.select_related("invitation")
                         .filter(invitation__wave_id__in=wave_ids, invitation__firm_id__in=chunk)):
            out[(response.invitation.firm_id, response.invitation.wave_id)] = response
    return out


def responses_import_path(*, questionnaire: Questionnaire, path: Path, **options) -> ImportReport:
    with open(path, "rb") as stream:
        return responses_import(questionnaire=questionnaire, stream=stream, filename=Path(path).name, **options)
