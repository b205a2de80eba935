"""How long `generate_responses` takes for 10,000 responses of instrument B, every one through the
web's validation path (target: at most 20 s on the project's 2-core machine).

Run: python bench/generate_responses.py [--count 10000]   (uses DATABASE_URL if set, else SQLite)
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--survey", default="basque-digital-2019")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_databases, teardown_databases

    from surveys.answering.generate import responses_generate
    from surveys.models import Questionnaire

    names = setup_databases(verbosity=0, interactive=False, serialized_aliases=set())
    try:
        call_command("load_instruments", verbosity=0)
        questionnaire = Questionnaire.objects.get(code=args.survey)
        started = time.perf_counter()
        responses_generate(questionnaire=questionnaire, count=args.count, seed=1)
        seconds = time.perf_counter() - started
        print(f"generate_responses {args.survey} count={args.count}: {seconds:.1f} s "
              f"({1000 * seconds / args.count:.2f} ms per response, validated page by page, "
              f"stored with read-model rows) on {django.db.connection.vendor}")
    finally:
        teardown_databases(names, verbosity=0)


if __name__ == "__main__":
    main()
