"""CSV exports neutralise formulas (CSV injection), also behind leading whitespace or a
newline, which spreadsheets skip before reading a formula (issue 17, defect 11)."""

from __future__ import annotations

import csv
import io

import pytest

from zerenzhi.labels import Label
from zerenzhi.rollups.exports import Column, Sheet, to_csv


def exported(value: str) -> str:
    sheet = Sheet(Label("表", "Sheet"), [Column("name")], [[value]])
    rows = list(csv.reader(io.StringIO(to_csv(sheet).decode("utf-8-sig"))))
    return rows[1][0]


@pytest.mark.parametrize("value", [
    "=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
    " =HYPERLINK(\"http://x\")", "\n=1+1", "  +1", "\n\n-2", " @x", "\u3000=1",
])
def test_formula_like_cells_are_quoted_as_text(value):
    assert exported(value) == "'" + value


@pytest.mark.parametrize("value", ["Longzhua", " plain", "a=b", "1-2", ""])
def test_ordinary_text_is_left_alone(value):
    assert exported(value) == value
