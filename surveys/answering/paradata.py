"""Paradata recorded by every page save: one row per response and page (surveys.models.PageVisit).

The save already holds the response row lock, so one INSERT ... ON CONFLICT DO UPDATE (PostgreSQL
and SQLite 3.24+ both speak it) adds the visit without a read: the page save stays at one extra
statement. Times come from the server: the page form carries the moment it was served, the save
is the moment it came back; a visit longer than PARADATA_PAGE_CAP_SECONDS counts as the cap (a tab
left open overnight is not an hour of work).
"""
from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import connection

from surveys.models import PageVisit

_TABLET = re.compile(r"ipad|tablet|kindle|silk|playbook|(android(?!.*mobile))", re.I)
_PHONE = re.compile(r"mobi|iphone|ipod|android|windows phone|blackberry|opera mini", re.I)
_DESKTOP = re.compile(r"windows nt|macintosh|mac os x|x11|linux|cros", re.I)
_ROBOT = re.compile(r"bot|crawl|spider|curl|wget|python-|httpclient|headlesschrome", re.I)


def device_class(user_agent: str) -> str:
    """desktop, tablet, phone or other, from a User-Agent header (the header itself is never stored).

    Order matters: tablets and phones also say "Linux" or "Mac OS X"; iPadOS 13+ says "Macintosh"
    and is counted as a desktop, as every server-side parser must.
    """
    agent = (user_agent or "")[:512]
    if not agent or _ROBOT.search(agent):
        return PageVisit.Device.OTHER
    if _TABLET.search(agent):
        return PageVisit.Device.TABLET
    if _PHONE.search(agent):
        return PageVisit.Device.PHONE
    return PageVisit.Device.DESKTOP if _DESKTOP.search(agent) else PageVisit.Device.OTHER


def visit_seconds(seconds: float) -> float:
    """The seconds one visit counts for: never negative, at most the cap."""
    return round(min(max(0.0, float(seconds)), settings.PARADATA_PAGE_CAP_SECONDS), 1)


def page_visit_record(*, response_id: int, module_code: str, now: dt.datetime, seconds: float, mode: str,
                      device: str) -> None:
    """Add one saved visit of a page (called inside the page save's transaction)."""
    seconds = visit_seconds(seconds)
    table = connection.ops.quote_name(PageVisit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (response_id, module_code, first_seen_at, last_saved_at, active_seconds, visits,"
            " mode, device) VALUES (%s, %s, %s, %s, %s, 1, %s, %s)"
            " ON CONFLICT (response_id, module_code) DO UPDATE SET last_saved_at = EXCLUDED.last_saved_at,"
            f" active_seconds = {table}.active_seconds + EXCLUDED.active_seconds,"
            f" visits = {table}.visits + 1, mode = EXCLUDED.mode, device = EXCLUDED.device",
            [response_id, module_code, _stamp(now - dt.timedelta(seconds=seconds)), _stamp(now), seconds, mode,
             device])


def _stamp(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)  # as the ORM writes it (SQLite: naive UTC text)
