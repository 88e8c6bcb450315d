"""The e-signature service every module uses for approvals, reports, verifications."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from qms import security_log
from qms.db import kept_rows
from qms.models import SecurityEvent, Signature


def content_hash(content: bytes | str | dict | list) -> str:
    """SHA-256 of bytes, text, or a JSON-able structure in canonical form."""
    if isinstance(content, (dict, list)):
        content = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    if isinstance(content, str):
        content = content.encode()
    return hashlib.sha256(content).hexdigest()


def _wrong_password() -> ValidationError:
    return ValidationError(
        {"password": _("The password is not correct. Nothing was signed.")}, code="password"
    )


def verify_password(
    *, signer, password: str, obj: models.Model, meaning: str, request=None
) -> None:
    """Check the password before the service opens its transaction, so that a failed
    attempt stays in the security log (inside the transaction it would be rolled back)."""
    if not password or not signer.check_password(password):
        security_log.record(
            SecurityEvent.Kind.SIGNATURE_FAILED,
            actor=signer,
            request=request,
            target=_target(obj),
            details={"meaning": meaning},
        )
        raise _wrong_password()


def sign(
    *,
    obj: models.Model,
    signer,
    password: str,
    meaning: str,
    content_sha256: str,
    content_label: str = "",
    comment: str = "",
    request=None,
) -> Signature:
    """Record a signature inside the service's transaction. The password is checked again
    here (services call ``verify_password`` first, outside the transaction, for the log)."""
    if not password or not signer.check_password(password):
        raise _wrong_password()
    signature = Signature.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        signer=signer,
        signer_name=signer.get_full_name() or signer.get_username(),
        signer_title=signer.job_title,
        meaning=meaning,
        content_sha256=content_sha256,
        content_label=content_label[:300],
        comment=comment,
    )
    security_log.record(
        SecurityEvent.Kind.SIGNATURE,
        actor=signer,
        request=request,
        target=_target(obj),
        details={"meaning": meaning, "sha256": content_sha256, "signature": signature.pk},
    )
    return signature


def signatures_of(obj: models.Model):
    # a signature keeps its signer's name and title as they were when signing: the pages
    # show those, never the user row
    return Signature.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def signatures_listed(obj: models.Model) -> list[Signature]:
    """The object's signatures, oldest first, as its page lists them (the query compiled
    once per process: ``qms.db.kept_rows``)."""
    content_type = ContentType.objects.get_for_model(obj)
    return kept_rows(("signatures",), _signatures, content_type.pk, obj.pk)


def _signatures(content_type_id: int, object_id: int):
    return Signature.objects.filter(content_type_id=content_type_id, object_id=object_id)


def still_matches(signature: Signature, current_sha256: str) -> bool:
    """Whether the content signed is still exactly the content now."""
    return signature.content_sha256 == current_sha256


def _target(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk} {obj}"[:300]
