"""The stable error codes of imports: never rename or reuse one (see liuke.core.errors)."""

from __future__ import annotations

from liuke.core.errors import ErrorCode


class TransferErrorCode(ErrorCode):
    """Error codes of imports: files refused, mappings, batches."""

    FILE_TOO_LARGE = "file_too_large", "The uploaded file is larger than imports allow."
    FILE_NOT_READABLE = (
        "file_not_readable",
        "The file is not what its name says, is damaged, encrypted, or not a spreadsheet.",
    )
    FILE_TOO_WIDE = "file_too_wide", "The file has more columns than an import reads."
    CELL_TOO_LONG = "cell_too_long", "A cell holds more text than a spreadsheet cell may."
    ZIP_BOMB = "zip_bomb", "The .xlsx unpacks to far more than a spreadsheet of its size."
    FILE_EMPTY = "file_empty", "The file has no header row."
    INVALID_MAPPING = "invalid_mapping", "A column mapping names an unknown field or column."
    INVALID_KIND = "invalid_kind", "Not one of the kinds of import."
    BATCH_STATE = "batch_state", "The import is not in a state that allows this step."
    UNDO_BLOCKED = "undo_blocked", "Records the import created are used elsewhere."
    IMPORTED_DIFFERENTLY = (
        "imported_differently",
        "A visit came in before with other values: history is not restated by a re-run.",
    )
