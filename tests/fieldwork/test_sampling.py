"""Stratified samples: the asked allocation, reproducible from the seed, N_h kept for weighting."""
import pytest
from django.core.management import call_command

from surveys.fieldwork.sampling import SampleError, allocate, sample_draw, sample_strata, sample_weights
from surveys.models import Firm, Sample
from tests.factories import RegisterFirmFactory

pytestmark = pytest.mark.django_db


def population(district_sizes: dict[str, int], **extra) -> None:
    for district, n in district_sizes.items():
        RegisterFirmFactory.create_batch(n, district=district, **extra)


def selected(sample: Sample) -> dict[str, int]:
    out: dict[str, int] = {}
    for key in sample.selections.values_list("stratum__key", flat=True):
        out[key] = out.get(key, 0) + 1
    return out


def test_allocate_is_proportional_exact_and_bounded():
    assert allocate({"a": 500, "b": 300, "c": 200}, 100) == {"a": 50, "b": 30, "c": 20}
    assert sum(allocate({"a": 7, "b": 7, "c": 7}, 10).values()) == 10  # largest remainder keeps the total
    # a stratum whose share exceeds its size is taken whole, the rest re-split
    assert allocate({"a": 1000, "b": 5}, 100, weights={"a": 1.0, "b": 1.0}) == {"a": 95, "b": 5}
    assert allocate({"a": 990, "b": 10}, 50, minimum=3) == {"a": 47, "b": 3}
    with pytest.raises(SampleError, match="larger than the population"):
        allocate({"a": 5}, 6)


def test_proportional_stratified_sample_has_the_asked_allocation_and_the_same_seed_gives_the_same_firms(wave):
    population({"TV_FURN": 60, "PN_FURN": 30, "VI_MECH": 10})
    first = sample_draw(wave=wave, name="a", strata_fields=["district"], size=20, seed=42)
    assert selected(first) == {"TV_FURN": 12, "PN_FURN": 6, "VI_MECH": 2}
    assert dict(first.strata.values_list("key", "allocated")) == {"TV_FURN": 12, "PN_FURN": 6, "VI_MECH": 2}
    again = sample_draw(wave=wave, name="b", strata_fields=["district"], size=20, seed=42)
    other = sample_draw(wave=wave, name="c", strata_fields=["district"], size=20, seed=43)
    ids = lambda s: sorted(s.selections.values_list("firm_id", flat=True))  # noqa: E731
    assert ids(first) == ids(again) and ids(first) != ids(other)


def test_population_snapshot_and_weights_survive_register_changes(wave):
    population({"TV_FURN": 40, "VI_MECH": 20})
    sample = sample_draw(wave=wave, name="w", strata_fields=["district"], size=15, seed=1)
    RegisterFirmFactory.create_batch(30, district="VI_MECH")  # the register grows after drawing
    assert sample_weights(sample) == {"TV_FURN": 40, "VI_MECH": 20}
    strata = sample_strata(sample)
    assert len(strata) == 15 and set(strata.values()) == {"TV_FURN", "VI_MECH"}
    firm = Firm.objects.get(pk=next(iter(strata)))
    assert strata[firm.pk] == firm.district


def test_filter_turnover_above_one_million_and_two_way_strata(wave):
    population({"TV_FURN": 10}, turnover=900_000)
    population({"TV_FURN": 20, "VI_MECH": 20}, turnover=3_000_000)
    sample = sample_draw(wave=wave, name="f", filters={"turnover__gt": "1000000"},
                         strata_fields=["district", "size_class"], size=10, seed=7)
    assert sample.population_size == 40
    assert not sample.selections.filter(firm__turnover__lte=1_000_000).exists()
    assert all(key.count("|") == 1 for key in selected(sample))


def test_neyman_allocation_follows_size_times_spread(wave):
    for district, turnovers in {"A": [1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1e6, 1.1e6],
                                "B": [1e6, 9e6, 2e6, 8e6, 3e6, 7e6, 4e6, 6e6, 5e6, 1e7]}.items():
        for t in turnovers:
            RegisterFirmFactory(district=district, turnover=t)
    sample = sample_draw(wave=wave, name="n", strata_fields=["district"], allocation="neyman",
                         neyman_variable="turnover", size=10, seed=3)
    strata = {s.key: s for s in sample.strata.all()}
    # S_A = 31,623, S_B = 3,027,650: B takes 99% of the sample; rounding gives A 0 and B 10.
    assert strata["B"].allocated == 10 and strata["A"].allocated == 0
    assert strata["B"].spread == pytest.approx(3027650.4, rel=1e-4)


def test_fixed_allocation_with_a_take_all_stratum_of_large_firms(wave):
    population({"TV_FURN": 30, "VI_MECH": 30}, employees=20)
    population({"VI_MECH": 4}, employees=300)
    sample = sample_draw(wave=wave, name="x", strata_fields=["district"], allocation="fixed",
                         fixed={"TV_FURN": 5, "VI_MECH": 8}, take_all={"employees__gte": 250}, seed=9)
    assert selected(sample) == {"TV_FURN": 5, "VI_MECH": 8, "VI_MECH|TAKE-ALL": 4}
    assert sample.strata.get(key="VI_MECH|TAKE-ALL").take_all
    assert sample_weights(sample)["VI_MECH|TAKE-ALL"] == 4


def test_census_takes_everyone(wave):
    population({"BQ": 12})
    sample = sample_draw(wave=wave, name="census", allocation="census")
    assert sample.selections.count() == 12 and sample_weights(sample) == {"all": 12}


def test_impossible_requests_are_explained(wave):
    population({"TV_FURN": 5})
    with pytest.raises(SampleError, match="larger than the population"):
        sample_draw(wave=wave, name="big", strata_fields=["district"], size=6)
    with pytest.raises(SampleError, match="unknown strata NOPE"):
        sample_draw(wave=wave, name="bad", strata_fields=["district"], allocation="fixed", fixed={"NOPE": 1})
    with pytest.raises(SampleError, match="cannot filter on 'name__contains'"):
        sample_draw(wave=wave, name="bad2", filters={"name__contains": "x"}, size=1)
    assert not Sample.objects.exists()


def test_draw_sample_command(wave, capsys):
    population({"TV_FURN": 20, "PN_FURN": 10}, turnover=2_000_000)
    call_command("draw_sample", "--wave", str(wave.pk), "--name", "cmd", "--strata", "district", "--size", "9",
                 "--filter", "turnover__gt=1000000", "--seed", "5")
    out = capsys.readouterr().out
    assert "N=30, n=9, seed=5" in out and "TV_FURN" in out
