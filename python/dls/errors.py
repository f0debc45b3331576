"""Exceptions of the dls package.

Every error dls raises derives from :class:`DlsError` and carries dls's own message (what is
wrong, where: file:line:column, entity, field, rule, table) and ``exit_code``, the code the
``dls`` command exits with for the same error (1 failure, 2 usage, 3 invalid metadata, 4
data-quality failure). A call that raises writes nothing.
"""

from __future__ import annotations

from typing import List

__all__ = [
    "DlsError",
    "UsageError",
    "InvalidMetadataError",
    "DataQualityError",
    "ConflictError",
    "NotFoundError",
]


class DlsError(Exception):
    """Base of every dls error. ``exit_code`` is the ``dls`` command's exit code for it."""

    exit_code: int = 1

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DlsError, ValueError):
    """An API call used wrongly: an unknown option, a missing argument, a bad combination."""

    exit_code = 2


class InvalidMetadataError(DlsError, ValueError):
    """Metadata or configuration that cannot be accepted (a bad enum, a missing field, an unsafe
    table name, an unparsable filter, an invalid YAML file). ``errors`` lists every problem found,
    each a complete message; nothing was written."""

    exit_code = 3

    def __init__(self, message: str = "", *args: object) -> None:
        super().__init__(message, *args)
        self.errors: List[str] = [message] if message else []


class DataQualityError(DlsError):
    """An ``expect_all_or_fail`` expectation failed; the dataset's update committed nothing."""

    exit_code = 4


class ConflictError(DlsError):
    """A write could not commit: other writers kept changing the table (after every retry)."""

    exit_code = 1


class NotFoundError(DlsError, LookupError):
    """A table, entity, file or directory that does not exist."""

    exit_code = 1
