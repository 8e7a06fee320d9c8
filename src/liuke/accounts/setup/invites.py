"""The one-time link on which an invited staff member sets their password.

The link is `/welcome/<token>.<signature>/` (`liuke.core.signed`, the purpose salt of staff
invitations): a link not made by us is refused before the database is asked. The row keeps
only the token's SHA-256; a link works once, for `INVITE_DAYS` days, for a staff member who
has not left, and only the newest one of a staff member works. Every refusal looks the same
(the page answers "this link does not work"), so probing learns nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from liuke.accounts.errors import AccountsErrorCode
from liuke.accounts.models import StaffInvite, User
from liuke.accounts.schemas import PasswordIn
from liuke.accounts.setup import changes
from liuke.core.locking import lock_one
from liuke.core.signed import SignedTokens, new_token

#: How long an invitation link works.
INVITE_DAYS = 7

_TOKENS = SignedTokens("liuke.accounts.invite")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def invite_path(signed: str) -> str:
    return reverse("accounts_public:welcome", args=[signed])


def invites_void(*, user: User) -> None:
    """Every unused link of `user` stops working (a new one was made, or they left)."""
    StaffInvite.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())


def invite_create(*, actor: User, user: User) -> str:
    """A new link for `user` (the older ones stop working): its absolute address, to show the
    inviter, who passes it on (the outbox sends to customers only)."""
    invites_void(user=user)
    token = new_token()
    StaffInvite.objects.create(
        user=user,
        created_by=actor,
        token_hash=_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=INVITE_DAYS),
    )
    return settings.LIUKE_PUBLIC_URL + invite_path(_TOKENS.sign(token))


def invite_open(signed: str, *, lock: bool = False) -> StaffInvite | None:
    """The invitation a link opens, or None when it does not work (whatever the reason)."""
    token = _TOKENS.unsign(signed)
    if token is None or not token.isascii():
        return None
    qs = StaffInvite.objects.select_related("user", "user__business")
    invite = qs.filter(token_hash=_hash(token)).first()
    if lock and invite is not None:
        # only the invitation's own row (core.locking), read again under the lock
        invite = lock_one(qs, invite.pk)
    if (
        invite is None
        or invite.used_at is not None
        or invite.expires_at <= timezone.now()
        or not invite.user.is_active
    ):
        return None
    return invite


@transaction.atomic
def invite_accept(*, signed: str, data: PasswordIn) -> User:
    """Set the invited staff member's password from their link; the link is then used up.
    They log in next with their login (mobile or e-mail) and the new password."""
    invite = invite_open(signed, lock=True)
    if invite is None:
        raise ValidationError(
            _("This link does not work: it has expired or was used already. Ask for a new one."),
            code=AccountsErrorCode.INVITE_INVALID,
        )
    user = invite.user
    if data.password != data.password_again:
        raise ValidationError(
            {
                "password_again": [
                    ValidationError(
                        _("The two passwords differ."), code=AccountsErrorCode.PASSWORD_MISMATCH
                    )
                ]
            }
        )
    try:
        validate_password(data.password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None
    user.set_password(data.password)
    user.save(update_fields=["password"])
    invite.used_at = timezone.now()
    invite.save(update_fields=["used_at"])
    changes.record(actor=user, subject=f"staff:{user.pk}", changes={"password": (None, "set")})
    return user
