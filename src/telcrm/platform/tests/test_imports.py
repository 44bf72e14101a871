"""The reading every import shares (platform/imports.py): file checks, encodings, header mapping, rows.
The imports' own tests (customers, coverage, stock) go through their upload pages; these pin the
shared pieces on their own."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from telcrm.platform import imports


@dataclass(frozen=True)
class Col:
    field: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()
    required: bool = False

    def header(self, lang=None) -> str:
        return self.zh


COLUMNS = (Col("code", "编码", "Code", ("代码",), required=True), Col("name", "名称", "Name"))
KNOWN = imports.aliases(COLUMNS)


def inspect(name: str, content: bytes, max_mb: int = 1):
    return imports.inspect_file(io.BytesIO(content), name, len(content), max_mb=max_mb)


def refused(name: str, content: bytes, max_mb: int = 1) -> str:
    with pytest.raises(ValidationError) as exc:
        inspect(name, content, max_mb)
    return exc.value.code


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_a_csv_is_read_in_each_encoding_excel_writes(encoding, tmp_path):
    content = "代码;名称\nA1;杭州\n".encode(encoding)
    layout, headers, has_data = inspect("x.csv", content)
    assert (layout.format, layout.delimiter, layout.header_row, headers, has_data) == (
        "csv",
        ";",
        1,
        ["代码", "名称"],
        True,
    )
    assert layout.encoding == ("utf-16" if encoding == "utf-16" else encoding)
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    assert list(imports.read_rows(path, layout)) == [(2, ("A1", "杭州"))]


def test_an_xlsx_header_is_found_below_blank_rows(tmp_path):
    wb = Workbook()
    ws = wb.active
    for row in ([], ["编码", "名称"], ["A1", 13800138000.0]):
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    layout, headers, has_data = inspect("x.xlsx", buf.getvalue())
    assert (layout.format, layout.header_row, headers, has_data) == ("xlsx", 2, ["编码", "名称"], True)
    path = tmp_path / "x.xlsx"
    path.write_bytes(buf.getvalue())
    (row_no, values), *_ = imports.read_rows(path, layout)
    assert row_no == 3 and [imports.cell_text(v) for v in values] == ["A1", "13800138000"]


def test_unreadable_files_are_refused_with_a_code():
    assert refused("x.csv", b"") == "empty"
    assert refused("x.csv", b"a" * (1024 * 1024 + 1)) == "too_large"
    assert refused("x.xls", b"anything") == "old_excel"
    assert refused("x.csv", b"\xd0\xcf\x11\xe0" + b"\x00" * 8) == "old_excel"
    assert refused("x.pdf", b"%PDF-1.4") == "bad_type"
    assert refused("x.xlsx", b"PK\x03\x04 broken") == "malformed"
    assert refused("x.csv", b"PK\x03\x04 a workbook") == "malformed"
    assert refused("x.csv", b"a,b\n\x00\x01") == "not_text"
    assert refused("x.csv", b"\n\n,,\n") == "empty"


def test_headers_map_to_columns_by_any_spelling():
    assert imports.map_headers([" code* ", None, "名称（可选）", "备注"], COLUMNS, KNOWN) == (
        {"code": 0, "name": 2},
        ("备注",),
    )
    with pytest.raises(ValidationError) as twice:
        imports.map_headers(["编码", "Code"], COLUMNS, KNOWN)
    assert twice.value.code == "duplicate_column" and twice.value.params["second"] == 2
    with pytest.raises(ValidationError) as missing:
        imports.map_headers(["名称"], COLUMNS, KNOWN)
    assert missing.value.code == "missing_columns" and missing.value.params["columns"] == "编码 / Code"
