"""Management review: scheduled, inputs compiled from live data and frozen, minutes,
decisions that become actions, minutes signed by the chair as a permanent record."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from pypdf import PdfReader

from nonconformities.models import Action
from qms.attachments import attachments_of
from qms.models import Notification, Signature
from reviews import services
from reviews.inputs import SECTIONS
from reviews.models import ManagementReview
from tests.factories import PASSWORD, UserFactory
from tests.nonconformities.conftest import crew, triaged  # noqa: F401
from tests.planning.conftest import TODAY, make_objective

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(org, role_users):
    return {
        "manager": role_users["qms_manager"],
        "head": role_users["top_management"],
        "auditor": role_users["internal_auditor"],
        "member": UserFactory(username="member", department=org["b"], roles=["process_owner"]),
        "outsider": UserFactory(username="outsider_a", department=org["a"], roles=["staff"]),
    }


def schedule(cast, days=7, **extra):
    review = ManagementReview(
        title="Xem xét của lãnh đạo năm 2026",
        meeting_date=TODAY + timedelta(days=days),
        chair=cast["head"],
        **extra,
    )
    return services.review_schedule(
        actor=cast["manager"], review=review, participants=[cast["member"]]
    )


def held(cast):
    review = schedule(cast, days=0)
    review = services.review_compile(actor=cast["manager"], review=review, version=review.version)
    return services.review_hold(
        actor=cast["manager"],
        review=review,
        minutes="Lãnh đạo đã xem xét toàn bộ đầu vào.",
        conclusion="Hệ thống phù hợp, đầy đủ và hiệu lực.",
        participants=[cast["member"]],
        other_participants="",
        version=review.version,
    )


def decide(cast, review, *, text: str, title: str, days: int, **extra):
    """A decision of the review with its action (the member's unless ``owner`` is given)."""
    values = {"kind": "improvement", "owner": cast["member"], **extra}
    return services.decision_add(
        actor=cast["manager"],
        review=review,
        text=text,
        title=title,
        due_date=TODAY + timedelta(days=days),
        **values,
    )


def test_scheduling_numbers_notifies_and_defaults_the_period(cast):
    review = schedule(cast)
    assert review.number.startswith(f"XX-{TODAY.year}-") and review.status == "planned"
    assert review.period_start == review.meeting_date - timedelta(days=365)
    assert Notification.objects.filter(recipient=cast["head"]).exists()
    assert Notification.objects.filter(recipient=cast["member"]).exists()
    with pytest.raises(ValidationError) as error:
        schedule(cast, days=-1)
    assert "meeting_date" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.review_schedule(
            actor=cast["member"],
            review=ManagementReview(title="x", meeting_date=TODAY, chair=cast["head"]),
            participants=[],
        )


def test_inputs_are_compiled_from_live_data_and_frozen(cast, crew, org):
    triaged(crew, org, severity="critical")
    make_objective(cast["manager"], cast["member"], org["b"])
    review = schedule(cast)
    review = services.review_compile(actor=cast["manager"], review=review, version=review.version)
    assert review.status == "inputs_compiled" and review.inputs_as_of == TODAY
    sections = {s["key"]: s for s in review.inputs["sections"]}
    assert list(sections) == [key for key, _title in SECTIONS]
    ncs = {f["label"]: f["value"] for f in sections["nonconformities"]["figures"]}
    assert ncs["Open now"] == 1 and ncs["Open, critical"] == 1
    objectives = {f["label"]: f["value"] for f in sections["objectives"]["figures"]}
    assert objectives["Objectives of the year"] == 1
    # later data does not change the snapshot
    triaged(crew, org, severity="major")
    review.refresh_from_db()
    ncs = {f["label"]: f["value"] for f in review.inputs["sections"][5]["figures"]}
    assert ncs["Open now"] == 1
    # the manager may compile again before the meeting; it then counts both
    review = services.review_compile(actor=cast["manager"], review=review, version=review.version)
    ncs = {f["label"]: f["value"] for f in review.inputs["sections"][5]["figures"]}
    assert ncs["Open now"] == 2


def test_minutes_wait_for_the_meeting(cast):
    review = schedule(cast)
    review = services.review_compile(actor=cast["manager"], review=review, version=review.version)
    with pytest.raises(ValidationError):
        services.review_hold(
            actor=cast["manager"],
            review=review,
            minutes="x",
            conclusion="y",
            participants=[],
            other_participants="",
            version=review.version,
        )
    review.refresh_from_db()
    assert review.status == "inputs_compiled"


def test_a_decision_becomes_an_action_and_the_chair_signs(cast):
    review = held(cast)
    decision = decide(
        cast,
        review,
        text="Bổ sung 02 cán bộ bộ phận một cửa",
        title="Tuyển dụng 02 cán bộ",
        days=60,
        kind="resources",
    )
    action = Action.objects.get(pk=decision.action_id)
    assert action.source == decision and action.kind == "improvement"
    assert review.number in action.source_label
    with pytest.raises(ValidationError):
        services.review_sign(actor=cast["manager"], review=review, password=PASSWORD, version=None)
    with pytest.raises(ValidationError):
        services.review_sign(actor=cast["head"], review=review, password="wrong", version=None)
    review = services.review_sign(
        actor=cast["head"], review=review, password=PASSWORD, version=None
    )
    assert (
        review.status == "signed" and review.signature.meaning == Signature.Meaning.MINUTES_SIGNED
    )
    (pdf,) = attachments_of(review)
    assert pdf.sha256 == review.signature.content_sha256
    with pdf.file.open("rb") as handle:
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(handle).pages)
    assert "Tuyển dụng 02 cán bộ" in text and review.number in text
    with pytest.raises(ValidationError):
        decide(cast, review, text="x", title="y", days=5)


