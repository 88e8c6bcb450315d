"""The permission-matrix helper every module's tests use.

Describe each URL once with the status each role should get, then walk the matrix:

    check_matrix(users, [
        Case("/departments/1/", default=200, expect={"anonymous": 302}),
        Case(f"/departments/{other.pk}/", default=404, expect={"administrator": 200}),
    ])

``users`` maps a label ("anonymous" is built in) to a user. Every cell is requested,
and all mismatches are reported together as a table, so a failing run shows the whole
picture rather than the first surprise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.test import Client


@dataclass
class Case:
    url: str
    default: int
    expect: dict[str, int] = field(default_factory=dict)
    method: str = "get"
    data: dict | None = None

    def status_for(self, label: str) -> int:
        if label in self.expect:
            return self.expect[label]
        if label == "anonymous":
            return 302  # to the sign-in page
        return self.default


def check_matrix(users: dict, cases: list[Case]) -> None:
    labels = ["anonymous", *users]
    mismatches = []
    for label in labels:
        client = Client()
        if label != "anonymous":
            client.force_login(users[label])
        for case in cases:
            response = getattr(client, case.method)(case.url, case.data or {})
            wanted = case.status_for(label)
            if response.status_code != wanted:
                mismatches.append(
                    f"{case.method.upper():4} {case.url:<45} as {label:<20} "
                    f"got {response.status_code}, expected {wanted}"
                )
            if label == "anonymous" and wanted == 302:
                assert "/accounts/login/" in response["Location"], case.url
    assert not mismatches, "Permission matrix mismatches:\n" + "\n".join(mismatches)


def check_list_detail_agree(users: dict, list_url: str, detail_url, objects) -> None:
    """For every user: an object is in the list exactly when its page opens (else 404)."""
    problems = []
    for label, user in users.items():
        client = Client()
        client.force_login(user)
        response = client.get(list_url)
        if response.status_code != 200:
            listed = set()
        else:
            listed = {obj.pk for obj in response.context["page_obj"].paginator.object_list}
        for obj in objects:
            status = client.get(detail_url(obj)).status_code
            if (obj.pk in listed) != (status == 200) or status not in (200, 403, 404):
                problems.append(f"{label}: {obj} listed={obj.pk in listed} detail={status}")
    assert not problems, "List and detail disagree:\n" + "\n".join(problems)
