"""Bounds on an uploaded register, checked before it is parsed.

An xlsx is a zip, and a zip can hold far more than it weighs: a 163 KiB file unpacked to
4 million shared strings, which openpyxl keeps in memory (about 130 bytes each), and took a
worker to 521 MiB. So the archive is measured first, counting the bytes each entry really
inflates to (the sizes it declares can lie), and only a file within every bound is parsed,
in read-only mode, stopping at the row limit. A CSV is bounded by its size and rows.

The limits leave room above the largest register the import accepts, measured: 5,000 rows
of the template's 12 columns with 480 characters of minutes in each make a 424 KiB file of
9 parts that unpacks to 22 MiB as openpyxl writes it (inline strings), and have at most
60,012 distinct texts; openpyxl holds a shared string in 70 to 130 bytes.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any
from xml.etree.ElementTree import ParseError, fromstring
from xml.parsers import expat

from zerenzhi import DomainError

MAX_FILE_BYTES = 4 * 1024 * 1024        # the upload itself, xlsx or CSV
MAX_ENTRIES = 100                       # an Excel or WPS file has 10 to 30 parts
MAX_UNPACKED_BYTES = 64 * 1024 * 1024   # all parts inflated
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000            # 13 MiB in openpyxl at the 130 bytes each
MAX_CELLS_PER_ROW = 16_384              # Excel's own width: openpyxl holds a row at once
MAX_ROWS = 5000                         # data rows (the header is one more)
MAX_COLUMNS = 64                        # the template has 12
MAX_MANIFEST_BYTES = 256 * 1024        # [Content_Types].xml: one line a part
SHARED_STRINGS = "xl/sharedStrings.xml"
MANIFEST = "[Content_Types].xml"
CHUNK = 64 * 1024


def refused(message: str, status: int = 422) -> DomainError:
    """The file itself is refused (not a row's fault): on the upload's ``file``."""
    return DomainError("file", message, status, location="files")


def _too_large(message: str) -> DomainError:
    return refused(message, 413)


def check_size(content: bytes) -> None:
    """The import's own bound, should the app's request limit be raised for other uploads."""
    if len(content) > MAX_FILE_BYTES:
        raise _too_large(f"the file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB")


def check_archive(content: bytes) -> None:
    """Refuse an xlsx whose entries, inflated size, shared strings or row widths exceed the
    bounds, reading every entry once through counters and never holding more than a chunk."""
    check_size(content)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise refused(f"not a readable xlsx file: {type(error).__name__}") from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise _too_large(f"an xlsx file has at most {MAX_ENTRIES} parts; "
                             f"this one has {len(entries)}")
        if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
            raise _too_large(_unpacked_message())
        shared = _shared_strings_parts(archive)
        budget = [MAX_UNPACKED_BYTES]
        for entry in entries:
            try:
                _check_part(archive, entry, entry.filename in shared, budget)
            except DomainError:
                raise
            except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError,
                    NotImplementedError) as error:
                raise refused(f"not a readable xlsx file: {type(error).__name__}") from error


def _check_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, strings: bool,
                budget: list[int]) -> None:
    """Inflate one part chunk by chunk against what is left of the ``budget``; an XML part
    (whatever its name: openpyxl follows the workbook's links) streams through a checker."""
    checker: _PartChecker | None = _PartChecker(strings) if strings else None
    size = 0
    with archive.open(entry) as part:
        while chunk := part.read(CHUNK):
            size += len(chunk)
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _too_large(_unpacked_message())
            if strings and size > MAX_SHARED_STRINGS_BYTES:
                raise _too_large("the shared strings of an xlsx file unpack to at most "
                                 f"{MAX_SHARED_STRINGS_BYTES // 1024 // 1024} MiB")
            if checker is None and size == len(chunk) and _looks_like_xml(chunk):
                checker = _PartChecker(False)
            if checker is not None:
                checker.feed(chunk)


def _looks_like_xml(chunk: bytes) -> bool:
    return chunk.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<"


def check_width(declared: int | None) -> None:
    """Refuse a sheet whose dimension spans more than ``MAX_COLUMNS`` (rows are then read
    only that wide, so a cell far to the right of an undeclared sheet is never held)."""
    if (declared or 0) > MAX_COLUMNS:
        raise refused(f"at most {MAX_COLUMNS} columns per row")


def _shared_strings_parts(archive: zipfile.ZipFile) -> set[str]:
    """The usual part, and any other the manifest names (openpyxl reads the one it names)."""
    parts = {SHARED_STRINGS}
    try:
        with archive.open(MANIFEST) as part:
            manifest = part.read(MAX_MANIFEST_BYTES + 1)
    except KeyError:
        return parts
    except (zipfile.BadZipFile, RuntimeError, ValueError, OSError, EOFError,
            NotImplementedError) as error:
        raise refused(f"not a readable xlsx file: {type(error).__name__}") from error
    if b"<!DOCTYPE" in manifest:
        raise refused("not a readable xlsx file: a DTD in its XML")
    if len(manifest) > MAX_MANIFEST_BYTES:
        raise _too_large(f"an xlsx manifest is at most {MAX_MANIFEST_BYTES // 1024} KiB")
    try:
        root = fromstring(manifest)
    except ParseError as error:
        raise refused("not a readable xlsx file: damaged manifest") from error
    return parts | {element.get("PartName", "").lstrip("/") for element in root.iter()
                    if element.get("ContentType", "").endswith("sharedStrings+xml")}


def _unpacked_message() -> str:
    return f"an xlsx file unpacks to at most {MAX_UNPACKED_BYTES // 1024 // 1024} MiB"


class _PartChecker:
    """Streams one XML part through expat (no tree): refuses a DTD (no entities to expand);
    in shared strings, counts the strings and checks the ``count`` and ``uniqueCount`` the
    part declares; elsewhere counts the cells of each row, which openpyxl holds at once."""

    def __init__(self, strings: bool) -> None:
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.StartElementHandler = self._start if strings else self._cell
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.count = 0
        self.root = True

    def feed(self, chunk: bytes) -> None:
        try:
            self.parser.Parse(chunk, False)
        except expat.ExpatError as error:
            raise refused("not a readable xlsx file: damaged XML") from error

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.root:
            self.root = False
            for key in ("count", "uniqueCount"):
                self._strings(attributes.get(key, "0"))
        elif name.rpartition("}")[2] == "si":
            self.count += 1
            self._strings(self.count)

    def _cell(self, name: str, _attributes: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        if local == "row":
            self.count = 0
        elif local == "c":
            self.count += 1
            if self.count > MAX_CELLS_PER_ROW:
                raise _too_large(f"a row holds at most {MAX_CELLS_PER_ROW:,} cells")

    @staticmethod
    def _doctype(*_args: Any) -> None:
        raise refused("not a readable xlsx file: a DTD in its XML")

    @staticmethod
    def _strings(count: int | str) -> None:
        try:
            number = int(count)
        except ValueError:
            number = MAX_SHARED_STRINGS + 1
        if number > MAX_SHARED_STRINGS:
            raise _too_large(f"an xlsx file holds at most {MAX_SHARED_STRINGS:,} "
                             "distinct texts (shared strings)")


def bounded(rows: Iterable[Sequence[Any]]) -> list[Sequence[Any]]:
    """The header and data rows, stopping one past the row limit: refused over
    ``MAX_ROWS`` data rows or with a value beyond column ``MAX_COLUMNS``."""
    kept = []
    for row in rows:
        if len(kept) > MAX_ROWS:
            raise refused(f"at most {MAX_ROWS} rows per file")
        if any(value not in (None, "") for value in row[MAX_COLUMNS:]):
            raise refused(f"at most {MAX_COLUMNS} columns per row")
        kept.append(row[:MAX_COLUMNS])
    return kept
