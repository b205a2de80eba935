import factory

from surveys.models import Firm


class FirmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Firm

    identifier = factory.Sequence(lambda n: f"IT{n:011d}")
    name = factory.Faker("company")
    email = factory.Sequence(lambda n: f"manager{n}@firm.example")
    phone = factory.Sequence(lambda n: f"+39 0422 {n:06d}")
    language = "en"


class RegisterFirmFactory(FirmFactory):
    """A firm as a register extract describes it (fieldwork: sampling attributes filled in)."""

    district = factory.Iterator(["TV_FURN", "PN_FURN", "VI_MECH", "BL_EYEWEAR"])
    industry_code = factory.Iterator(["31.01", "28.41", "32.50"])
    employees = factory.Sequence(lambda n: 5 + (n * 37) % 400)
    turnover = factory.Sequence(lambda n: 500_000 + (n * 173_211) % 60_000_000)
    language = "it"
    country = "IT"
