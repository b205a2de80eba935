"""Every export format on the mini instrument: codes, labels in two languages, missing values,
multiple choice, grids, 'other' texts, derived variables, pseudonymisation, formula escaping."""
import csv
import datetime as dt
import io

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import load_workbook

from analytics.data.export.jobs import export_write
from analytics.data.export.options import ExportOptions
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = pytest.mark.django_db


def export(questionnaire, tmp_path, fmt="csv", **options):
    path = tmp_path / f"out.{fmt}"
    export_write(questionnaire=questionnaire, options=ExportOptions(format=fmt, **options), path=path)
    return path


def csv_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.fixture
def q(mini_responses):
    return mini_responses[0].version.questionnaire


def test_csv_has_one_row_per_response_and_one_column_per_variable(q, tmp_path):
    rows = csv_rows(export(q, tmp_path))
    assert len(rows) == 3
    first, domestic, missing = rows
    assert list(first)[:8] == ["firm", "wave", "version", "status", "mode", "language", "started_at",
                               "submitted_at"]
    # multiple choice as 0/1 per choice, 'other' text, grid rows, split parts, derived variables
    assert [first[c] for c in ("Q7_EU", "Q7_FE", "Q7_OT", "Q7_NO")] == ["1", "0", "1", "0"]
    assert first["Q7_other"] == "'=HYPERLINK(\"http://evil\")"
    assert (first["Q8_1"], first["Q8_EU"], first["Q5_D"], first["Q5_A"]) == ("3", "4", "70", "30")
    assert (first["Q4"], first["OFFSHORING"], first["SIZE"]) == ("30.5", "1", "LARGE")
    assert first["Q10"] == 'Ciao, "tutti"\nsecond line'
    # clean: off the skip path -7; don't know -8, refused -9
    assert (domestic["Q4"], domestic["Q7_EU"], domestic["Q8_EU"], domestic["Q11"]) == ("-7", "-7", "-7", "-7")
    assert (missing["Q1"], missing["Q2"], missing["Q8_1"]) == ("-8", "-9", "-8")


def test_raw_export_leaves_items_off_the_skip_path_empty(q, tmp_path):
    domestic = csv_rows(export(q, tmp_path, clean=False))[1]
    assert (domestic["Q4"], domestic["Q7_EU"], domestic["Q11"]) == ("", "", "")
    assert domestic["Q8_1"] == "2" and domestic["OFFSHORING"] == "0"


def test_labels_in_two_languages(q, tmp_path):
    it = csv_rows(export(q, tmp_path, labels=True, language="it"))
    en = csv_rows(export(q, tmp_path, labels=True, language="en"))
    assert (it[0]["Q3"], en[0]["Q3"]) == ("Sì", "Yes")
    assert (it[0]["Q7_EU"], en[0]["Q7_EU"]) == ("Selezionato", "Selected")
    assert (it[0]["Q9"], en[0]["Q9"]) == ("Francia", "France")
    assert (it[2]["Q8_1"], en[2]["Q8_1"]) == ("Non sa", "Don't know")
    assert (it[1]["Q7_EU"], en[1]["Q7_EU"]) == ("Non pertinente", "Not applicable")
    assert en[0]["OFFSHORING"] == "Offshoring" and en[0]["Q2"] == "12000"  # scale variables keep numbers


def test_formula_escaping_keeps_negative_codes_as_numbers(q, tmp_path):
    text = export(q, tmp_path).read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and "\"'-5% margin, +3 staff @home\"" in text
    assert ",-7,-7," in text and ",-8,-9," in text  # unquoted numbers, no apostrophe


def test_pseudonymised_by_default_identifiers_on_request(q, tmp_path, mini_responses):
    firm = mini_responses[0].invitation.firm
    text = export(q, tmp_path).read_text(encoding="utf-8")
    assert firm.pseudonym in text
    for secret in (firm.identifier, firm.name, firm.email, firm.phone):
        assert secret not in text
    row = csv_rows(export(q, tmp_path, include_identifiers=True))[0]
    assert (row["firm_identifier"], row["email"]) == (firm.identifier, firm.email)
    assert row["phone"] == "'" + firm.phone  # '+39 ...' escaped like any cell starting with +


