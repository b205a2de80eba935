"""The change sequence behind the API's response feed: page through it while responses are being
saved and no change is missed or delivered twice.

Every write of a response stamps `change_seq` in the saving transaction (readmodel_upsert calls
`response_changes_stamp`, so web, telephone, import and generator saves all do; a page save sets it
in its own UPDATE with `change_position` and tells readmodel_upsert so). A plain counter
taken at save time is not enough: a transaction that took 41 can commit after one that took 42,
and a reader who already paged past 42 would never see 41. So the feed serves a change only once
every transaction that could still commit a lower position has ended:

- PostgreSQL: the position is the saving transaction's id (`pg_current_xact_id()`), and the feed
  stops below the oldest transaction still running (the smallest id of `pg_current_snapshot()`'s
  in-progress list, or its xmax when none is). Every id below that horizon belongs to a finished
  transaction, and new transactions only get higher ids, so the part of the feed below the horizon
  never changes. Writers never wait for anybody; the cost is that the feed lags behind the longest
  write transaction still running (an import, for example) until it ends.
- SQLite: writers are serialised (transactions take the write lock at BEGIN), so the next
  position is simply the largest one plus one and the whole feed is final.

Rows stamped in one transaction share a position and are ordered by id: the cursor is the pair
(position, response id). A response saved again moves to a later position: the feed delivers
its latest state, once per change.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL

from surveys.models import Response

MAX_POSITION = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    position: int = 0
    response_id: int = 0

    def __str__(self) -> str:
        return f"{self.position}.{self.response_id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor:
        """'' or '0' is the beginning; otherwise '<position>.<response id>' as a page returned it."""
        text = (text or "0").strip()
        head, _, tail = text.partition(".")
        if not (head.isdigit() and (tail.isdigit() or not tail)) or len(text) > 40:
            raise ValueError("The cursor is the `next` value of a previous page, e.g. '1042.77', or 0.")
        cursor = cls(int(head), int(tail or 0))
        if cursor.position > MAX_POSITION or cursor.response_id > MAX_POSITION:
            raise ValueError("The cursor is out of range.")
        return cursor


def _position_sql() -> str:
    if connection.vendor == "postgresql":
        return "pg_current_xact_id()::text::bigint"
    return "(SELECT COALESCE(MAX(change_seq), 0) + 1 FROM surveys_response)"


def response_changes_stamp(*, response_ids: list[int]) -> None:
    """Give the responses the position of the current transaction in the change feed."""
    if not response_ids:
        return
    marks = ", ".join(["%s"] * len(response_ids))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE surveys_response SET change_seq = {_position_sql()} WHERE id IN ({marks})",
                       response_ids)


def change_position() -> RawSQL:
    """The current transaction's position as a value for `Response.change_seq` in a model save,
    so a save stamps its row in its own UPDATE (one statement and row version fewer)."""
    return RawSQL(_position_sql(), [])


def feed_horizon() -> tuple[int, int | None]:
    """(positions below this are final, this transaction's own position or None).

    The own position matters only to a transaction that writes and then reads the feed (tests):
    it sees its own changes. API requests only read and have none.
    """
    if connection.vendor != "postgresql":
        return MAX_POSITION, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE((SELECT MIN(x)::text::bigint FROM pg_snapshot_xip(s) AS x),"
            " pg_snapshot_xmax(s)::text::bigint), pg_current_xact_id_if_assigned()::text::bigint"
            " FROM pg_current_snapshot() AS s")
        horizon, own = cursor.fetchone()
    return horizon, own


def responses_changed(*, questionnaire_id: int, after: Cursor, limit: int) -> tuple[list[Response], Cursor]:
    """The next `limit` responses of a questionnaire in feed order after `after`, and the cursor of the
    last one delivered (`after` itself when nothing new is final yet)."""
    horizon, own = feed_horizon()
    final = Q(change_seq__lt=horizon) | (Q(change_seq=own) if own is not None else Q(pk__in=[]))
    later = Q(change_seq__gt=after.position) | Q(change_seq=after.position, pk__gt=after.response_id)
    rows = list(Response.objects.filter(later, final, version__questionnaire_id=questionnaire_id)
                # the version's number only: its frozen definition is large and would be read per row
                .select_related("invitation__firm", "invitation__wave").annotate(version_number=F("version__number"))
                .order_by("change_seq", "pk")[:limit])
    last = Cursor(rows[-1].change_seq, rows[-1].pk) if rows else after
    return rows, last
