"""Which segments each transaction's implementation guide allows (TR3 segment lists, 5010),
and the text X12 allows: the checks that keep a defect from passing silently.

A segment id the transaction's guide does not know (a lowercase `clm`, a typo, a segment of
another transaction) and a character outside the X12 basic and extended character sets
(X12.6: printable ASCII; a NUL, an escape, a byte that is not UTF-8, a letter with an accent)
are findings with their position, whatever reader reads the set afterwards. Both checks scan
the set's text with C-level operations, so a 20,000-claim 835 pays a few milliseconds.
"""

from __future__ import annotations

import re
from functools import lru_cache


# TR3 segment ids per guide, ST and SE included. 837P: 005010X222A1; 835: X221A1; 999: X231A1;
# 277: X212 and the 277CA X214; 276: X212; 270 / 271: X279A1.
def _ids(text: str) -> frozenset[str]:
    return frozenset(text.split(" "))


SEGMENTS: dict[str, frozenset[str]] = {
    "837P": _ids(
        "ST BHT NM1 PER HL PRV N3 N4 REF SBR PAT DMG CLM DTP PWK CN1 AMT K3 NTE CR1 CR2 CR3 "
        "CRC HI HCP LX SV1 SV5 QTY MEA PS1 LIN CTP OI MOA CAS SVD LQ FRM SE"
    ),
    "835": _ids(
        "ST BPR TRN CUR REF DTM N1 N3 N4 PER RDM LX TS3 TS2 CLP CAS NM1 MIA MOA AMT QTY SVC "
        "LQ PLB SE"
    ),
    "999": _ids("ST AK1 AK2 IK3 CTX IK4 IK5 AK9 SE"),
    "277": _ids("ST BHT HL NM1 PER TRN STC QTY AMT DTP REF SVC SE"),
    "277CA": _ids("ST BHT HL NM1 PER TRN STC QTY AMT DTP REF SVC SE"),
    "276": _ids("ST BHT HL NM1 TRN REF AMT DTP SVC DMG SE"),
    "270": _ids("ST BHT HL NM1 REF N3 N4 PRV DMG INS HI DTP EQ AMT III TRN SE"),
    "271": _ids(
        "ST BHT HL AAA NM1 REF N3 N4 PER PRV DMG INS HI DTP MPI EB HSD MSG III LS LE TRN SE"
    ),
}

_PRINTABLE = bytes(range(0x20, 0x7F))
MAX_PER_SET = 50  # findings of each check per set; a binary file is not listed byte by byte

# (ST01, first 10 characters of ST03/GS08) -> kind, where ST01 alone is ambiguous.
_KINDS = {
    ("277", "005010X214"): "277CA",
    ("837", "005010X222"): "837P",
    ("837", "005010X223"): "837I",
    ("837", "005010X224"): "837D",
}


def kind_of(set_id: str, guide: str) -> str:
    """ST01, or the guide-specific kind ("277CA", "837P" ...) where ST01 is ambiguous."""
    return _KINDS.get((set_id, guide[:10]), set_id)


@lru_cache(maxsize=64)
def unknown_segments(kind: str, terminator: str, separator: str) -> re.Pattern[str] | None:
    """Finds each terminator followed by a segment id the guide of `kind` does not allow
    (None: no grammar for this kind). The ids are grouped by first letter, so the engine
    tries few alternatives at each segment."""
    allowed = SEGMENTS.get(kind)
    if allowed is None:
        return None
    by_letter: dict[str, list[str]] = {}
    for segment_id in sorted(allowed):
        by_letter.setdefault(segment_id[0], []).append(re.escape(segment_id[1:]))
    branches = "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in by_letter.items())
    t, s = re.escape(terminator), re.escape(separator)
    return re.compile(f"{t}(?!(?:{branches})(?:{s}|{t}))([^{s}{t}]+)")


def has_foreign_characters(text: str, delimiters: str) -> bool:
    """True when `text` holds a character outside printable ASCII other than the delimiters
    (fast: an ASCII check, then bytes.translate)."""
    if not text.isascii():
        return True
    allowed = _PRINTABLE + delimiters.encode("ascii", "replace")
    return bool(text.encode("ascii").translate(None, allowed))


@lru_cache(maxsize=64)
def foreign_character(delimiters: str) -> re.Pattern[str]:
    """Finds a character outside printable ASCII that is not one of the delimiters."""
    return re.compile(f"[^\\x20-\\x7e{re.escape(delimiters)}]")