def test_actions_of_earlier_reviews_are_an_input_of_the_next(cast):
    first = held(cast)
    decide(cast, first, text="Số hóa hồ sơ", title="Số hóa hồ sơ lưu trữ", days=3)
    services.review_sign(actor=cast["head"], review=first, password=PASSWORD, version=None)
    later = TODAY + timedelta(days=30)
    with mock.patch("django.utils.timezone.localdate", return_value=later):
        second = schedule(cast, days=40)
        second = services.review_compile(
            actor=cast["manager"], review=second, version=second.version
        )
    assert second.period_start == first.meeting_date
    figures = {f["label"]: f["value"] for f in second.inputs["sections"][0]["figures"]}
    assert figures["Actions decided by earlier reviews"] == 1 and figures["Overdue"] == 1


def test_pages_and_visibility(cast):
    review = held(cast)
    client = Client()
    for who, status in (
        ("manager", 200),
        ("head", 200),
        ("auditor", 200),
        ("member", 200),
        ("outsider", 404),
    ):
        client.force_login(cast[who])
        assert client.get(f"/reviews/{review.pk}/").status_code == status, who
    client.force_login(cast["outsider"])
    assert review.number not in client.get("/reviews/").content.decode()
    client.force_login(cast["head"])
    html = client.get(f"/reviews/{review.pk}/").content.decode()
    assert 'data-testid="minutes-sign"' in html and 'data-testid="input-nonconformities"' in html
    response = client.post(
        f"/reviews/{review.pk}/step/", {"step": "sign", "sign-password": "wrong"}
    )
    assert response.status_code == 200 and "password" in response.content.decode().lower()
    review.refresh_from_db()
    assert review.status == "held"
    client.force_login(cast["member"])
    assert client.post(f"/reviews/{review.pk}/step/", {"step": "compile"}).status_code in (302, 403)
    review.refresh_from_db()
    assert review.status == "held"


def test_review_pages_cost_the_same_with_more_data(cast, crew, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    review = held(cast)
    client = Client()
    client.force_login(cast["manager"])

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    urls = ["/reviews/", review.get_absolute_url()]
    small = {url: count(url) for url in urls}
    for n in range(6):
        decide(cast, review, text=f"Quyết định {n}", title=f"Hành động {n}", days=9)
        schedule(cast, days=20 + n)
    large = {url: count(url) for url in urls}
    assert small == large and max(large.values()) <= 20, large


def test_a_participant_sees_links_only_to_what_they_may_open(cast, org):
    """The inputs are compiled for the QMS manager; a participant from department B had
    a link to department A's risk that answered "Page not found", and so had the
    decision's action owned elsewhere."""
    from planning.models import Risk
    from tests.planning.conftest import make_risk

    risk_a = make_risk(cast["manager"], org["a"], title="Rủi ro của phòng A")
    risk_b = make_risk(cast["manager"], org["b"], owner=cast["member"], title="Rủi ro phòng B")
    review = held(cast)
    decision = decide(
        cast,
        review,
        text="Rà soát quy trình của phòng A",
        title="Rà soát quy trình",
        days=30,
        owner=cast["outsider"],
    )
    client = Client()
    client.force_login(cast["member"])
    assert not Risk.objects.visible_to(cast["member"]).filter(pk=risk_a.pk).exists()
    html = client.get(review.get_absolute_url()).content.decode()
    assert risk_a.title in html and f'href="{risk_a.get_absolute_url()}"' not in html
    assert f'href="{risk_b.get_absolute_url()}"' in html
    action_url = decision.action.get_absolute_url()
    assert decision.action.number in html and f'href="{action_url}"' not in html
    assert client.get(action_url).status_code == 404
    client.force_login(cast["manager"])
    html = client.get(review.get_absolute_url()).content.decode()
    assert f'href="{risk_a.get_absolute_url()}"' in html and f'href="{action_url}"' in html


def test_the_activity_page_links_a_reviews_parts_only_to_its_readers(cast, role_users):
    """A decision and a file open on their review's page: the administrator reads the
    activity but not the review, and their links answered "Page not found"."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qms.attachments import attachment_store

    review = held(cast)
    decide(cast, review, text="Bổ sung máy quét", title="Mua máy quét", days=30)
    attachment_store(
        parent=review,
        upload=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        actor=cast["manager"],
    )
    client = Client()

    def links(user) -> list[str]:
        client.force_login(user)
        return [
            entry["url"]
            for model in ("reviews.decision", "qms.attachment")
            for entry in client.get("/activity/", {"model": model}).context["entries"]
        ]

    named = links(role_users["administrator"])
    assert len(named) >= 2 and not any(named)  # both kinds listed, neither linked
    assert client.get(review.get_absolute_url()).status_code == 404
    opened = [client.get(url, follow=True) for url in links(cast["manager"])]
    assert len(opened) == len(named) and all(page.status_code == 200 for page in opened)
