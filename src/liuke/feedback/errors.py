"""The stable error codes of feedback: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class FeedbackErrorCode(ErrorCode):
    """Error codes of feedback: surveys, public links, suggestions, conversations, notices."""

    EMPTY_ANSWER = "empty_answer", "A survey answer answers no question."
    INVALID_BRANCH = "invalid_branch", "Not one of the actor's branches."
    INVALID_DATE = "invalid_date", "A date outside 2000 to 2100."
    INVALID_KIND = "invalid_kind", "Not one of the listed kinds."
    INVALID_NUMBER = "invalid_number", "A number outside its allowed range."
    INVALID_SCORE = "invalid_score", "A score outside the question's scale."
    INVALID_STATUS = "invalid_status", "Not one of the suggestion statuses."
    LINK_INVALID = "link_invalid", "The public link is unknown, expired, already used or withdrawn."
    NO_PARTICIPANTS = (
        "no_participants",
        "A conversation needs 1 to the maximum number of customers who took part.",
    )
    NO_QUESTION = "no_question", "The survey settings keep no question."
    TOO_MANY = "too_many", "Too many items linked to one notice, or too many participants."
