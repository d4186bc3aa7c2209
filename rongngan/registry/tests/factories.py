"""factory_boy factories for register data (reference tables come from the migrations)."""

import factory

from rongngan.accounts.models import Organisation
from rongngan.core.search import search_text
from rongngan.core.thai import thai_id_check_digit
from rongngan.registry.models import Factory, FactoryType, Machine


def juristic_id(n: int) -> str:
    first12 = f"0{n:011d}"
    return first12 + thai_id_check_digit(first12)


class OperatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"op-test-{n}")
    kind = Organisation.Kind.OPERATOR
    name_th = factory.Sequence(lambda n: f"บริษัท ทดสอบ {n} จำกัด")
    juristic_id = factory.Sequence(lambda n: juristic_id(990000 + n))


class FactoryFactory(factory.django.DjangoModelFactory):
    """A Rayong factory (province 21, Mueang Rayong 2101) unless told otherwise."""

    class Meta:
        model = Factory
        skip_postgeneration_save = True

    registration_no = factory.Sequence(lambda n: f"10210010{n:05d}1")
    name_th = factory.Sequence(lambda n: f"โรงงานทดสอบเคมีภัณฑ์ {n}")
    name_en = factory.Sequence(lambda n: f"Test Chemicals {n}")
    operator = factory.SubFactory(OperatorFactory)
    juristic_id = factory.LazyAttribute(lambda o: o.operator.juristic_id)
    primary_type = factory.LazyFunction(lambda: FactoryType.objects.get(code="042"))
    factory_class = 3
    province_id = "21"
    district_id = "2101"
    latitude = "12.680000"
    longitude = "101.250000"
    search_text = factory.LazyAttribute(
        lambda o: search_text([o.name_th, o.name_en, o.registration_no])
    )

    @factory.post_generation
    def types(self, create: bool, extracted: list[FactoryType] | None, **kwargs: object) -> None:
        if create:
            self.types.set(extracted or [self.primary_type])


class MachineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Machine

    name = factory.Sequence(lambda n: f"หม้อไอน้ำ {n}")
    machine_type = "boiler"
    maker = "Thai Boiler Co."
    year_made = 2015
    # Last: the field's name shadows the factory_boy module inside the class body.
    factory = factory.SubFactory(FactoryFactory)
