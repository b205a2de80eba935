"""The results dashboard: who may see it, what it shows, downloads, small-cell suppression."""
import csv
import io
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from analytics.models import ResultSet
from analytics.results.services import results_recompute
from tests.analytics.conftest import rm_insert
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"


_RECOMPUTED: list = []


@pytest.fixture
def computed(instrument_a):
    """Table 2 rows, recomputed by the first test; later tests store that result again (a second saved)."""
    rm_insert(instrument_a, italian_table2_rows())
    if not _RECOMPUTED:
        results_recompute(questionnaire_id=instrument_a.pk)
        _RECOMPUTED.append(ResultSet.objects.values("key", "payload", "n_responses", "fingerprint").get(
            questionnaire=instrument_a, key="all"))
    else:
        ResultSet.objects.create(questionnaire=instrument_a, is_default=True, group="A_OFFSHORING",
                                 snapshot_at=timezone.now(), computed_at=timezone.now(), **_RECOMPUTED[0])
    return instrument_a


@pytest.fixture
def analyst(django_user_model):
    user = django_user_model.objects.create_user("analyst", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="view_results"))
    return user


def _dashboard(client, **query):
    return client.get(reverse("results:dashboard", args=[CODE]), query)


def test_anonymous_and_plain_users_are_kept_out(client, computed, django_user_model):
    assert _dashboard(client).status_code == 302
    client.force_login(django_user_model.objects.create_user("someone", password="pw"))
    assert _dashboard(client).status_code == 302
    assert client.get(reverse("results:block_csv", args=[CODE, "it-table-2", "turnover"])).status_code == 302


def test_staff_see_tables_charts_n_and_computed_at(client, computed, staff):
    client.force_login(staff)
    page = _dashboard(client, report="it-table-2").content.decode()
    assert 'id="result-n">259<' in page and "computed 20" in page
    assert "<td class=\"text-end\">66.8</td>" in page
    assert page.count('class="results-chart"') >= 7
    assert "Recompute now" in page


def test_each_table_downloads_as_csv_with_the_dashboard_numbers(client, computed, staff):
    client.force_login(staff)
    response = client.get(reverse("results:block_csv", args=[CODE, "it-table-2", "positioning"]), {"scope": "all"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Market positioning"]
    assert rows[2][:3] == ["High/medium-high", "127", "66.8"]
    whole = client.get(reverse("results:report_csv", args=[CODE, "it-table-2"]))
    assert "Turnover*" in whole.content.decode() and "Internal functions" in whole.content.decode()


def test_each_chart_downloads_as_svg(client, computed, staff):
    client.force_login(staff)
    response = client.get(reverse("results:block_svg", args=[CODE, "it-table-2", "industry"]))
    assert response["Content-Type"] == "image/svg+xml"
    svg = ET.fromstring(response.content)
    assert svg.tag.endswith("svg") and svg.get("data-chart") == "grouped"
    assert len(svg.findall("{http://www.w3.org/2000/svg}rect")) == 3 + 3 * 3  # legend + bars
    assert client.get(reverse("results:block_svg", args=[CODE, "it-table-2", "nope"])).status_code == 404


def test_analysts_see_small_cells_hidden(client, computed, analyst):
    client.force_login(analyst)
    page = _dashboard(client, report="it-table-2").content.decode()
    assert "Cells below 5 are hidden." in page and "Recompute now" not in page
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("results:block_csv", args=[CODE, "it-table-2", "turnover"])).content.decode())))
    more_than_50 = next(r for r in rows if r[0].startswith("More than 50"))
    assert more_than_50[1:3] == ["<5", "·"]  # 1 domestic firm
    assert rows[2][0].startswith("Less than 5")


def test_staff_see_the_error_of_a_failed_run_above_the_last_good_result(client, computed, staff):
    from analytics.results.services import results_weighting_set

    results_weighting_set(questionnaire=computed, population={"X": 1}, stratum_column="MISSING_COLUMN")
    results_recompute(questionnaire_id=computed.pk)
    client.force_login(staff)
    page = _dashboard(client, report="it-table-2").content.decode()
    assert 'id="result-error"' in page and "MISSING_COLUMN" in page and "66.8" in page and 'id="runs"' in page


def test_a_filtered_view_is_computed_on_first_open(client, computed, staff):
    client.force_login(staff)
    page = _dashboard(client, industry="MECH", report="it-table-2").content.decode()
    assert 'id="result-n">94<' in page  # no extra click: tasks run in-process here, so it is stored at once
    response = client.post(reverse("results:scope_create", args=[CODE]),
                           {"industry": "MECH", "query": "industry=MECH&report=it-table-2"})
    assert response.status_code == 302 and "industry=MECH" in response["Location"]
    page = _dashboard(client, industry="MECH", report="it-table-2").content.decode()
    assert 'id="result-n">94<' in page


def test_staff_can_ask_for_a_recompute(client, computed, staff, analyst):
    client.force_login(analyst)
    assert client.post(reverse("results:recompute", args=[CODE])).status_code == 403
    client.force_login(staff)
    assert client.post(reverse("results:recompute", args=[CODE])).status_code == 302


def test_results_home_lists_questionnaires(client, computed, staff):
    client.force_login(staff)
    page = client.get(reverse("results:home")).content.decode()
    assert CODE in page and ">259<" in page


def test_report_command_prints_the_dashboards_numbers(computed, client, staff):
    out = io.StringIO()
    call_command("report", survey=CODE, report="it-table-2", format="csv", stdout=out)
    client.force_login(staff)
    downloaded = client.get(reverse("results:report_csv", args=[CODE, "it-table-2"]), {"scope": "all"})
    assert out.getvalue().strip() == downloaded.content.decode().strip()
    out = io.StringIO()
    call_command("report", survey=CODE, report="it-table-2", format="json", stdout=out)
    import json

    data = json.loads(out.getvalue())
    positioning = next(t for t in data["tables"] if t["id"] == "positioning")
    assert positioning["rows"][0][:3] == ["High/medium-high", "127", "66.8"] and data["n"] == 259


def test_report_command_computes_a_filtered_scope(computed):
    out = io.StringIO()
    call_command("report", survey=CODE, report="it-table-2", format="csv", industry=["FURN"], stdout=out)
    assert ResultSet.objects.filter(key="A_INDUSTRY=FURN").get().n_responses == 86
    assert "Furniture,72,100.0,14,100.0,86,100.0" in out.getvalue()


def test_recompute_results_command(computed):
    out = io.StringIO()
    call_command("recompute_results", survey=CODE, force=True, stdout=out)
    assert out.getvalue().startswith(f"{CODE}: ok; N = 259")


def test_the_small_cells_permission_shows_them(client, computed, analyst):
    analyst.user_permissions.add(Permission.objects.get(codename="see_small_cells"))
    client.force_login(analyst)
    rows = list(csv.reader(io.StringIO(client.get(
        reverse("results:block_csv", args=[CODE, "it-table-2", "turnover"])).content.decode())))
    assert next(r for r in rows if r[0].startswith("More than 50"))[1:3] == ["1", "0.5"]
