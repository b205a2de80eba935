"""A respondent's page saves run prepared statements on PostgreSQL (surveys/compiled.py): the case
look-up, the row lock, the response UPDATE and the read-model upsert are planned once per
connection, not on every request."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.answering.readmodel import table_name
from surveys.compiled import server_bound
from surveys.fieldwork.invitations import invitation_issue, wave_default
from surveys.models import Response
from tests.factories import FirmFactory

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements: PostgreSQL")]

PAGE1 = {"Q1": "1990", "Q2": "12000", "Q3": "1", "Q4": "30.5", "Q5.D": "70", "Q5.A": "30"}


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        return [row[0] for row in cursor.fetchall()]


def test_page_saves_prepare_their_statements_once(client, mini_version):
    invitation, token, _ = invitation_issue(wave=wave_default(questionnaire=mini_version.questionnaire),
                                            firm=FirmFactory())
    url = reverse("surveys:page", kwargs={"token": token, "module": "M1"})
    for revision in range(4):
        assert client.get(url).status_code == 200
        assert client.post(url, {**PAGE1, "Q2": str(12000 + revision), "page_revision": revision}).status_code == 302
    statements = prepared()
    for start in ('SELECT "surveys_invitation"', 'SELECT "surveys_response"', 'UPDATE "surveys_response"',
                  f'INSERT INTO "{table_name("mini-test")}"', 'INSERT INTO "surveys_pagevisit"'):
        assert sum(s.startswith(start) for s in statements) == 1, (start, statements)
    response = Response.objects.get(invitation=invitation)
    assert response.revision == 4 and response.answers["Q2"] == 12003  # what was prepared stored each save


def test_statements_outside_the_save_path_stay_unprepared_and_logged_with_their_values(mini_version):
    before = prepared()
    for _ in range(4):
        list(Response.objects.filter(pk=-1))  # an ordinary query: client-side binding, never prepared
    assert prepared() == before
    with server_bound(), CaptureQueriesContext(connection) as queries, connection.cursor() as cursor:
        cursor.execute("SELECT %s::int + 1", [41])
        assert cursor.fetchone() == (42,)
    assert queries.captured_queries[0]["sql"] == "SELECT 41::int + 1"  # as a server-binding log shows it
