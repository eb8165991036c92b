"""Text in the X12 5010 character set. The TR3s (appendix A, character sets) allow the basic
set (A-Z, 0-9, space and ! " & ' ( ) * + , - . / : ; ? =) and the extended set (a-z and
% ~ @ [ ] _ { } \\ | < > ^ ` # $); nothing else, so "Nuñez" cannot be written as it is.

`to_x12_text` transliterates: accents come off (Nuñez -> Nunez, Đặng -> Dang), letters
Unicode does not decompose get their usual spelling (ß -> ss, Æ -> AE, Ø -> O, Þ -> TH),
compatibility forms fold (ﬁ -> fi, full-width letters to ASCII), other whitespace becomes a
space, and what has no equivalent (emoji, CJK, symbols) is removed. Whether the result holds a
delimiter is the writer's check, made after this one.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

BASIC: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 !\"&'()*+,-./:;?=")
EXTENDED: Final = BASIC | frozenset("abcdefghijklmnopqrstuvwxyz%~@[]_{}\\|<>^`#$")

# Letters NFKD leaves whole, spelled as their languages write them in ASCII.
_SPELLED: Final = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ł": "l",
    "Ł": "L",
    "ı": "i",
    "ħ": "h",
    "Ħ": "H",
    "ŋ": "n",
    "Ŋ": "N",
    "ſ": "s",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
}
_SPACES: Final = re.compile(r" {2,}")


def is_x12_text(text: str) -> bool:
    return all(char in EXTENDED for char in text)


def to_x12_text(text: str) -> str:
    """`text` in the 5010 extended character set (see the module docstring)."""
    if is_x12_text(text):
        return text
    out: list[str] = []
    for char in text:
        if char in EXTENDED:
            out.append(char)
        elif char in _SPELLED:
            out.append(_SPELLED[char])
        elif char.isspace():
            out.append(" ")
        else:
            folded = unicodedata.normalize("NFKD", char)
            out.extend(c if c in EXTENDED else _SPELLED.get(c, "") for c in folded)
    return _SPACES.sub(" ", "".join(out)).strip()
