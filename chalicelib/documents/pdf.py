"""The one PDF module (fpdf2): documents are described as headings, paragraphs and tables of
text (letters), or as pages of text and boxes at given positions (forms), and rendered here,
so appeal letters, statements and paper claims share one library and one look. Text is
Latin-1 in the core fonts: anything else is transliterated first."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from chalicelib.x12.charset import to_x12_text


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Document:
    """A simple letter-like document: a title, then blocks (a str is a paragraph, a Table a
    table, a str starting with '## ' a heading)."""

    title: str
    blocks: Sequence[str | Table] = field(default_factory=tuple)


def _latin(text: str) -> str:
    return text if all(ord(c) < 256 for c in text) else to_x12_text(text)


def render_pdf(document: Document) -> bytes:
    from fpdf import FPDF  # on first use: the library is heavy for a cold start

    pdf = FPDF(format="Letter")
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_title(_latin(document.title))
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin(document.title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for block in document.blocks:
        if isinstance(block, Table):
            _table(pdf, block)
        elif block.startswith("## "):
            pdf.set_font("Helvetica", "B", 11)
            pdf.ln(2)
            pdf.multi_cell(0, 6, _latin(block[3:]), new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.set_font("Helvetica", "", 10)
            pdf.multi_cell(0, 5, _latin(block), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())


def _table(pdf: object, table: Table) -> None:
    from fpdf import FPDF

    assert isinstance(pdf, FPDF)
    pdf.set_font("Helvetica", "", 9)
    with pdf.table(text_align="LEFT", line_height=5) as grid:
        header = grid.row()
        for cell in table.header:
            header.cell(_latin(cell))
        for values in table.rows:
            row = grid.row()
            for cell in values:
                row.cell(_latin(cell))
    pdf.ln(2)


# Positioned pages: forms printed onto pre-printed stock (the CMS-1500). Coordinates are
# points from the page's top-left corner (72 to the inch), as a ruler on the paper reads.


@dataclass(frozen=True, slots=True)
class Text:
    """`text` with its baseline starting at (x, y); `size` in points. Courier: at 12 points
    a character is 7.2 points wide, ten to the inch, the pitch forms are laid out in."""

    x: float
    y: float
    text: str
    size: float = 12
    font: str = "Courier"
    color: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle outline (x, y top-left; width, height), drawn in `color` (RGB 0-255)."""

    x: float
    y: float
    width: float
    height: float
    color: tuple[int, int, int] = (200, 30, 30)


@dataclass(frozen=True, slots=True)
class Page:
    marks: Sequence[Text | Box]


@dataclass(frozen=True, slots=True)
class Form:
    """Pages of positioned text and boxes on US Letter (612 x 792 points)."""

    title: str
    pages: Sequence[Page]


def render_form(form: Form) -> bytes:
    from fpdf import FPDF  # on first use: the library is heavy for a cold start

    pdf = FPDF(unit="pt", format="Letter")
    pdf.set_auto_page_break(auto=False)
    pdf.set_title(_latin(form.title))
    pdf.set_line_width(0.5)
    for page in form.pages:
        pdf.add_page()
        for mark in page.marks:
            if isinstance(mark, Box):
                pdf.set_draw_color(*mark.color)
                pdf.rect(mark.x, mark.y, mark.width, mark.height)
            else:
                pdf.set_font(mark.font, "", mark.size)
                pdf.set_text_color(*mark.color)
                pdf.text(mark.x, mark.y, _latin(mark.text))
    return bytes(pdf.output())


_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF rendered here has (its page objects): for run counts and the
    statement benchmark's pages per second."""
    return len(_PAGE.findall(pdf))
