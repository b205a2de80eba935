"""Benchmark: what a wave's own e-mail texts cost per message, beside the floor of sending without rendering.

Run: python bench/mail_render.py [--messages 2000]   (uses DATABASE_URL if set, else SQLite; a throwaway
test database either way)

The same batch of invitations (half Italian, half English firms, in batches of FIELDWORK_BATCH_SIZE) is
sent three times to Django's in-memory backend: the floor (each message claimed, written and handed
to the backend with a fixed text: no template, no placeholder), the built-in texts (gettext), and the
wave's own templates in both languages. The ratio to the floor is the rendering's share; the queries
on the template table show they are read once per batch, not once per message.
"""
import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from figures import figure_print  # noqa: E402  (bench/ is on the path when a script runs)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
BODY = ("Gentile {contact},\n\n{firm_name} è stata selezionata per l'indagine \"{survey_title}\".\n\n{link}\n\n"
        "Aperta fino al {deadline}.\n\nDomande: {agency}\nRinuncia: {opt_out_link}")


def send_all(ids: list[int]) -> float:
    from django.conf import settings

    from surveys.fieldwork.mailing import messages_send_batch
    from surveys.models import Message

    Message.objects.update(status="queued", sent_at=None, attempts=0, to_email="", message_id="")
    started = time.perf_counter()
    size = settings.FIELDWORK_BATCH_SIZE
    with mock.patch("surveys.fieldwork.tracking.tracking_schedule"):  # the figure is the sending alone
        for start in range(0, len(ids), size):
            messages_send_batch(message_ids=ids[start:start + size])
    return time.perf_counter() - started


def floor_email(message, connection=None, wordings=None):
    from django.core.mail import EmailMessage

    return EmailMessage(subject="Invito", body="Testo fisso\n", to=[message.invitation.firm.email],
                        headers={"Message-ID": f"<{message.pk}@bench>"}, connection=connection)


def render_only(wave, repeat: int = 5000) -> None:
    """The text alone, CPU only: compose() per message beside str.format_map of the same text (the floor)."""
    from surveys.fieldwork.emailtexts import wave_wording
    from surveys.models import Firm

    wording, firm = wave_wording(wave), Firm.objects.order_by("pk").first()
    case = {"firm": firm, "link": "https://x.example/s/t/", "opt_out_link": "https://x.example/s/t/optout/"}
    values = wording.values(language="it", **case)
    started = time.perf_counter()
    for _ in range(repeat):
        BODY.format_map(values)
    floor = time.perf_counter() - started
    for label, language in (("wave's own template (it)", "it"), ("built-in text (es, gettext)", "es")):
        started = time.perf_counter()
        for _ in range(repeat):
            wording.compose(kind="invitation", language=language, **case)
        seconds = time.perf_counter() - started
        print(f"render only, {label:28} {seconds / repeat * 1e6:6.1f} µs/message; floor str.format_map "
              f"{floor / repeat * 1e6:4.1f} µs; ratio {seconds / floor:5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.FIELDWORK_MAIL_PER_MINUTE = 0
    mail.outbox = []
    names = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        from django.core.management import call_command

        from surveys.fieldwork.emailtexts import message_template_save
        from surveys.fieldwork.invitations import wave_default
        from surveys.fieldwork.mailing import invitations_queue
        from surveys.fieldwork.sampling import sample_draw
        from surveys.models import Firm, Message, Questionnaire, WaveSettings

        call_command("load_instruments", verbosity=0)
        wave = wave_default(questionnaire=Questionnaire.objects.get(code="italian-districts-2016"))
        WaveSettings.objects.create(wave=wave, contact_name="Anna Rossi", contact_email="anna@agency.example")
        Firm.objects.bulk_create([Firm(identifier=f"IT{n:011d}", name=f"Impresa {n} Srl", email=f"f{n}@firm.example",
                                       language="it" if n % 2 else "en") for n in range(args.messages)])
        sample_draw(wave=wave, name="all", allocation="census", seed=1)
        with mock.patch("surveys.fieldwork.mailing.schedule_dispatch"):
            invitations_queue(wave=wave)
        ids = list(Message.objects.order_by("pk").values_list("pk", flat=True))
        print(f"database: {connection.vendor}; {len(ids):,} invitations in batches of {settings.FIELDWORK_BATCH_SIZE}")

        with mock.patch("surveys.fieldwork.mailing.message_email", floor_email):
            floor = send_all(ids)
        builtin = send_all(ids)
        for language in ("it", "en"):
            message_template_save(wave=wave, kind="invitation", language=language,
                                  subject="{survey_title}: {firm_name}", body=BODY)
        from surveys.fieldwork import emailtexts

        reads = []
        counted = lambda wave: reads.append(wave.pk) or wave_wording(wave)  # noqa: E731
        wave_wording = emailtexts.wave_wording
        with mock.patch.object(emailtexts, "wave_wording", counted):
            own = send_all(ids)
        batches = -(-len(ids) // settings.FIELDWORK_BATCH_SIZE)
        per = 1000 / len(ids)
        print(f"floor (fixed text, same claims and writes): {floor:6.2f} s  {floor * per:5.2f} ms/message")
        for label, seconds in (("built-in texts (gettext)", builtin), ("the wave's own templates", own)):
            print(f"{label:43} {seconds:6.2f} s  {seconds * per:5.2f} ms/message  ratio {seconds / floor:4.2f}")
            figure_print(f"sending {len(ids):,} invitations, {label} ({connection.vendor})", seconds, "s", floor,
                         "<=1.5x a fixed text", seconds <= 1.5 * floor)
        print(f"the wave's templates and settings read {len(reads)} times for {batches} batches")
        render_only(wave)
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
