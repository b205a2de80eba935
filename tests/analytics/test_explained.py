"""Results that explain themselves: every download carries its title, base, legend and notes; stars
only where a test gave a p-value; the items-by-group cross-tab opens for every item."""
import csv
import io

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from analytics.reports import ITEMS_BY_GROUP
from analytics.results.presentation import block_table
from analytics.results.services import results_recompute
from analytics.stats.computations import Column, means
from analytics.stats.significance import MIN_GROUP_N
from tests.analytics.conftest import rm_insert
from tests.analytics.datasets import italian_table2_rows

CODE = "italian-districts-2016"


@pytest.fixture
def computed(instrument_a):
    rm_insert(instrument_a, italian_table2_rows())
    assert results_recompute(questionnaire_id=instrument_a.pk) == "ok"
    return instrument_a


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_items_by_group_opens_and_downloads_blocks_with_dotted_ids(client, computed, staff):
    client.force_login(staff)
    page = client.get(reverse("results:dashboard", args=[CODE]), {"report": ITEMS_BY_GROUP})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="block-items-by-group-item-A' in html and "item-A" in html
    block_id = html.split('id="block-items-by-group-', 1)[1].split('"', 1)[0]
    rows = _rows(client.get(reverse("results:block_csv", args=[CODE, ITEMS_BY_GROUP, block_id]), {"scope": "all"}))
    assert rows[0] and ["Stars", "*** p < 0.01, ** p < 0.05, * p < 0.10"] in rows


def test_report_csv_starts_with_title_base_legend_and_notes(client, computed, staff):
    client.force_login(staff)
    rows = _rows(client.get(reverse("results:report_csv", args=[CODE, "it-table-2"])))
    assert rows[0][0].startswith("IT Table 2")
    assert rows[1][0] == "Base" and "N = 259" in rows[1][1]
    assert rows[2] == ["Stars", "*** p < 0.01, ** p < 0.05, * p < 0.10"]


def test_single_table_csv_ends_with_its_report_and_legend(client, computed, staff):
    client.force_login(staff)
    rows = _rows(client.get(reverse("results:block_csv", args=[CODE, "it-table-2", "industry"])))
    assert rows[0] == ["Industry"] or rows[0][0]
    assert not any(r and r[0] in ("Furniture*", "Furniture**", "Furniture***") for r in rows)
    assert any(r[:1] == ["Test"] and "**" in r[1] for r in rows)
    assert any(r[:1] == ["Report"] for r in rows) and any(r[:1] == ["Stars"] for r in rows)


def test_report_command_csv_carries_legend_and_notes(computed):
    out = io.StringIO()
    call_command("report", survey=CODE, report="it-table-4", format="csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0][0].startswith("IT Table 4")
    assert any(r[:1] == ["Stars"] for r in rows) and any(r[:1] == ["Note"] for r in rows)


def test_a_group_too_small_gets_no_test_and_no_stars_but_a_note():
    values = np.array([5.0, 5.0, 1.0, 2.0, 3.0, 4.0, 9.0, 8.0, 7.0])
    columns = [Column("1", "Small", np.array([1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool), tested=True),
               Column("2", "Large", np.array([0, 0, 1, 1, 1, 1, 1, 1, 1], dtype=bool), tested=True)]
    block = {"id": "x", "title": "X", "kind": "means", "n": 9, "statistic": "mean", "decimals": 1,
             **means([("v", "Value", values)], columns)}
    assert block["rows"][0]["test"]["p"] is None and MIN_GROUP_N > 2
    table = block_table(block, {"pct_decimals": 1})
    assert table["rows"][0][0] == "Value"
    assert any("Not tested (Value)" in note and "too few" in note for note in table["notes"])


def test_small_cells_follow_the_permission_not_staff_status(client, computed, django_user_model):
    from analytics.results.views import suppress_below

    user = django_user_model.objects.create_user("boss", password="pw", is_staff=True)
    assert suppress_below(user) > 0
    user.user_permissions.add(Permission.objects.get(codename="see_small_cells"))
    user = django_user_model.objects.get(pk=user.pk)
    assert suppress_below(user) == 0


def test_the_shipped_analyst_role_sees_small_cells_hidden_and_no_admin(db, django_user_model):
    from surveys.accounts.roles import ANALYST, role_assign, roles_install

    roles_install()
    user = django_user_model.objects.create_user("ana", password="pw")
    role_assign(user=user, role=ANALYST)
    user = django_user_model.objects.get(pk=user.pk)
    assert not user.is_staff and user.has_perm("analytics.view_results")
    assert not user.has_perm("analytics.see_small_cells")
