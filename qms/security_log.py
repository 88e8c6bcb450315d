"""Writing and verifying the hash-chained security log (``SecurityEvent``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from qms.models import SecurityEvent

GENESIS_HASH = "0" * 64
# Any constant: serialises writers on PostgreSQL so two events never share a predecessor.
_ADVISORY_LOCK_ID = 7_509_001


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address (behind TRUSTED_PROXY_COUNT proxies), normalised as stored."""
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.QMS_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        # The same normalisation the database column applies, so the hash stays valid.
        return SecurityEvent._meta.get_field("ip_address").to_python(address) or None
    except ValidationError:
        return None


def record(
    kind: str,
    *,
    actor=None,
    request: HttpRequest | None = None,
    username: str = "",
    target: str = "",
    details: dict | None = None,
) -> SecurityEvent:
    """Append one event to the chain (inside the caller's transaction, if any)."""
    request_user = getattr(request, "user", None)
    if actor is None and request_user is not None and request_user.is_authenticated:
        actor = request_user
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_ID])
        last = SecurityEvent.objects.order_by("-sequence").only("sequence", "entry_hash").first()
        event = SecurityEvent(
            sequence=(last.sequence + 1) if last else 1,
            previous_hash=last.entry_hash if last else GENESIS_HASH,
            occurred_at=timezone.now(),
            kind=kind,
            actor=actor,
            username=username or (actor.get_username() if actor else ""),
            ip_address=client_ip(request),
            target=target[:300],
            details=details or {},
        )
        event.entry_hash = event.compute_hash()
        event.save()
    return event


@dataclass(frozen=True)
class ChainBreak:
    sequence: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    head_sequence: int
    head_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(*, batch_size: int = 2000) -> ChainReport:
    """Walk the whole chain in order and report the first row that does not fit."""
    expected_previous = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    events = SecurityEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
        checked += 1
        if event.sequence != expected_sequence:
            return ChainReport(
                checked,
                event.sequence,
                event.entry_hash,
                ChainBreak(expected_sequence, "missing"),
            )
        if event.previous_hash != expected_previous:
            return ChainReport(
                checked, event.sequence, event.entry_hash, ChainBreak(event.sequence, "relinked")
            )
        if event.compute_hash() != event.entry_hash:
            return ChainReport(
                checked, event.sequence, event.entry_hash, ChainBreak(event.sequence, "altered")
            )
        expected_previous = event.entry_hash
        expected_sequence += 1
    return ChainReport(checked, expected_sequence - 1, expected_previous, None)
