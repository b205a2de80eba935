"""One questionnaire page at its cheapest: GET a small form, POST merges the answers into the
respondent's JSON document with a revision bump and a paradata row, 302 to the next page."""
import json
import time

from django.db import connection, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import path

TABLES = """
CREATE TABLE IF NOT EXISTS bench_floor_doc (id bigint PRIMARY KEY, answers jsonb NOT NULL, revision integer NOT NULL);
CREATE TABLE IF NOT EXISTS bench_floor_paradata (id bigserial PRIMARY KEY, doc_id bigint NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(), seconds double precision);
"""


def page(request, doc: int, step: str = "page"):
    if request.method == "POST":
        return save(request, doc)
    with connection.cursor() as cursor:
        cursor.execute("SELECT revision FROM bench_floor_doc WHERE id = %s", [doc])
        revision = cursor.fetchone()[0]
    return HttpResponse(f'<form method="post"><input type="hidden" name="page_revision" value="{revision}">'
                        f'<input type="hidden" name="csrfmiddlewaretoken" value="none"></form>')


@transaction.atomic
def save(request, doc: int):
    values = {k: request.POST.getlist(k) for k in request.POST if k not in ("csrfmiddlewaretoken", "page_started")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM bench_floor_doc WHERE id = %s FOR UPDATE", [doc])
        answers = cursor.fetchone()[0]
        answers = json.loads(answers) if isinstance(answers, str) else answers
        answers.update(values)
        cursor.execute("UPDATE bench_floor_doc SET answers = %s, revision = revision + 1 WHERE id = %s",
                       [json.dumps(answers), doc])
        cursor.execute("INSERT INTO bench_floor_paradata (doc_id, seconds) VALUES (%s, %s)",
                       [doc, time.time() % 60])
    return HttpResponseRedirect(f"/floor/{doc}/next/")


urlpatterns = [
    path("floor/<int:doc>/", page),
    path("floor/<int:doc>/<str:step>/", page),
]
