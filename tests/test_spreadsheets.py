"""Every CSV export goes through core.spreadsheets: a name written as a formula arrives as
text, numbers stay numbers, and the file suits a Brazilian spreadsheet."""
import csv
import io
from decimal import Decimal

from core.spreadsheets import csv_lines, spreadsheet_safe

FORMULAS = ['=HYPERLINK("http://x","clique")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)",
            "\t=1", "\r=1"]


def test_a_cell_that_starts_like_a_formula_is_quoted():
    assert [spreadsheet_safe(text) for text in FORMULAS] == ["'" + text for text in FORMULAS]


def test_numbers_and_plain_text_are_left_alone():
    assert spreadsheet_safe(-12) == -12
    assert spreadsheet_safe(Decimal("-61.40")) == Decimal("-61.40")
    assert spreadsheet_safe("Maria da Silva") == "Maria da Silva"
    assert spreadsheet_safe(None) == ""


def test_the_lines_read_back_as_text_with_a_bom_and_semicolons():
    lines = csv_lines(["nome", "valor"], iter([[FORMULAS[0], Decimal("-1.50")], ["Ana; Bia", 3]]))
    text = "".join(lines)
    assert text.startswith("\ufeffnome;valor\r\n")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["nome", "valor"], ["'" + FORMULAS[0], "-1.50"], ["Ana; Bia", "3"]]


def test_a_header_is_defused_too_and_the_options_change_the_dialect():
    text = "".join(csv_lines(["=x"], [], delimiter=",", bom=False))
    assert text == "'=x\r\n"
