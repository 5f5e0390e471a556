"""The one error an annual report's reader raises: the input cannot be read, with the reason."""

from __future__ import annotations


class ReportError(ValueError):
    """The input is not a readable annual report; `reason` says why in a short phrase
    ("no text layer", "encrypted PDF", "not an annual report: no report tables or figures found")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
