"""Damage done to real X12 files, for the mutation tests and the chaos benchmark: hostile
element values (numbers no decimal holds, non-ASCII digits, control bytes), deleted,
duplicated, swapped and lower-cased segments, truncation and inserted bytes."""

from __future__ import annotations

import random
from dataclasses import dataclass

OPERATIONS = (
    "element",
    "element",
    "element",
    "delete",
    "duplicate",
    "swap",
    "truncate",
    "bytes",
    "lowercase",
)

# Text that Decimal(), int() or str.isdigit() take but X12 does not, that no number holds,
# or that is on the edge of R 1/18 (the sign is no digit).
NUMBERS = (
    "1E+9999999999",
    "-1E-9999999999",
    "9E+999999999999999999",
    "1e5",
    "NaN",
    "-Infinity",
    "sNaN",
    "２４５",
    "²",
    "٣",
    "+5",
    " 5",
    "5 ",
    "1_000",
    "1.2.3",
    "-",
    ".",
    "9" * 19,
    "9" * 5000,
    "0." + "1" * 40,
    "-" + "9" * 18,
    "２０２４０１０１",
    "²²²²²²²²",
)
HOSTILE = (*NUMBERS, "", "\x00", "\x00\x1b\xff", "Nuñez", "20241399", "00000000", "HC:99213:25")


@dataclass(frozen=True)
class Mutation:
    """One damage done to a file's segments."""

    op: str
    at: int
    other: int
    element: int
    value: str

    def apply(self, content: bytes) -> bytes:
        if not content:  # an earlier mutation left nothing to damage
            return content
        text = content.decode("latin-1")
        segments = text.split("~")
        i = self.at % len(segments)
        if self.op == "element":
            elements = segments[i].split("*")
            if len(elements) > 1:  # an element, never the segment id
                elements[1 + (self.element - 1) % (len(elements) - 1)] = self.value
                segments[i] = "*".join(elements)
        elif self.op == "delete":
            del segments[i]
        elif self.op == "duplicate":
            segments.insert(i, segments[i])
        elif self.op == "swap":
            j = self.other % len(segments)
            segments[i], segments[j] = segments[j], segments[i]
        elif self.op == "truncate":
            return content[: self.at % len(content)]
        elif self.op == "bytes":
            cut = self.at % len(content)
            return content[:cut] + self.value.encode("utf-8") + content[cut:]
        elif self.op == "lowercase":
            segments[i] = segments[i].lower()
        return "~".join(segments).encode("latin-1", errors="replace")


def random_mutation(rng: random.Random) -> Mutation:
    """A mutation drawn from `rng` (the chaos benchmark: seeded, no hypothesis)."""
    value = (
        rng.choice(HOSTILE)
        if rng.random() < 0.7
        else "".join(chr(rng.randrange(32, 0x3000)) for _ in range(rng.randrange(0, 8)))
    )
    return Mutation(
        op=rng.choice(OPERATIONS),
        at=rng.randrange(10_000),
        other=rng.randrange(10_000),
        element=rng.randrange(1, 13),
        value=value,
    )
