"""The CMS-1500 layout table: the grid is NUCC's (10 characters, 6 lines to the inch on
8.5 x 11 in), every printed item stands inside a box of the form, and a claim continues on a
further form every six service lines."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chalicelib.api.contract import ClaimRequest
from chalicelib.claims.model import Claim
from chalicelib.documents.cms1500 import BOXES, COLUMN, LINE, PaperClaim, render_cms1500
from chalicelib.documents.pdf import Text
from tests.conftest import CONTRACT

PRINTED_ON = date(2026, 12, 5)


def _claim(name: str) -> Claim:
    return ClaimRequest.model_validate_json((CONTRACT / name).read_text()).to_claim()


def _inside(text: Text) -> list[str]:
    return [
        name
        for name, area in BOXES.items()
        if area.rect[0] <= text.x < area.rect[2] and area.rect[1] < text.y <= area.rect[3]
    ]


def test_cms1500_grid_is_ten_characters_and_six_lines_to_the_inch() -> None:
    assert (COLUMN * 85, LINE * 66) == (8.5 * 72, 11 * 72)
    assert BOXES["2"].rect == (0.0, 8 * LINE, 29 * COLUMN, 10 * LINE)
    for name, area in BOXES.items():
        assert 1 <= area.left <= area.right <= 85 and 1 <= area.top <= area.bottom <= 66, name


def test_cms1500_every_item_is_printed_inside_a_box() -> None:
    for name in (
        "claim-basic.json",
        "claim-dependent.json",
        "claim-dependent-facility-auth.json",
        "claim-medicare-with-secondary.json",
        "claim-documented-shape.json",
    ):
        form = render_cms1500(PaperClaim(_claim(name), "PAYER", PRINTED_ON))
        for page in form.pages:
            for mark in page.marks:
                assert isinstance(mark, Text)
                assert _inside(mark), (name, mark)
                right_edge = mark.x + len(mark.text) * COLUMN
                assert right_edge <= max(BOXES[b].rect[2] for b in _inside(mark)), (name, mark)


def test_cms1500_continues_every_six_lines_with_totals_on_the_last() -> None:
    claim = _claim("claim-basic.json")
    info = claim.claim_information
    lines = info.service_lines * 7  # 14 lines: three forms
    long = replace(claim, claim_information=replace(info, service_lines=lines))
    form = render_cms1500(PaperClaim(long, "PAYER", PRINTED_ON))
    assert len(form.pages) == 3
    totals = [
        [m for m in page.marks if isinstance(m, Text) and "28" in _inside(m)] for page in form.pages
    ]
    assert [len(t) for t in totals] == [0, 0, 2]


def test_cms1500_drawn_adds_the_form_and_keeps_the_data_where_it_was() -> None:
    paper = PaperClaim(_claim("claim-basic.json"), "PAYER", PRINTED_ON)
    printed = render_cms1500(paper).pages[0].marks
    drawn = render_cms1500(paper, drawn=True).pages[0].marks
    assert set(printed) < set(drawn)
    labels = {m.text for m in drawn if isinstance(m, Text) and m.font == "Helvetica"}
    assert "28. TOTAL CHARGE" in labels and "L." in labels
    assert len(labels) == len(BOXES) + 12  # and box 21's diagnosis letters


def _texts(paper: PaperClaim) -> list[Text]:
    return [m for m in render_cms1500(paper).pages[0].marks if isinstance(m, Text)]


def _printed(paper: PaperClaim, box: str, line: int | None = None) -> list[str]:
    [page] = render_cms1500(paper).pages
    return [
        m.text
        for m in page.marks
        if isinstance(m, Text)
        and box in _inside(m)
        and (line is None or (line - 1) * LINE < m.y <= line * LINE)
    ]


def test_cms1500_other_insured_referring_onset_and_resubmission() -> None:
    secondary = _claim("claim-medicare-with-secondary.json")
    paper = PaperClaim(secondary, "PAYER", PRINTED_ON)
    assert _printed(paper, "9") == ["BRANDT, WALTER"]
    assert _printed(paper, "9a") == ["MCD55512345"]
    assert _printed(paper, "9d") == ["SANDBOX STATE MEDICAID"]
    marks = _texts(paper)
    [another_plan] = [m for m in marks if "11d" in _inside(m)]
    assert (another_plan.text, another_plan.x) == ("X", (52 - 1) * COLUMN)  # 11d YES
    [insurance_type] = [m for m in marks if "1" in _inside(m)]
    assert (insurance_type.text, insurance_type.x) == ("X", (2 - 1) * COLUMN)  # 1 MEDICARE

    documented = _claim("claim-documented-shape.json")
    paper = PaperClaim(documented, "PAYER", PRINTED_ON)
    assert _printed(paper, "17") == ["DN", "HADDAD, OMAR"]
    assert _printed(paper, "17b") == ["1003000126"]
    assert _printed(paper, "14") == ["11", "10", "2026", "QUAL", "431"]

    info = replace(
        documented.claim_information,
        claim_frequency_code="7",
        payer_claim_control_number="PCN-ORIGINAL-9",
        related_causes=("AA",),
        auto_accident_state="NY",
    )
    paper = PaperClaim(replace(documented, claim_information=info), "PAYER", PRINTED_ON)
    assert _printed(paper, "22") == ["7", "PCN-ORIGINAL-9"]
    assert _printed(paper, "10b") == ["X", "NY"]
    [auto_yes, _] = [m for m in _texts(paper) if "10b" in _inside(m)]
    assert auto_yes.x == (35 - 1) * COLUMN
