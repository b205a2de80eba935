"""Hostile input gets a 4xx and a message, never a 500: NUL bytes, huge numbers, junk `next`,
workbooks that claim a million rows. Run on PostgreSQL too (it refuses NUL in text; SQLite does not)."""
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from analytics.data.imports import responses_import
from surveys.fieldwork.population import population_check
from surveys.models import OptOut, Response
from surveys.questionnaire.spec import spec_for_version
from surveys.questionnaire.validation import validate_all, validate_page
from surveys.tabular import ImportFileError as TableError
from surveys.tabular import table_read, xlsx_check_bounds
from tests.proof.conftest import PAGE1, hostile_xlsx

pytestmark = pytest.mark.django_db

HUGE = ["1" * 28, "9" * 400, "1e309", "-1e309", "1E+999999999", "1E-999999999", "-0E+5", "inf", "-Infinity", "nan",
        "sNaN", "1e-400", "12345678901234567890123456789.5", "0x10", "1_000", "١٢٣"]


@pytest.mark.parametrize("raw", HUGE)
def test_huge_or_malformed_numbers_get_a_message_from_the_one_validation_path(mini_version, raw):
    spec = spec_for_version(mini_version)
    result = validate_page(spec, "M1", {**PAGE1, "Q2": raw}, {})
    assert "Q2" in result.errors or result.values["Q2"] == Decimal(raw), result.errors
    answers, errors = validate_all(spec, {**PAGE1, "Q4": raw, "Q3": "1"})
    assert "Q4" in errors or answers["Q4"] == float(Decimal(raw))


def test_a_number_beyond_any_business_figure_says_so(mini_version):
    result = validate_page(spec_for_version(mini_version), "M1", {**PAGE1, "Q2": "1" * 30}, {})
    assert result.errors["Q2"] == ["This number is too large."]


@pytest.mark.parametrize("raw", ["1e309", "9" * 60, "nan"])
def test_pages_and_the_live_skip_logic_answer_huge_numbers_with_4xx_or_json(client, world, raw):
    r = client.post(reverse("surveys:page", args=[world.token, "M1"]), {**PAGE1, "Q4": raw, "page_revision": 0})
    assert r.status_code == 422 and 'id="error-Q4"' in r.content.decode()  # the message next to the field
    r = client.post(reverse("surveys:relevance", args=[world.token, "M1"]), {**PAGE1, "Q2": raw, "Q3": "1"})
    assert r.status_code == 200 and "items" in json.loads(r.content)
    world.invitation.response.refresh_from_db()
    assert world.invitation.response.revision == 0 and world.invitation.response.answers == {}


@pytest.mark.parametrize("field", ["Q10", "Q1", "page_revision", "confirm:Q2#0", "Q7"])
def test_nul_in_a_page_field_is_refused_with_a_message_and_nothing_saved(client, world, field):
    r = client.post(reverse("surveys:page", args=[world.token, "M1"]), {**PAGE1, "page_revision": 0,
                                                                        field: "abc\x00def"})
    assert r.status_code == 400 and "NUL character" in r.content.decode()
    world.invitation.response.refresh_from_db()
    assert world.invitation.response.revision == 0 and world.invitation.response.answers == {}


def test_nul_in_the_opt_out_reason_and_in_query_parameters_is_refused(client, world):
    r = client.post(reverse("surveys:optout", args=[world.token]), {"reason": "no\x00thanks"})
    assert r.status_code == 400 and "NUL" in r.content.decode() and not OptOut.objects.exists()
    client.force_login(world.users["administrator"])
    r = client.get(reverse("results:dashboard", args=[world.code]), {"scope": "all\x00"})
    assert r.status_code == 400
    assert client.get(reverse("results:dashboard", args=[world.code]), {"x\x00": "1"}).status_code == 400
    assert client.get(f"/s/{world.token}%00/").status_code == 400


