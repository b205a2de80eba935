import json

from django.core.management.base import BaseCommand, CommandError

from surveys.fieldwork.sampling import SampleError, parse_filters, sample_draw
from surveys.models import Sample, Wave


class Command(BaseCommand):
    help = "Draw a stratified random sample of firms for a wave and print its strata (N_h, n_h)."

    def add_arguments(self, parser):
        parser.add_argument("--wave", required=True, help="wave id, or questionnaire/wave-code")
        parser.add_argument("--name", required=True)
        parser.add_argument("--filter", nargs="*", default=[], metavar="FIELD__LOOKUP=VALUE",
                            help="e.g. turnover__gt=1000000 district__in=TV_FURN,PN_FURN")
        parser.add_argument("--strata", default="", help="comma-separated, e.g. district,industry_code or "
                                                         "nace2,size_class")
        parser.add_argument("--allocation", default="proportional", choices=[c for c, _ in Sample.Allocation.choices])
        parser.add_argument("--size", type=int)
        parser.add_argument("--fixed", nargs="*", default=[], metavar="STRATUM=N", help="e.g. TV_FURN|31.01=20")
        parser.add_argument("--neyman-variable", default="", help="turnover, employees or attributes.x")
        parser.add_argument("--take-all", nargs="*", default=[], metavar="FIELD__LOOKUP=VALUE",
                            help="firms selected with certainty, e.g. employees__gte=250")
        parser.add_argument("--min-per-stratum", type=int, default=0)
        parser.add_argument("--seed", type=int)

    def handle(self, *args, **o):
        wave = wave_from_arg(o["wave"])
        try:
            sample = sample_draw(
                wave=wave, name=o["name"], filters=parse_filters(o["filter"]),
                strata_fields=[f.strip() for f in o["strata"].split(",") if f.strip()], allocation=o["allocation"],
                size=o["size"], fixed={k: int(v) for k, v in (f.rsplit("=", 1) for f in o["fixed"])},
                neyman_variable=o["neyman_variable"], take_all=parse_filters(o["take_all"]),
                min_per_stratum=o["min_per_stratum"], seed=o["seed"])
        except SampleError as exc:
            raise CommandError(str(exc))
        self.stdout.write(f"sample {sample.pk} {sample.name!r}: N={sample.population_size}, "
                          f"n={sample.selections.count()}, seed={sample.seed}")
        for stratum in sample.strata.all():
            self.stdout.write(f"  {stratum.key:40} N_h={stratum.population:6} n_h={stratum.allocated:6}"
                              + (" take-all" if stratum.take_all else ""))
        self.stdout.write("filters: " + json.dumps(sample.filters))


def wave_from_arg(value: str) -> Wave:
    code, _, wave_code = value.partition("/")
    wave = (Wave.objects.filter(pk=int(value)).first() if value.isdigit()
            else Wave.objects.filter(questionnaire__code=code, code=wave_code).first())
    if wave is None:
        raise CommandError(f"unknown wave {value!r} (give its id or questionnaire/wave-code)")
    return wave
