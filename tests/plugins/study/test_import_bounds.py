"""An uploaded register is measured before it is parsed (issue 17, defect 5): a decompression
bomb, a zip of thousands of parts or one whose sizes lie is refused on ``file``, naming the
limit, and nothing is written; a normal file still imports."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from tests.plugins.study.test_import import HEADERS, _post, _rows, _xlsx
from zerenzhi.plugins.study import bounds

STRINGS = "xl/sharedStrings.xml"
DISTINCT = f"at most {bounds.MAX_SHARED_STRINGS:,} distinct"
OVERRIDE = ('<Override PartName="/{}" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SST = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
       'spreadsheetml/2006/main" count="{0}" uniqueCount="{0}">')


def _repack(strings: int = 0, count: int | None = None, parts: int = 0,
            name: str = STRINGS) -> bytes:
    """A real two-row register with a shared-strings part ``name`` of ``strings`` unused texts
    (written in chunks, so 4 million of them cost the test little memory) under a declared
    ``count``, and ``parts`` extra tiny entries."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(_rows(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", OVERRIDE.format(name).encode() + b"</Types>")
            bomb.writestr(info.filename, data)
        declared = strings if count is None else count
        with bomb.open(name, "w") as part:
            part.write(SST.format(declared).encode())
            for start in range(0, strings, 100_000):
                part.write(b"<si><t>a</t></si>" * min(100_000, strings - start))
            part.write(b"</sst>")
        for number in range(parts):
            bomb.writestr(f"customXml/item{number}.xml", b"<x/>")
    return out.getvalue()


def _wide(cells: int) -> bytes:
    """A register whose header row holds ``cells`` more (empty) cells."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx(_rows(2))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as wide:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</row>", b"<c/>" * cells + b"</row>", 1)
            wide.writestr(info.filename, data)
    return out.getvalue()


def _lie(content: bytes, name: str, size: int) -> bytes:
    """``content`` with the central directory declaring ``name`` to unpack to ``size``."""
    start = content.rfind(name.encode()) - 46  # the central directory's entry
    assert content[start:start + 4] == b"PK\x01\x02"
    return content[:start + 24] + struct.pack("<I", size) + content[start + 28:]


def _refused(world, content: bytes, name: str, status: int, words: str) -> None:
    answer = _post(world, content, name).assert_status(status).json
    assert words in answer["message"]
    assert answer["errors"] == {"files": {"file": [answer["message"]]}}
    office = world.client("office")
    assert office.get(f"{world.base}/study/sessions?include_archived=true").json == []
    audit = world.client("secretary").get(
        f"{world.base}/audit?target_type=study_session").assert_status(200).json
    assert audit == []


def test_a_shared_strings_bomb_is_refused_before_it_is_parsed(studied):
    """The issue's file: 4 million shared strings in a zip of about 100 KiB."""
    bomb = _repack(strings=4_000_000)
    assert len(bomb) < 300 * 1024
    _refused(studied, bomb, "register.xlsx", 413, "unpacks to at most 64 MiB")
    # under the inflated-size bound, the strings are counted as they stream past
    _refused(studied, _repack(strings=300_000), "register.xlsx", 413, DISTINCT)
    # and a declared count over the bound is refused without reading further
    _refused(studied, _repack(count=4_000_000), "register.xlsx", 413, "shared strings")
    # wherever the workbook's manifest puts them
    _refused(studied, _repack(strings=300_000, name="xl/s.xml"), "register.xlsx", 413,
             DISTINCT)
    assert _post(studied, _repack(), "register.xlsx").assert_status(201).json["created"] == 2


def test_thousands_of_parts_or_lying_sizes_are_refused(studied):
    _refused(studied, _repack(parts=3000), "register.xlsx", 413, "at most 100 parts")
    # a part that declares 1 KiB but inflates to 5 MiB: read to its declared end, it fails
    # its checksum instead of growing past what the bounds were checked against
    liar = _lie(_repack(strings=300_000), STRINGS, 1024)
    _refused(studied, liar, "register.xlsx", 422, "not a readable xlsx file")
    # one that declares more than the bound is refused on its word
    _refused(studied, _lie(_repack(), STRINGS, 2**31), "register.xlsx", 413, "64 MiB")
    assert _post(studied, _repack(), "register.xlsx").assert_status(201).json["created"] == 2


def _csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    for row in [HEADERS, *rows]:
        buffer.write(",".join(row) + "\n")
    return buffer.getvalue().encode()


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_rows_and_columns_are_bounded(studied, kind):
    make = _xlsx if kind == "xlsx" else _csv
    many = [_rows(1)[0]] * (bounds.MAX_ROWS + 1)
    _refused(studied, make(many), f"r.{kind}", 422, f"at most {bounds.MAX_ROWS} rows")
    wide = [[*row, *[""] * 100, "x"] for row in _rows(2)]
    _refused(studied, make(wide), f"r.{kind}", 422, f"at most {bounds.MAX_COLUMNS} columns")
    assert _post(studied, make(_rows(2)), f"r.{kind}").assert_status(201).json["created"] == 2


def test_a_row_of_a_million_cells_is_refused_before_openpyxl_holds_it(studied):
    _refused(studied, _wide(1_000_000), "r.xlsx", 413, "at most 16,384 cells")


def test_a_csv_is_bounded_by_its_size_and_its_fields(studied):
    """Past the app's own request limit, the import keeps its own; a field over csv's
    limit is the file's fault (it was a 500)."""
    studied.app.config["MAX_CONTENT_LENGTH"] = None
    big = _csv(_rows(2)) + b"#" * bounds.MAX_FILE_BYTES
    _refused(studied, big, "r.csv", 413, "larger than 4 MiB")
    row = _rows(1)[0]
    row[9] = "長" * 200_000
    _refused(studied, _csv([row]), "r.csv", 422, "not a readable CSV file")
