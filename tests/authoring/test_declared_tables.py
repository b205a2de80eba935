"""Results of a questionnaire authored as a workbook: every item, cross-tabs, and its declared study tables."""
import pytest
from django.core.management import call_command
from django.urls import reverse

from analytics.models import ResultSet
from analytics.reports import catalogue, default_group, report_names
from analytics.results.services import results_recompute
from surveys.answering.generate import responses_generate
from surveys.authoring.definitions import version_import
from surveys.models import Questionnaire
from tests.authoring.conftest import EXAMPLE

pytestmark = pytest.mark.django_db
CODE = "supplier-relations-2025"


@pytest.fixture
def supplier():
    version_import(content=EXAMPLE.read_bytes(), name=EXAMPLE.name)
    questionnaire = Questionnaire.objects.get(code=CODE)
    responses_generate(questionnaire=questionnaire, count=60, seed=3)
    return questionnaire


def test_declared_tables_join_the_catalogue_with_the_declared_grouping(supplier):
    assert report_names(CODE) == ["suppliers-by-size", "items-by-group"]
    assert default_group(CODE) == "SIZE"
    table = catalogue(CODE)[0]
    assert table.grouping.column == "SIZE"
    assert [(b.kind, b.test, b.base) for b in table.blocks] == [
        ("categorical", "chi2", ()), ("rates", "auto", ("S4 == 1",)), ("means", "welch", ())]


def test_recompute_gives_the_declared_table_and_every_item_by_the_chosen_group(supplier):
    assert results_recompute(questionnaire_id=supplier.pk) == "ok"
    payload = ResultSet.objects.get(questionnaire=supplier, key=ResultSet.ALL).payload
    table = payload["reports"]["suppliers-by-size"]
    assert payload["n"] == 60 and table["n"] == 60
    foreign, reasons, employees = table["blocks"]
    assert [c["key"] for c in foreign["columns"]] == ["SMALL", "LARGE", "all"]
    assert foreign["title"] == "Buys from foreign suppliers" and "unavailable" not in foreign
    assert reasons["n"] < 60 and reasons["base"] == ["S4 == 1"]
    assert reasons["statistic"] == "pct" and employees["statistic"] == "mean"
    items = {b.get("item") or b["variables"][0] for b in payload["reports"]["items-by-group"]["blocks"]}
    assert {"S1", "S2", "S3", "S4", "S5", "S6", "S7"} <= items


def test_the_dashboard_shows_the_declared_table(client, supplier, django_user_model):
    results_recompute(questionnaire_id=supplier.pk)
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    page = client.get(reverse("results:dashboard", args=[CODE]) + "?report=suppliers-by-size")
    html = page.content.decode()
    assert page.status_code == 200 and "Foreign suppliers by size class" in html
    assert "Reasons to buy abroad (firms buying abroad)" in html


def test_the_report_command_prints_a_declared_table(supplier, capsys):
    results_recompute(questionnaire_id=supplier.pk)
    call_command("report", "--survey", CODE, "--report", "suppliers-by-size")
    assert "Buys from foreign suppliers" in capsys.readouterr().out


def test_a_cross_tab_of_every_item_by_a_group_the_analyst_chooses(supplier):
    from analytics.results.services import result_set_for

    result_set = result_set_for(questionnaire=supplier, filters={}, group="S3")
    results_recompute(questionnaire_id=supplier.pk)
    result_set.refresh_from_db()
    report = result_set.payload["reports"]["items-by-group"]
    assert report["title"] == "All items by S3"
    s4 = next(b for b in report["blocks"] if b["variables"] == ["S4"])
    assert [c["key"] for c in s4["columns"]] == ["1", "2", "3", "all"]
    assert sum(c["n_base"] for c in s4["columns"][:3]) == 60