def test_a_session_cookie_with_a_nul_is_ignored_not_looked_up(client, world):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get(reverse("surveys:welcome", args=[world.token])).status_code == 200


@pytest.mark.parametrize("target,expected", [
    ("junk", None), ("//evil.example/x", None), ("https://evil.example/", None), ("/\\evil.example", None),
    ("javascript:alert(1)", None), ("", None), ("/s/abc/review/", "/s/abc/review/")])
def test_language_switch_redirects_to_same_site_paths_only(client, world, target, expected):
    r = client.post(reverse("surveys:language", args=[world.token]), {"language": "en", "next": target})
    assert r.status_code == 302
    assert r["Location"] == (expected or reverse("surveys:welcome", args=[world.token]))


def test_login_next_to_another_site_is_ignored(client, world):
    r = client.post("/accounts/login/?next=//evil.example/", {"username": "administrator",
                                                               "password": "pw-administrator"})
    assert r.status_code == 302 and "evil" not in r["Location"]


# ------------------------------------------------------------------ spreadsheets checked before parsing
@pytest.mark.parametrize("workbook", [
    hostile_xlsx(),  # the dimension claims the whole sheet
    hostile_xlsx("A1:B2", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),  # one far cell
])
def test_the_bounds_check_refuses_a_workbook_claiming_a_huge_sheet(workbook):
    assert len(workbook) < 2000
    with pytest.raises(TableError, match="1,048,576 rows x 16,384 columns"):
        xlsx_check_bounds(io.BytesIO(workbook))
    xlsx_check_bounds(io.BytesIO(hostile_xlsx("A1:B1")))  # the same file, honest, passes


def test_the_bounds_check_refuses_a_zip_bomb_by_its_central_directory(settings):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/worksheets/sheet1.xml", b"<a/>" + b" " * 50_000_000)
    assert len(out.getvalue()) < 100_000
    with pytest.raises(TableError, match="zip bomb"):
        xlsx_check_bounds(io.BytesIO(out.getvalue()))


def test_the_register_import_refuses_the_hostile_workbook_before_parsing(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(hostile_xlsx("A1:B2", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    report = population_check(path=path, mapping={"identifier": "identifier", "name": "name"}).report
    assert "cells accepted" in report.file_errors[0]


def test_the_response_import_refuses_the_hostile_workbook_before_parsing(mini_version):
    with pytest.raises(TableError, match="cells accepted"):
        table_read(io.BytesIO(hostile_xlsx()))
    report = responses_import(questionnaire=mini_version.questionnaire, stream=io.BytesIO(hostile_xlsx()),
                              filename="x.xlsx")
    assert "cells accepted" in report.file_error and not Response.objects.filter(mode="import").exists()


def test_the_register_upload_page_answers_the_hostile_workbook_with_a_message(client, world):
    client.force_login(world.users["fieldwork"])
    upload = SimpleUploadedFile("register.xlsx", hostile_xlsx(), content_type="application/octet-stream")
    r = client.post(reverse("fieldwork:import-upload"), {"file": upload, "encoding": "auto", "decimal": "auto",
                                                         "turnover_multiplier": "1", "source": "x"}, follow=True)
    assert r.status_code in (200, 422) and "cells accepted" in r.content.decode()


def test_the_response_import_page_answers_huge_numbers_and_the_hostile_workbook(client, world):
    client.force_login(world.users["administrator"])
    url = reverse("data:import", args=[world.code])
    upload = SimpleUploadedFile("x.xlsx", hostile_xlsx(), content_type="application/octet-stream")
    r = client.post(url, {"file": upload})
    assert r.status_code == 422 and "cells accepted" in r.content.decode()
    firm = world.case.invitation.firm
    csv = f"firm,Q1,Q2,Q3\n{firm.pseudonym},1990,1e309,0\n{firm.pseudonym},{'9' * 40},12,0\n".encode()
    r = client.post(url, {"file": SimpleUploadedFile("x.csv", csv, content_type="text/csv")})
    assert r.status_code == 422
