"""Account services: create, export and delete a user.

Other apps add their data to the personal-data export by registering an exporter
(`register_user_data_exporter`). Whatever they do not register is still exported: every
model that is deleted together with the user (a CASCADE foreign key to it) and has no
registered exporter is serialized generically under "other", so a new app can never
silently drop data from the export.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "matchplan.user-data.v1"

UserDataExporter = Callable[[User], Any]


@dataclass(frozen=True)
class _Registration:
    exporter: UserDataExporter
    models: tuple[str, ...]  # "app_label.ModelName" labels this exporter covers


_exporters: dict[str, _Registration] = {}

# Records about what staff did (the admin log) are kept for auditing, not exported.
_NOT_EXPORTED = frozenset({"admin.LogEntry"})


def register_user_data_exporter(
    key: str, exporter: UserDataExporter, *, models: Iterable[str] = ()
) -> None:
    """Add `exporter(user)`'s return value (JSON-serializable) under `key` in the export.

    `models` names the models ("app_label.ModelName") the exporter covers, so the
    generic fallback does not export them a second time. Registering a key again
    replaces the previous exporter (module reloads in tests stay harmless).
    """
    if key in {"export_format", "exported_at", "user", "other"}:
        raise ValueError(f"The export key {key!r} is reserved.")
    _exporters[key] = _Registration(exporter=exporter, models=tuple(models))


class SignupTokenGenerator(PasswordResetTokenGenerator):
    """Tokens of the sign-up confirmation link: they stop working once the account is
    active (or its password or last log-in changes), and after PASSWORD_RESET_TIMEOUT."""

    key_salt = "accounts.services.SignupTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


signup_tokens = SignupTokenGenerator()


def _send(*, template: str, subject: str, to: str, context: dict[str, Any]) -> None:
    body = render_to_string(f"accounts/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [to])
    except (smtplib.SMTPException, OSError):
        # No address in the log; the person can sign up again to get a new email.
        logger.warning("A sign-up email (%s) could not be sent", template)


def user_signup(*, email: str, password: str, base_url: str) -> None:
    """Sign up ``email``: the answer is the same whatever the address, so the form never
    tells whether an account exists (the page says "check your email").

    - A new address gets an inactive account and a link that confirms it and logs in.
    - An address that signed up but never confirmed gets the new password and a new link.
    - An existing account's owner is told by email that somebody tried to sign up with it,
      with links to log in or reset the password; the account is not changed.
    Raises ValidationError (keyed by "email" or "password") for input the person can fix;
    those checks do not depend on whether the address has an account.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    if not email:
        raise ValidationError({"email": "Enter your email address."})
    candidate = User(email=email)
    try:
        password_validation.validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__iexact=email).first()
        unconfirmed = user is not None and not user.is_active and user.last_login is None
        if user is None:
            user = User.objects.create_user(email=email, password=password, is_active=False)
        elif unconfirmed:
            user.set_password(password)
            user.save(update_fields=["password"])
        else:
            candidate.set_password(password)  # the same hashing time as the other paths
    if user.is_active or user.last_login is not None:
        _send(
            template="signup_existing",
            subject="Someone tried to sign up to MatchPlan with your address",
            to=user.email,
            context={
                "login_url": base_url + reverse("accounts:login"),
                "reset_url": base_url + reverse("accounts:password_reset"),
            },
        )
        return
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    _send(
        template="signup_confirm",
        subject="Confirm your MatchPlan account",
        to=user.email,
        context={
            "url": base_url
            + reverse("accounts:signup_confirm", args=[uid, signup_tokens.make_token(user)]),
        },
    )


def unconfirmed_signups_expire(*, cutoff: dt.datetime, dry_run: bool = False) -> int:
    """Delete sign-ups never confirmed (inactive, never logged in, not staff) that joined
    before ``cutoff``; their link expired long ago. Returns how many (would) go."""
    stale = User.objects.filter(
        is_active=False,
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        date_joined__lt=cutoff,
    )
    if dry_run:
        return stale.count()
    _total, per_model = stale.delete()
    return per_model.get(User._meta.label, 0)


def user_confirm_signup(*, user: User, token: str) -> bool:
    """Activate the account if ``token`` is its valid confirmation token."""
    if user.is_active or not signup_tokens.check_token(user, token):
        return False
    user.is_active = True
    user.save(update_fields=["is_active"])
    return True


def _user_record(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "date_joined": user.date_joined.isoformat(),
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "groups": sorted(user.groups.values_list("name", flat=True)),
    }


def _cascade_relations(on_delete: Any = models.CASCADE) -> list[models.ForeignObjectRel]:
    return [
        rel
        for rel in User._meta.related_objects
        if (rel.one_to_many or rel.one_to_one) and rel.on_delete is on_delete
    ]


def _generic_export(user: User, covered: set[str]) -> dict[str, list[dict[str, Any]]]:
    other: dict[str, list[dict[str, Any]]] = {}
    for rel in _cascade_relations():
        label = rel.related_model._meta.label
        if label in covered or label in _NOT_EXPORTED:
            continue
        rows = rel.related_model._default_manager.filter(**{rel.field.name: user})
        serialized = serializers.serialize("python", rows.order_by("pk"))
        if serialized:
            other[label] = [{"pk": row["pk"], **row["fields"]} for row in serialized]
    return other


def user_export_data(*, user: User) -> dict[str, Any]:
    """Everything MatchPlan keeps about `user`, as a JSON-serializable dict.

    Values may include dates and UUIDs: encode with DjangoJSONEncoder.
    """
    data: dict[str, Any] = {
        "export_format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "user": _user_record(user),
    }
    covered: set[str] = set()
    for key, registration in sorted(_exporters.items()):
        data[key] = registration.exporter(user)
        covered.update(registration.models)
    data["other"] = _generic_export(user, covered)
    return data


def user_data_summary(*, user: User, on_delete: Any = models.CASCADE) -> list[tuple[int, str]]:
    """(count, what) of the records deleting the account removes, e.g. (2, "plans"); with
    ``on_delete=models.SET_NULL``, those it leaves without the person's name (the comments
    an advisor wrote on other people's plans stay with those plans)."""
    summary: list[tuple[int, str]] = []
    for rel in _cascade_relations(on_delete):
        meta = rel.related_model._meta
        if meta.label in _NOT_EXPORTED:
            continue
        count = rel.related_model._default_manager.filter(**{rel.field.name: user}).count()
        if count:
            summary.append(
                (count, str(meta.verbose_name if count == 1 else meta.verbose_name_plural))
            )
    return summary


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the account and, through CASCADE, every draft, plan and other record it owns."""
    if user.pk is None:
        raise ValueError("This user is not saved.")
    User.objects.filter(pk=user.pk).delete()


def export_filename(*, user: User, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    return f"matchplan-data-{today.isoformat()}.json"
