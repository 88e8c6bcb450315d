"""The lists' filtersets (``qms.filters.ListFilterSet``): made for one request without
django-filter's deep copies, they must filter, validate and show exactly what django-filter's
own would, and never let one request's filters, fields or reader reach another's."""

import importlib
from datetime import date

import django_filters
import pytest
from django.apps import apps
from django.test import RequestFactory
from django.utils import timezone

from documents.filters import DocumentFilter
from nonconformities import services
from nonconformities.filters import ActionFilter, NonconformityFilter
from nonconformities.models import Action
from procedures.filters import CaseFilter
from qms.filters import ListFilterSet
from records.filters import RecordFilter
from tests.factories import UserFactory


def _django_filters_own(filterset_class):
    """The same filterset made the way django-filter makes it (its deep copies)."""
    return type(
        f"Plain{filterset_class.__name__}",
        (filterset_class,),
        {
            "__init__": django_filters.filterset.BaseFilterSet.__init__,
            "get_form_class": django_filters.filterset.BaseFilterSet.get_form_class,
        },
    )


def _request(user, **params):
    request = RequestFactory().get("/", params)
    request.user = user
    return request


def _made(filterset_class, request):
    queryset = filterset_class._meta.model._default_manager.visible_to(request.user)
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    valid = filterset.is_valid() if filterset.is_bound else True
    return filterset, valid


def _sql(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    return f"{sql} | {params!r}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filterset_class", "params"),
    [
        (NonconformityFilter, {}),
        (NonconformityFilter, {"status": "open", "severity": "major", "age": "90", "q": "hồ sơ"}),
        (NonconformityFilter, {"status": "nonsense", "department": "999999"}),
        (ActionFilter, {"status": "open", "mine": "yes", "owner": "nguyen", "overdue": "yes"}),
        (DocumentFilter, {"status": "effective", "q": "quy trình"}),
        (RecordFilter, {"q": "biên bản"}),
        (CaseFilter, {"timing": "overdue", "q": "1234"}),
    ],
)
def test_a_list_filters_and_shows_what_django_filter_would(
    org, monkeypatch, filterset_class, params
):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # "overdue" compares with the clock
    user = UserFactory(department=org["a"], roles=["qms_manager"])
    params = {**params, **({"department": org["a"].pk} if "department" not in params else {})}
    ours, ours_valid = _made(filterset_class, _request(user, **params))
    theirs, theirs_valid = _made(_django_filters_own(filterset_class), _request(user, **params))

    assert ours_valid == theirs_valid
    assert ours.form.errors == theirs.form.errors
    assert ours.form.as_div() == theirs.form.as_div()
    if ours_valid:
        assert ours.form.cleaned_data == theirs.form.cleaned_data
        assert _sql(ours.qs) == _sql(theirs.qs)


@pytest.mark.django_db
def test_two_requests_never_share_filters_fields_or_readers(org):
    mine_a = UserFactory(username="clerk_a", department=org["a"], roles=["staff"])
    mine_b = UserFactory(username="clerk_b", department=org["b"], roles=["staff"])

    first, _ = _made(ActionFilter, _request(mine_a, mine="yes"))
    second, _ = _made(ActionFilter, _request(mine_b, mine="yes"))

    # "Mine only" is each reader's own: the method filter finds its own filterset
    assert f'"owner_id" = {mine_a.pk}' in str(first.qs.query)
    assert f'"owner_id" = {mine_b.pk}' in str(second.qs.query)
    # each reader is offered the departments they may see
    offered = [
        {value for value, _label in fs.form.fields["department"].choices if value}
        for fs in (first, second)
    ]
    assert offered[0] == {org["a"].pk, org["a1"].pk}
    assert offered[1] == {org["b"].pk}
    # a field, a filter and its options belong to one filterset only
    for name in ActionFilter.base_filters:
        assert first.filters[name] is not second.filters[name]
        assert first.form.fields[name] is not second.form.fields[name]
        assert first.filters[name].parent is first
        assert first.filters[name].extra is not ActionFilter.base_filters[name].extra
    first.form.fields["status"].choices = [("x", "x")]
    first.filters["kind"].extra["label"] = "changed"
    third, _ = _made(ActionFilter, _request(mine_a))
    assert ("x", "x") not in third.form.fields["status"].choices
    assert third.filters["kind"].extra.get("label") != "changed"
    # the class's own filters are never bound to a request
    for base in ActionFilter.base_filters.values():
        assert "parent" not in base.__dict__
        assert "_field" not in base.__dict__


@pytest.mark.django_db
def test_mine_only_lists_the_readers_actions_on_the_page(client, org):
    owner = UserFactory(username="owner_a", department=org["a"], roles=["qms_manager"])
    other = UserFactory(username="owner_b", department=org["a"], roles=["qms_manager"])
    for who, title in ((owner, "Hành động của tôi"), (other, "Hành động của người khác")):
        action = Action(title=title, kind="improvement", owner=who, due_date=date(2027, 1, 15))
        services.action_add(actor=who, action=action)
    for reader, shown, hidden in (
        (owner, "Hành động của tôi", "Hành động của người khác"),
        (other, "Hành động của người khác", "Hành động của tôi"),
    ):
        client.force_login(reader)
        page = client.get("/nonconformities/actions/", {"mine": "yes"}).content.decode()
        assert shown in page
        assert hidden not in page
    assert Action.objects.count() == 2


def test_every_filterset_of_the_portal_is_a_list_filterset():
    for config in apps.get_app_configs():
        if not config.name.startswith(
            ("qms", "documents", "records", "procedures", "audits", "nonconformities")
        ) and config.name not in ("planning", "reviews"):
            continue
        try:
            importlib.import_module(f"{config.name}.filters")
        except ModuleNotFoundError:
            continue
    found = {
        cls
        for cls in _subclasses(django_filters.FilterSet)
        if cls.__module__.split(".")[0]
        in {"qms", "documents", "records", "procedures", "audits", "nonconformities", "planning"}
    }
    assert len(found) >= 18
    assert not [cls.__name__ for cls in found if not issubclass(cls, ListFilterSet)]


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
