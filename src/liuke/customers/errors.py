"""The stable error codes of customers: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class CustomersErrorCode(ErrorCode):
    """Error codes of customers: the file, its fields, photos, merges, access grants."""

    ACCESS_NOT_NEEDED = "access_not_needed", "The actor can already read the customer's file."
    BIRTHDAY_IN_FUTURE = "birthday_in_future", "The birthday is in the future."
    BIRTHDAY_TOO_OLD = "birthday_too_old", "The birthday is before 1900."
    DUPLICATE_CARD = "duplicate_card", "The membership card number belongs to another customer."
    FIELD_NOT_ALLOWED = "field_not_allowed", "The actor's role may not change this field."
    INVALID_BRANCH = "invalid_branch", "Not one of the actor's branches."
    INVALID_CHOICE = "invalid_choice", "Not one of the field's choices."
    INVALID_DATE = "invalid_date", "Not a valid date."
    INVALID_GROUP = "invalid_group", "An unknown group of fields to mark verified."
    INVALID_OWNER = "invalid_owner", "The responsible person is not an active staff member."
    INVALID_REFERRER = "invalid_referrer", "The referrer is not a customer the actor can see."
    INVALID_STAFF = "invalid_staff", "Not an active staff member of the business."
    MERGE_SAME = "merge_same", "A customer cannot be merged into itself."
    NO_PHOTO_CONSENT = "no_photo_consent", "The customer has not consented to photos."
    NOT_IN_FORCE = "not_in_force", "The access grant is not in force."
    NOT_PENDING = "not_pending", "The access request has already been decided."
    PHOTO_INVALID = "photo_invalid", "The file is not a photo that can be read."
    PHOTO_TOO_LARGE = "photo_too_large", "The photo is 10 MB or larger."
    REASON_REQUIRED = "reason_required", "An export of customer data needs a reason."
    REQUEST_PENDING = (
        "request_pending",
        "The actor has already asked for access; the answer is pending.",
    )
    SELF_REFERRAL = "self_referral", "A customer cannot refer themselves."
    TOO_MANY_TAGS = "too_many_tags", "More than 30 tags."
    UNKNOWN_FIELD = "unknown_field", "The input names a field the customer file does not have."