def test_filters_by_disposition_mode_wave_and_date(q, tmp_path, mini_responses):
    wave = wave_default(questionnaire=q)
    invitation_issue(wave=wave, firm=FirmFactory())  # invited, no answers
    Response.objects.filter(pk=mini_responses[1].pk).update(mode="cati")
    from surveys.answering.readmodel import readmodel_upsert

    readmodel_upsert(list(Response.objects.select_related("invitation", "version")), q)
    assert len(csv_rows(export(q, tmp_path))) == 3
    assert len(csv_rows(export(q, tmp_path, statuses=()))) == 4
    assert len(csv_rows(export(q, tmp_path, statuses=("invited",)))) == 1
    unsaved = invitation_issue(wave=wave, firm=FirmFactory())[0]  # invited, never opened: no read-model row
    invited = csv_rows(export(q, tmp_path, statuses=("invited",)))
    assert len(invited) == 2 and {r["status"] for r in invited} == {"invited"}
    assert unsaved.firm.pseudonym in {r["firm"] for r in invited} and invited[1]["Q1"] == ""
    assert len(csv_rows(export(q, tmp_path, statuses=()))) == 5
    assert len(csv_rows(export(q, tmp_path))) == 3
    assert [r["mode"] for r in csv_rows(export(q, tmp_path, modes=("cati",)))] == ["cati"]
    assert len(csv_rows(export(q, tmp_path, waves=(wave.code,)))) == 3
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert len(csv_rows(export(q, tmp_path, since=tomorrow))) == 0
    assert len(csv_rows(export(q, tmp_path, until=tomorrow))) == 3
    with pytest.raises(ValueError, match="unknown wave"):
        export(q, tmp_path, waves=("nope",))


def test_free_text_can_be_left_out(q, tmp_path):
    header = csv_rows(export(q, tmp_path, free_text=False))[0].keys()
    assert "Q10" not in header and "Q7_other" not in header and "Q7_EU" in header


def test_parquet_schema_is_stable_and_labelled(q, tmp_path):
    full = pq.read_table(export(q, tmp_path, "parquet"))
    empty = pq.read_table(export(q, tmp_path, "parquet", statuses=("started",)))
    # same columns, types and per-column labels; only the file-level note of the options differs
    assert full.schema.remove_metadata().equals(empty.schema.remove_metadata(), check_metadata=True)
    assert empty.num_rows == 0 and full.schema.metadata[b"questionnaire"] == b"mini-test"
    assert str(full.schema.field("Q3").type) == "int64" and str(full.schema.field("Q4").type) == "double"
    assert full.schema.field("Q3").metadata[b"label"] == b"Do you outsource?"
    frame = full.to_pandas()
    assert frame["Q7_EU"].tolist() == [1, -7, -7] and frame["Q1"].tolist()[2] == -8


