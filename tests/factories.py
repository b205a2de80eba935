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
