"""The recompute reads only the columns its reports need, as compact types, and holds a bounded
number of arrays: the results are exactly those computed from every column as nullable types."""
from __future__ import annotations

import pytest
from django.db import connection

from analytics.models import ResultSet
from analytics.reports import engine
from analytics.results import selectors
from analytics.results.payloads import payload_columns, result_payloads
from analytics.results.services import result_set_for, result_sets_ensure, results_recompute
from surveys.answering.generate import responses_generate
from surveys.answering.readmodel import readmodel_frame, table_name
from tests.analytics.conftest import load_instrument

CODES = ["italian-districts-2016", "basque-digital-2019", "backshoring-interview"]


def _full_frame(questionnaire):
    """The frame before pruning: every column of the submitted rows, as nullable 64-bit types."""
    return readmodel_frame(questionnaire, where="status = %s", params=["submitted"])


@pytest.mark.parametrize("code", CODES)
def test_pruned_compact_frame_gives_the_results_of_every_column(db, code, monkeypatch):
    questionnaire = load_instrument(code)
    responses_generate(questionnaire=questionnaire, count=40, seed=3)
    result_sets_ensure(questionnaire=questionnaire)
    sets = list(ResultSet.objects.filter(questionnaire=questionnaire))
    columns = payload_columns(questionnaire=questionnaire, result_sets=sets)
    everything = _full_frame(questionnaire)
    assert set(columns) < set(everything.columns)  # something is left in the database
    assert not {"updated_at", "started_at", "status"} & set(columns)
    expected = result_payloads(questionnaire=questionnaire, frame=everything, result_sets=sets)

    pruned = selectors.results_read(questionnaire=questionnaire, columns=columns, where="status = %s",
                                    params=["submitted"])
    assert list(pruned.columns) == columns and len(pruned) == len(everything) == 40
    assert all(pruned[c].dtype.itemsize == 1 for c in columns if c not in selectors.IDENTIFIERS
               and str(pruned[c].dtype) == "int8")
    monkeypatch.setattr(engine, "MAX_HELD_ARRAYS", 2)  # arrays dropped and converted again
    assert result_payloads(questionnaire=questionnaire, frame=pruned, result_sets=sets) == expected


def test_analyst_views_read_their_filter_and_grouping_columns(db):
    questionnaire = load_instrument("basque-digital-2019")
    responses_generate(questionnaire=questionnaire, count=30, seed=4)
    view = result_set_for(questionnaire=questionnaire, filters={"BA1": ["1", "2"]}, group="BA2")
    columns = payload_columns(questionnaire=questionnaire, result_sets=[view])
    assert {"BA1", "BA2", "mode", "wave_id"} <= set(columns)
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    view.refresh_from_db()
    expected = result_payloads(questionnaire=questionnaire, frame=_full_frame(questionnaire), result_sets=[view])
    assert view.payload == expected[view.pk]


def test_empty_int_cells_stay_empty_and_whole(db):
    """A whole number column with empty cells is nullable Int64 (its text is '3', not '3.0', as a
    stratum label), one without as a small integer type."""
    questionnaire = load_instrument("basque-digital-2019")
    responses_generate(questionnaire=questionnaire, count=5, seed=5)
    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "BA1" = NULL '
                       f'WHERE response_id = (SELECT MIN(response_id) FROM "{table}")')
    frame = selectors.results_read(questionnaire=questionnaire, columns=["response_id", "BA1", "BA2"])
    assert str(frame["BA1"].dtype) == "Int64" and frame["BA1"].isna().sum() == 1
    assert frame["BA1"].astype("string").dropna().str.contains(".", regex=False).sum() == 0
    assert str(frame["BA2"].dtype).startswith("int") and str(frame["response_id"].dtype) == "int64"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the incremental read is used on PostgreSQL only")
