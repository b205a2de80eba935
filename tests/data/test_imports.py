"""Bulk import: same layout as the export, same validation as the web form, all or nothing, idempotent."""
import io
import os

import pytest
from django.core.management import CommandError, call_command

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from analytics.data.imports import formula_escape_text, formula_unescape, responses_import, responses_import_path
from surveys.answering.readmodel import readmodel_delete
from surveys.models import Invitation, Response
from tests.data.conftest import DOMESTIC, record
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def q(mini_responses):
    return mini_responses[0].version.questionnaire


def export(q, path, fmt="csv"):
    export_write(questionnaire=q, options=ExportOptions(format=fmt), path=path)
    return path


def wipe(q):
    readmodel_delete(list(Response.objects.values_list("pk", flat=True)), q)
    Response.objects.all().delete()
    Invitation.objects.all().delete()


def import_text(q, text: str, **options):
    return responses_import(questionnaire=q, stream=io.BytesIO(text.encode()), filename="t.csv", **options)


def edit(path, column: str, row: int, value: str) -> str:
    """The CSV text of `path` with one cell changed (row 0 = first data row)."""
    import csv

    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows[row + 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_import_export_gives_the_same_file(q, tmp_path, fmt):
    first = export(q, tmp_path / f"first.{fmt}", fmt)
    answers = {r.invitation.firm_id: r.answers for r in Response.objects.select_related("invitation")}
    wipe(q)
    report = responses_import_path(questionnaire=q, path=first)
    assert report.ok and report.imported and report.created == 3, report.problems
    assert {r.invitation.firm_id: r.answers for r in Response.objects.select_related("invitation")} == answers
    assert set(Response.objects.values_list("mode", flat=True)) == {"import"}
    assert all(s.startswith("import:first") for s in Response.objects.values_list("source", flat=True))
    second = export(q, tmp_path / f"second.{fmt}", fmt)
    if fmt == "csv":
        assert second.read_bytes() == first.read_bytes()
    else:
        from openpyxl import load_workbook

        def cells(p):
            return [list(r) for r in load_workbook(p, read_only=True)["data"].iter_rows(values_only=True)]

        assert cells(second) == cells(first)


def test_reimporting_the_same_file_changes_nothing(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    before = list(Response.objects.order_by("pk").values_list("pk", "revision", "answers", "submitted_at"))
    report = responses_import_path(questionnaire=q, path=path)
    assert report.imported and (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert list(Response.objects.order_by("pk").values_list("pk", "revision", "answers", "submitted_at")) == before


def test_changed_rows_update_imported_responses(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    report = import_text(q, edit(path, "Q8_1", 1, "5"))
    assert report.imported and (report.updated, report.unchanged) == (1, 2)
    firm = Response.objects.order_by("pk")[1].invitation.firm
    assert Response.objects.get(invitation__firm=firm).answers["Q8.1"] == 5


def test_a_response_submitted_on_the_web_is_not_overwritten(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    Response.objects.update(mode="web")
    report = import_text(q, edit(path, "Q8_1", 1, "5"))
    assert not report.imported and "not overwritten" in str(report.problems[0])


@pytest.mark.parametrize(("column", "value", "reason"), [
    ("Q3", "7", "choose one of the listed"),  # a choice code that does not exist
    ("Q5_A", "40", "add up to 100 (now 110)"),  # a split of 110
    ("Q1", "19x0", "between 1800 and 2016"),
    ("Q7_FE", "2", "is not 0 or 1"),
])
def test_invalid_rows_are_reported_by_row_column_and_reason_and_nothing_is_imported(q, tmp_path, column, value,
                                                                                      reason):
    path = export(q, tmp_path / "x.csv")
    wipe(q)
    report = import_text(q, edit(path, column, 0, value))
    assert not report.imported and Response.objects.count() == 0
    problem = report.problems[0]
    assert problem.row == 2 and column.split("_")[0] in problem.column and reason in problem.reason
    assert "nothing imported" in report.summary()


def test_answer_to_an_item_skip_logic_hides_is_refused(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    wipe(q)
    report = import_text(q, edit(path, "Q4", 1, "20"))  # Q3 = 0 hides Q4
    assert not report.imported and Response.objects.count() == 0
    assert (report.problems[0].row, report.problems[0].column) == (3, "Q4")
    assert "skip logic hides" in report.problems[0].reason


def test_valid_only_imports_the_valid_rows(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    wipe(q)
    report = import_text(q, edit(path, "Q3", 0, "7"), valid_only=True)
    assert report.imported and (report.rows, report.valid, report.created) == (3, 2, 2)
    assert Response.objects.count() == 2


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty"),
    (b"name,turnover\nAcme,3\n", "not an export"),
    (b"firm,Q1,Q99\nF1,1990,3\n", "unknown columns"),
    (b"\x89PNG\r\n\x1a\n\x00\x00garbage", "binary"),
    (b"PK\x03\x04truncated zip", "damaged or truncated"),
    ("firm,Q1\nF1,1990\n".encode("utf-16"), "binary"),
    (b"firm,Q1\n\xff\xfe\xfa broken", "not UTF-8"),
])
def test_unreadable_files_give_a_clear_report(q, content, message):
    report = responses_import(questionnaire=q, stream=io.BytesIO(content), filename="bad")
    assert not report.imported and message in report.file_error and message in report.summary()


def test_truncated_file_imports_nothing(q, tmp_path):
    data = export(q, tmp_path / "x.csv").read_bytes()
    wipe(q)
    report = responses_import(questionnaire=q, stream=io.BytesIO(data[: len(data) - 40]), filename="cut.csv")
    assert not report.imported and Response.objects.count() == 0
    assert any("truncated" in p.reason for p in report.problems)


def test_truncated_xlsx_imports_nothing(q, tmp_path):
    data = export(q, tmp_path / "x.xlsx", "xlsx").read_bytes()
    report = responses_import(questionnaire=q, stream=io.BytesIO(data[: len(data) // 2]), filename="cut.xlsx")
    assert not report.imported and "damaged or truncated" in report.file_error


def test_fifty_megabytes_of_garbage_give_a_clear_report(q, tmp_path):
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(os.urandom(50 * 1024 * 1024))
    report = responses_import_path(questionnaire=q, path=garbage)
    assert not report.imported and ("binary" in report.file_error or "UTF-8" in report.file_error)
    text = tmp_path / "letters.csv"
    text.write_bytes(b"x" * (50 * 1024 * 1024))
    report = responses_import_path(questionnaire=q, path=text)
    assert not report.imported and report.file_error


def test_unknown_firm_and_duplicate_rows_are_problems(q, tmp_path):
    path = export(q, tmp_path / "x.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    report = import_text(q, "".join([lines[0], lines[-1], lines[-1]]))
    assert "earlier row" in report.problems[0].reason
    report = import_text(q, edit(path, "firm", 0, "FNOBODY"))
    assert "no firm 'FNOBODY'" in report.problems[0].reason


def test_firms_can_be_identified_by_tax_id_and_wave_given_on_the_command_line(q, tmp_path):
    firm = FirmFactory()
    path = tmp_path / "cati.csv"
    path.write_text("firm_identifier,Q1,Q2,Q3,Q8_1,Q9,Q10\n"
                    f"{firm.identifier},1980,500,0,1,ES,'=not a formula\n", encoding="utf-8")
    out = io.StringIO()
    call_command("import_responses", "--survey", q.code, str(path), "--wave", "v1", stdout=out)
    assert "1 created" in out.getvalue()
    response = Response.objects.get(invitation__firm=firm)
    assert response.mode == "import" and response.answers["Q10"] == "=not a formula"
    with pytest.raises(CommandError, match="nothing imported"):
        path.write_text(f"firm_identifier,Q3\n{firm.identifier},9\n", encoding="utf-8")
        call_command("import_responses", "--survey", q.code, str(path), stdout=io.StringIO())


def test_formula_escape_round_trips_and_spares_numbers():
    for text in ("=1+1", "+39 0422", "-5%", "@cmd", "'quoted", "plain", "-7", "-12.5", "1e5"):
        assert formula_unescape(formula_escape_text(text)) == text
    assert formula_escape_text("-7") == "-7" and formula_escape_text("=1+1") == "'=1+1"


def test_dont_know_codes_import_as_missing_answers(q, tmp_path):
    rec = record(q.latest_version(), FirmFactory(), DOMESTIC)
    assert rec.answers["Q3"] == 0
    path = export(q, tmp_path / "x.csv")
    wipe(q)
    assert responses_import_path(questionnaire=q, path=path).imported
    dk = Response.objects.get(answers__Q1={"missing": "DK"})
    assert dk.answers["Q2"] == {"missing": "RF"} and dk.answers["Q8.1"] == {"missing": "DK"}


def test_xlsx_typed_in_excel_imports_numbers_dates_and_decimal_commas(q, tmp_path):
    import datetime as dt

    import xlsxwriter

    firm = FirmFactory()
    path = tmp_path / "typed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("data")
    header = ["firm_identifier", "Q1", "Q2", "Q3", "Q4", "Q5_D", "Q5_A", "Q6", "Q7_EU", "Q7_FE", "Q7_OT", "Q7_NO",
              "Q8_1", "Q8_EU", "Q9", "Q11", "Q12"]
    sheet.write_row(0, 0, header)
    sheet.write_row(1, 0, [firm.identifier, 1990, 12000.0, 1, "12,5", 60, 40, 1, 1, 0, 0, 0, 4, 2, "ES", 3])
    sheet.write_datetime(1, 16, dt.datetime(2020, 5, 1), book.add_format({"num_format": "dd/mm/yyyy"}))
    book.close()
    report = responses_import_path(questionnaire=q, path=path, wave_code="v1")
    assert report.imported, report.problems
    answers = Response.objects.get(invitation__firm=firm).answers
    assert (answers["Q4"], answers["Q7"], answers["Q12"], answers["Q2"]) == (12.5, ["EU"], "2020-05-01", 12000)
