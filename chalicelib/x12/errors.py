"""X12 errors say whose fault it is: the other side sent EDI we cannot read, or we were asked
to write EDI that would be invalid. They lead to different actions (reject the file and tell
the sender, or fix our own data), so they are different types."""

from __future__ import annotations


class X12Error(Exception):
    """Base of every codec error."""


class X12ReadError(X12Error):
    """Inbound EDI cannot be read. Names the segment (1-based position in the file, segment id)
    and, where known, the element position, so the sender can find the defect."""

    def __init__(
        self,
        message: str,
        *,
        segment_index: int,
        segment_id: str,
        element_position: int | None = None,
    ) -> None:
        self.message = message
        self.segment_index = segment_index
        self.segment_id = segment_id
        self.element_position = element_position
        super().__init__(self.located())

    def located(self) -> str:
        where = f"segment {self.segment_index} ({self.segment_id or '?'})"
        if self.element_position is not None:
            where += f" element {self.segment_id}{self.element_position:02d}"
        return f"{where}: {self.message}"


class X12WriteError(X12Error):
    """We were asked to write EDI that would be invalid: our data is at fault, not the peer's."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        self.message = message
        self.field = field
        super().__init__(f"{field}: {message}" if field else message)