def test_sav_has_labels_measures_and_declared_missing_values(q, tmp_path):
    frame, meta = pyreadstat.read_sav(str(export(q, tmp_path, "sav", language="it")), user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["Q1"] == "Fondata?" and labels["Q3"] == "Do you outsource?"
    assert meta.variable_value_labels["Q3"] == {1: "Sì", 0: "No", -7: "Non pertinente", -8: "Non sa",
                                                -9: "Rifiuta"}
    assert meta.variable_value_labels["Q7_EU"][1] == "Selezionato"
    assert {r["lo"] for r in meta.missing_ranges["Q8_1"]} == {-7, -8, -9}
    assert meta.variable_measure["Q8_1"] == "ordinal" and meta.variable_measure["Q2"] == "scale"
    assert meta.variable_measure["Q3"] == "nominal"
    assert frame["Q7_EU"].tolist() == [1, -7, -7] and frame["Q7_other"][0] == '=HYPERLINK("http://evil")'
    plain, _ = pyreadstat.read_sav(str(tmp_path / "out.sav"))  # user missing values read as system missing
    assert plain["Q1"].isna().tolist() == [False, False, True]


def test_dta_reads_in_pandas_with_value_labels(q, tmp_path):
    path = export(q, tmp_path, "dta")
    labelled = pd.read_stata(path)
    assert labelled["Q3"].tolist() == ["Yes", "No", "Yes"]
    assert labelled["Q7_EU"].tolist()[0] == "Selected" and labelled["Q7_EU"].isna().tolist() == [False, True, True]
    with pd.io.stata.StataReader(path) as reader:
        reader.read()
        assert reader.variable_labels()["Q1"] == "Founded?"
        assert reader.value_labels()  # label sets are stored
    codes = pd.read_stata(path, convert_categoricals=False)
    assert codes["Q8_1"].tolist()[:2] == [3, 2] and pd.isna(codes["Q8_1"].tolist()[2])


def test_dta_has_extended_missing_values_and_label_sets_named_after_their_variable(q, tmp_path):
    path = export(q, tmp_path, "dta")
    frame, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert frame["Q8_1"].tolist() == [3, 2, "b"] and frame["Q7_EU"].tolist() == [1, "a", "a"]
    assert frame["Q2"].tolist()[2] == "c"  # refused
    assert meta.variable_to_label["Q3"] == "Q3" and meta.variable_to_label["Q8_1"] == "Q8_1"
    assert meta.value_labels["Q8_1"]["b"] == "Don't know" and meta.value_labels["Q7_EU"]["a"] == "Not applicable"
    with pd.io.stata.StataReader(path) as reader:
        reader.read()
        assert set(reader.value_labels()) >= {"Q3", "Q8_1"}


def test_xlsx_has_data_codebook_and_value_label_sheets(q, tmp_path):
    book = load_workbook(export(q, tmp_path, "xlsx", language="it"), read_only=True)
    assert book.sheetnames == ["data", "codebook", "value_labels"]
    data = list(book["data"].iter_rows(values_only=True))
    header, first = data[0], dict(zip(data[0], data[1], strict=True))
    assert header[0] == "firm" and first["Q7_EU"] == 1 and first["Q4"] == 30.5
    assert first["Q7_other"] == "=HYPERLINK(\"http://evil\")"  # a text cell holding the text unchanged
    assert isinstance(first["started_at"], dt.datetime)  # a real date, not text
    assert dict(zip(header, data[2], strict=True))["Q4"] == -7  # a number, not text
    codebook = {r[0]: r for r in book["codebook"].iter_rows(values_only=True)}
    assert "Fondata?" in codebook["Q1"]
    value_labels = list(book["value_labels"].iter_rows(values_only=True))
    assert ("Q3", 1, "Sì") in value_labels and ("Q3", -8, "Non sa") in value_labels


def test_csv_and_xlsx_carry_the_same_values(q, tmp_path):
    rows = csv_rows(export(q, tmp_path))
    book = load_workbook(export(q, tmp_path, "xlsx"), read_only=True)
    data = list(book["data"].iter_rows(values_only=True))
    from analytics.data.imports import xlsx_text
    from analytics.data.imports.cells import formula_escape_text

    # XLSX text cells hold the text itself; CSV escapes it (as the import does for XLSX before reading)
    assert [dict(zip(data[0], (formula_escape_text(xlsx_text(v)) for v in r), strict=True))
            for r in data[1:]] == rows


def test_export_command_writes_the_file(q, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "cmd.sav"
    call_command("export_responses", "--survey", q.code, "--format", "sav", "-o", str(out), "--raw",
                 "--no-free-text", "--status", "all", "--language", "it", stdout=io.StringIO())
    frame, meta = pyreadstat.read_sav(str(out))
    assert len(frame) == 3 and "Q10" not in frame.columns


def test_spss_keeps_codes_when_labels_are_asked_for(q, tmp_path):
    frame, meta = pyreadstat.read_sav(str(export(q, tmp_path, "sav", labels=True)))
    assert frame["Q3"].tolist() == [1, 0, 1] and meta.variable_value_labels["Q3"][1] == "Yes"


def test_design_weights_are_exported_when_analytics_has_a_weighting(q, tmp_path):
    from analytics.models import Weighting

    assert "weight" not in csv_rows(export(q, tmp_path))[0]
    Weighting.objects.create(questionnaire=q, stratum_column="Q3", population={"1": 50, "0": 100})
    rows = csv_rows(export(q, tmp_path))
    assert [r["weight"] for r in rows] == ["25", "100", "25"]  # N_h / m_h: two firms in stratum 1, one in 0
    _, meta = pyreadstat.read_sav(str(export(q, tmp_path, "sav")), metadataonly=True)
    assert meta.column_names[-1] == "weight" and meta.variable_measure["weight"] == "scale"
    from analytics.data.imports import responses_import_path

    assert responses_import_path(questionnaire=q, path=tmp_path / "out.csv").imported  # the column is ignored


def test_export_command_ends_bad_arguments_with_a_clear_message(q, tmp_path):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = str(tmp_path / "x.csv")
    for args, message in ((["--status", "bogus"], "unknown status"), (["--wave", "nope"], "unknown wave"),
                          (["--since", "yesterday"], "not a date")):
        with pytest.raises(CommandError, match=message):
            call_command("export_responses", "--survey", q.code, "--format", "csv", "-o", out, *args)
    with pytest.raises(CommandError, match="cannot write"):
        call_command("export_responses", "--survey", q.code, "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    call_command("export_responses", "--survey", q.code, "--format", "csv", "-o", out, "--status", "invited",
                 stdout=io.StringIO())
