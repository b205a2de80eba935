"""The results frame kept on disk (analytics.results.snapshots): a process without a frame of its own
reads the snapshot and only the read-model rows written since, and gets exactly what a full read gives."""
from __future__ import annotations

import pytest
import yaml
from django.db import connection

from analytics.models import ResultSet
from analytics.results import selectors, snapshots
from analytics.results.payloads import payload_columns, result_payloads
from analytics.results.services import result_sets_ensure, results_recompute
from surveys.answering.generate import responses_generate
from surveys.answering.readmodel import readmodel_frame, readmodel_upsert_edited, table_name
from tests.analytics.conftest import INSTRUMENTS, load_instrument

pytestmark = [pytest.mark.skipif(connection.vendor != "postgresql", reason="snapshots are kept on PostgreSQL only"),
              pytest.mark.django_db(transaction=True),  # committed writes: each has a transaction id of its own
              # the rows read since the snapshot are counted: another test's open transaction would
              # hold the horizon back (rightly, the read is then wider), so these run alone
              pytest.mark.serial]
CODE = "basque-digital-2019"


@pytest.fixture
def reads(monkeypatch):
    """Every read of read-model rows the results make: (where, rows, columns)."""
    seen = []
    original = selectors.results_read

    def spy(**kwargs):
        frame = original(**kwargs)
        seen.append((kwargs.get("where", ""), len(frame), len(frame.columns)))
        return frame

    monkeypatch.setattr(selectors, "results_read", spy)
    return seen


def _fresh_process():
    selectors._FRAMES.clear()


def _built(count: int = 30, seed: int = 1):
    questionnaire = load_instrument(CODE)
    responses_generate(questionnaire=questionnaire, count=count, seed=seed)
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    return questionnaire


def _columns(questionnaire) -> list[str]:
    return payload_columns(questionnaire=questionnaire, result_sets=result_sets_ensure(questionnaire=questionnaire))


def _path(questionnaire):
    return snapshots.snapshot_path(questionnaire=questionnaire, values=selectors.VALUES)


def _full_reads(reads) -> list:
    return [r for r in reads if r[0] == "status = %s" and r[2] > 1]


def _expected_payload(questionnaire) -> dict:
    main = ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL)
    everything = readmodel_frame(questionnaire, where="status = %s", params=["submitted"], values=selectors.VALUES)
    return result_payloads(questionnaire=questionnaire, frame=everything, result_sets=[main])[main.pk]


def _stored(questionnaire) -> dict:
    return ResultSet.objects.get(questionnaire=questionnaire, key=ResultSet.ALL).payload


