"""The stable error codes of the appointment book: never rename or reuse one (liuke.core.errors)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from liuke.core.errors import ErrorCode, ServiceError


class AppointmentsErrorCode(ErrorCode):
    """Error codes of appointments: resources, bookings, moves, statuses."""

    SLOT_TAKEN = (
        "slot_taken",
        "The staff member or every unit of the resource is already booked for part of that "
        "time (HTTP 409); nothing was written.",
    )
    END_BEFORE_START = "end_before_start", "An item's end is not after its start."
    IN_THE_PAST = "in_the_past", "A new booking (or a move) to a time that has already begun."
    OUTSIDE_HOURS = (
        "outside_hours",
        "Outside the branch's opening hours: only a manager's explicit override books it.",
    )
    OUTSIDE_ROSTER = (
        "outside_roster",
        "The staff member is not working then (the branch's roster, a break, time off or "
        "leave): only a manager's explicit override books it.",
    )
    TOO_SHORT = (
        "too_short",
        "Too short for the service's processing gap and clean-up: no time is left for the work.",
    )
    STAFF_NOT_AT_BRANCH = (
        "staff_not_at_branch",
        "The staff member does not work at the appointment's branch (or is not active staff).",
    )
    STAFF_CANNOT_PERFORM = (
        "staff_cannot_perform",
        "The staff member does not perform the service (role or skills).",
    )
    NO_CUSTOMER = (
        "no_customer",
        "The book page's form names neither a customer nor a new caller's name and mobile.",
    )
    CUSTOMER_ERASED = "customer_erased", "The customer's personal data was erased: no booking."
    INVALID_SERVICE = "invalid_service", "Not an active service of the business."
    INVALID_RESOURCE = (
        "invalid_resource",
        "Not an active resource of the branch, or not of the kind the service needs.",
    )
    INVALID_TRANSITION = (
        "invalid_transition",
        "The appointment cannot go from its status to that one.",
    )
    NOT_OPEN = "not_open", "Only a booked or confirmed appointment can be changed or cancelled."
    NOT_STARTED = "not_started", "A no-show is recorded once the appointment's time has begun."
    NO_ITEMS = "no_items", "An appointment needs one to ten items."
    COUNT_IN_USE = (
        "count_in_use",
        "Fewer units than are booked at once from now on: move those bookings first.",
    )
    DUPLICATE_NAME = "duplicate_name", "The branch already has a resource of that name."
    ONLINE_OFF = "online_off", "The business takes no bookings online (its booking settings)."
    TOO_MANY_CODES = (
        "too_many_codes",
        "Too many one-time codes asked for by this number or address (HTTP 429); wait a while.",
    )
    CODE_INVALID = "code_invalid", "The one-time code is wrong, used or expired."
    OUTSIDE_ONLINE_WINDOW = (
        "outside_online_window",
        "An online booking sooner than the minimum notice or further ahead than the business "
        "allows, or not one of the free times offered.",
    )
    CANCEL_WINDOW_PASSED = (
        "cancel_window_passed",
        "Inside the cancellation notice before the start: the customer calls the salon instead.",
    )
    CHECKOUT_MISMATCH = (
        "checkout_mismatch",
        "The appointment checked out is another customer's or at another branch than the visit.",
    )
    INVALID_WINDOW = (
        "invalid_window",
        "A waitlist window needs days from today (at most 60) and a time of day range.",
    )
    NO_OFFER = "no_offer", "The waitlist entry has no time offered to accept or decline."
    NOT_HERE = (
        "not_here",
        "Only an arrived or in-service appointment not yet checked out can be checked out.",
    )


class SlotTaken(ServiceError):
    """The time is taken: by the database's exclusion constraint (PostgreSQL) or by the check
    inside the write lock (SQLite)."""

    status = 409

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            AppointmentsErrorCode.SLOT_TAKEN,
            message or _("That time is already booked. Pick another time, staff member or room."),
        )


class TooManyCodes(ServiceError):
    """Over the limit of one-time codes per number or per address."""

    status = 429

    def __init__(self) -> None:
        super().__init__(
            AppointmentsErrorCode.TOO_MANY_CODES,
            _("Too many codes asked for. Please wait a while and try again."),
        )
