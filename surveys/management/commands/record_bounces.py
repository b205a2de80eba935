from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from surveys.fieldwork.mailing import bounce_record, bounces_from_report


class Command(BaseCommand):
    help = ("Record bounced invitation e-mail: delivery status notifications (.eml files), or plain text "
            "files with one address per line, or --address / --message-id.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*")
        parser.add_argument("--address", nargs="*", default=[])
        parser.add_argument("--message-id", nargs="*", default=[])

    def handle(self, *args, files, address, message_id, **options):
        found = [{"address": a, "message_id": "", "reason": "recorded by staff"} for a in address]
        found += [{"address": "", "message_id": m, "reason": "recorded by staff"} for m in message_id]
        for name in files:
            found += _read(Path(name))
        marked = sum(bounce_record(message_id=b["message_id"], address="" if b["message_id"] else b["address"],
                                   reason=b["reason"]) or bounce_record(address=b["address"], reason=b["reason"])
                     for b in found)
        self.stdout.write(f"{len(found)} bounces read, {marked} sent messages marked as bounced")


def _read(path: Path) -> list[dict]:
    if not path.exists():
        raise CommandError(f"no such file: {path}")
    raw = path.read_bytes()
    if path.suffix.lower() == ".eml" or raw.lstrip().lower().startswith((b"return-path", b"received", b"from ")):
        return bounces_from_report(raw)
    return [{"address": line.strip(), "message_id": "", "reason": f"listed in {path.name}"}
            for line in raw.decode("utf-8", "replace").splitlines() if "@" in line]