def _execute(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_fresh_process_reads_the_snapshot_and_only_the_rows_written_since(reads):
    questionnaire = _built()
    assert _path(questionnaire).exists()
    _fresh_process()
    reads.clear()
    table = table_name(questionnaire.code)
    _execute(f'UPDATE "{table}" SET "BA2" = 2 WHERE response_id = (SELECT MIN(response_id) FROM "{table}")')
    responses_generate(questionnaire=questionnaire, count=2, seed=2)

    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    assert not _full_reads(reads)
    delta = [r[:2] for r in reads if "change_seq" in r[0]]
    assert delta == [("change_seq >= %s", 3)]  # the edited row and the two new ones
    assert _stored(questionnaire)["n"] == 32
    assert _stored(questionnaire) == _expected_payload(questionnaire)


def test_a_reset_and_a_deleted_response_leave_the_results(reads):
    questionnaire = _built(count=20)
    table = table_name(questionnaire.code)
    _fresh_process()
    first = f'(SELECT MIN(response_id) FROM "{table}")'
    _execute(f"UPDATE \"{table}\" SET status = 'started' WHERE response_id = {first}")
    _execute(f'DELETE FROM "{table}" WHERE response_id = (SELECT MAX(response_id) FROM "{table}")')  # no stamp left
    reads.clear()
    frame = selectors.results_frame(questionnaire=questionnaire, columns=_columns(questionnaire))
    assert len(frame) == 18 and not _full_reads(reads)
    assert ("status = %s", 18, 1) in reads  # the ids alone, read to reconcile
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    assert _stored(questionnaire) == _expected_payload(questionnaire)


def test_an_edit_taken_back_shows_the_raw_value_again():
    questionnaire = _built(count=10)
    response = questionnaire.versions.get().responses.filter(status="submitted").order_by("pk").first()
    raw = dict(response.answers)
    edited = {**raw, "BA2": 1 if raw.get("BA2") != 1 else 2}
    readmodel_upsert_edited(response, questionnaire, answers=edited)
    frame = selectors.results_frame(questionnaire=questionnaire, columns=["response_id", "BA2"])
    assert frame.loc[frame.response_id == response.pk, "BA2"].item() == edited["BA2"]
    readmodel_upsert_edited(response, questionnaire, answers=None)  # the editor's value withdrawn
    _fresh_process()
    frame = selectors.results_frame(questionnaire=questionnaire, columns=["response_id", "BA2"])
    assert frame.loc[frame.response_id == response.pk, "BA2"].item() == raw["BA2"]


def test_a_new_version_of_the_questionnaire_rebuilds_the_snapshot(reads):
    from surveys.questionnaire.definitions import normalise, read_reference_lists, version_store

    questionnaire = _built(count=10)
    before = _path(questionnaire).stat().st_mtime_ns
    raw = yaml.safe_load((INSTRUMENTS / f"{CODE}.yaml").read_text(encoding="utf-8"))
    first = raw["modules"][0]["items"][0]
    first["wording"] = {**first["wording"], "en": "A reworded first question"}
    version, outcome = version_store(normalise(raw, read_reference_lists(), source=CODE))
    assert outcome in ("created", "rewritten")
    _fresh_process()
    reads.clear()
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    assert len(_full_reads(reads)) == 1  # the old file is of another schema: everything read, and written again
    assert _path(questionnaire).stat().st_mtime_ns > before
    assert _stored(questionnaire) == _expected_payload(questionnaire)


def test_a_torn_or_foreign_snapshot_is_ignored_and_written_again(reads):
    questionnaire = _built(count=10)
    path = _path(questionnaire)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # a copy cut short
    _fresh_process()
    reads.clear()
    assert results_recompute(questionnaire_id=questionnaire.pk, force=True) == "ok"
    assert len(_full_reads(reads)) == 1
    assert _stored(questionnaire) == _expected_payload(questionnaire)
    columns = _columns(questionnaire)
    stamp = selectors.schema_stamp(questionnaire)
    assert snapshots.snapshot_load(questionnaire=questionnaire, stamp=stamp, values=selectors.VALUES,
                                   columns=columns) is not None  # written again, whole
    assert snapshots.snapshot_load(questionnaire=questionnaire, stamp="another schema", values=selectors.VALUES,
                                   columns=columns) is None
    assert snapshots.snapshot_load(questionnaire=questionnaire, stamp=stamp, values=selectors.VALUES,
                                   columns=columns, max_age=-1) is None  # built too long ago


def test_a_writer_that_fails_midway_leaves_the_previous_snapshot(monkeypatch, reads):
    questionnaire = _built(count=10)
    path = _path(questionnaire)
    good = path.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(snapshots.os, "replace", crash)
    frame = selectors._FRAMES[(connection.settings_dict["NAME"], questionnaire.pk)]
    assert snapshots.snapshot_write(questionnaire=questionnaire, stamp=frame.stamp, values=selectors.VALUES,
                                    snapshot=snapshots.Snapshot(frame.frame.iloc[:3], 1, 0.0)) is None
    assert path.read_bytes() == good and not list(path.parent.glob("*.tmp"))


def test_switched_off_nothing_is_written(settings):
    settings.ANALYTICS_SNAPSHOT_DIR = ""
    questionnaire = _built(count=5)
    assert snapshots.snapshot_path(questionnaire=questionnaire, values=selectors.VALUES) is None


def test_a_write_removes_snapshots_no_reader_would_use(settings):
    import os
    import time
    from pathlib import Path

    directory = Path(settings.ANALYTICS_SNAPSHOT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    old, recent = directory / "results-gone-999-0123456789abcdef.arrow", directory / "results-kept-998-0.arrow"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    long_ago = time.time() - settings.ANALYTICS_SNAPSHOT_MAX_AGE_SECONDS - 60
    os.utime(old, (long_ago, long_ago))
    questionnaire = _built(count=5)  # its first recompute writes its snapshot
    assert not old.exists() and recent.exists() and _path(questionnaire).exists()