def test_the_post_submit_run_gives_the_result_of_a_full_recompute(db):
    """After a submission the worker refreshes its frame with the changed rows only (pruned, compact):
    the stored result is the one a forced full read computes."""
    from surveys.answering.readmodel import readmodel_upsert
    from surveys.answering.saves import response_submit
    from surveys.models import Response

    questionnaire = load_instrument("basque-digital-2019")
    responses_generate(questionnaire=questionnaire, count=30, seed=8)
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    key = (connection.settings_dict["NAME"], questionnaire.pk)
    assert key in selectors._FRAMES  # the worker keeps the frame for the next run
    # a submission (and an edit of an older row whose code widens a column: int8 -> int16)
    responses_generate(questionnaire=questionnaire, count=1, seed=9)
    latest = Response.objects.filter(version__questionnaire=questionnaire).order_by("-pk").first()
    latest.status = Response.Status.STARTED
    latest.save()
    readmodel_upsert([latest], questionnaire)
    response_submit(response_id=latest.pk)
    table = table_name(questionnaire.code)
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "BA2" = 300, updated_at = NOW() '
                       f'WHERE response_id = (SELECT MIN(response_id) FROM "{table}")')
    cached = selectors._FRAMES[key].frame
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    assert selectors._FRAMES[key].frame is not cached and len(selectors._FRAMES[key].frame) == 31
    incremental = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).payload
    assert incremental["n"] == 31
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    full = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).payload
    assert incremental == full
    # rows the frame holds, changed to values their columns hold: overwritten in place, no copy
    frame = selectors._FRAMES[key].frame
    with connection.cursor() as cursor:
        cursor.execute(f'UPDATE "{table}" SET "BA2" = 2, "BA1" = 1, updated_at = clock_timestamp() '
                       f'WHERE response_id IN (SELECT response_id FROM "{table}" ORDER BY response_id LIMIT 3)')
    assert results_recompute(questionnaire_id=questionnaire.pk) == "ok"
    assert selectors._FRAMES[key].frame is frame and (frame["BA2"].iloc[:3] == 2).all()
    incremental = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).payload
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    full = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).payload
    assert incremental == full
    main = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)
    expected = result_payloads(questionnaire=questionnaire, frame=_full_frame(questionnaire), result_sets=[main])
    assert full == expected[main.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL index")
def test_the_read_model_has_the_index_of_the_post_submit_reads(db):
    questionnaire = load_instrument("basque-digital-2019")
    selectors.results_summary(questionnaire=questionnaire)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table_name(questionnaire.code)])
        definitions = " ".join(row[0] for row in cursor.fetchall())
    assert "(status, updated_at) INCLUDE (response_id)" in definitions


def test_category_positions_by_comparison_are_those_of_the_binary_search(monkeypatch):
    import numpy as np

    from analytics.stats import computations

    rng = np.random.default_rng(3)
    values = rng.choice([1, 2, 3, 5, 8, -7, -8, -9, 99, np.nan], size=5000).astype(float)
    for categories in ([1.0, 2.0, 3.0, 5.0, 8.0], [8.0, -7.0, 3.0], [2.0], list(map(float, range(20)))):
        fast = computations._positions(values, categories)
        monkeypatch.setattr(computations, "FEW_CATEGORIES", 0)
        assert (fast == computations._positions(values, categories)).all()
        monkeypatch.undo()


def test_rows_that_join_late_are_put_in_their_places_by_id():
    """A row with an id below the frame's last (a response submitted after later ones) goes where a
    full read (ordered by id) puts it, with the types concatenating gives, whatever the column."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame({"response_id": np.array([2, 4, 6, 8]), "code": np.array([1, 2, 3, 4], dtype="int8"),
                          "share": [0.5, np.nan, 1.5, 2.0], "count": pd.array([1, None, 3, 4], dtype="Int64"),
                          "text": pd.array(["a", "b", None, "d"], dtype="string")})
    new = pd.DataFrame({"response_id": np.array([1, 5, 9]), "code": np.array([300, 6, 7], dtype="int16"),
                        "share": np.array([1, 2, 3], dtype="int8"), "count": np.array([7, 8, 9], dtype="int8"),
                        "text": pd.array(["x", None, "z"], dtype="string")})
    expected = pd.concat([frame, new], ignore_index=True).sort_values("response_id", ignore_index=True)
    merged = selectors._merged(frame, new)
    pd.testing.assert_frame_equal(merged, expected)
    assert merged["response_id"].tolist() == [1, 2, 4, 5, 6, 8, 9]
    same_types = new.assign(code=np.array([5, 6, 7], dtype="int8"))  # np.insert, no reordering copy
    pd.testing.assert_frame_equal(selectors._merged(frame, same_types), pd.concat(
        [frame, same_types], ignore_index=True).sort_values("response_id", ignore_index=True))
