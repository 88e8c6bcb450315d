"""Factories for the platform's models; module test suites add their own beside them."""

import factory
from django.contrib.auth.models import Group

from qms.models import CalendarDay, Department, User

PASSWORD = "Correct-Horse-Battery-9"


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"Phòng số {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        department = model_class(*args, **kwargs)
        department.path = department.compute_path()
        department.depth = department.path.count("/") - 1
        department.save()
        return department


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Văn"
    last_name = factory.Sequence(lambda n: f"Nguyễn {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@agency.example")
    password = factory.django.Password(PASSWORD)
    department = factory.SubFactory(DepartmentFactory)
    language = "en"

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = factory.Faker("date_this_decade")
    kind = CalendarDay.Kind.HOLIDAY
    name = "Ngày lễ"
