"""Exports of any filtered list to CSV or XLSX, safe to open in a spreadsheet.

A cell that starts with ``= + - @``, a tab or a carriage return would run as a formula
in Excel or LibreOffice; such text is prefixed with an apostrophe in both formats.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Any], Any]


def neutralise(value: Any) -> Any:
    """Make a cell value inert in spreadsheets; numbers and dates pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (int, float, date)):
        return value
    text = force_str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _rows(objects: Iterable[Any], columns: list[Column]) -> Iterator[list[Any]]:
    for obj in objects:
        yield [neutralise(column.value(obj)) for column in columns]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(objects: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM so that Excel reads UTF-8 (Vietnamese, Chinese) correctly
    yield writer.writerow([force_str(c.header) for c in columns])
    for row in _rows(objects, columns):
        yield writer.writerow([v.isoformat(sep=" ") if isinstance(v, datetime) else v for v in row])


def csv_bytes(objects: Iterable[Any], columns: list[Column]) -> bytes:
    return "".join(csv_lines(objects, columns)).encode("utf-8")


def csv_response(objects: Iterable[Any], columns: list[Column], filename: str):
    response = StreamingHttpResponse(
        csv_lines(objects, columns), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(objects: Iterable[Any], columns: list[Column], sheet_title: str = "") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(sheet_title or "Export")[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=neutralise(force_str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in _rows(objects, columns):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_bytes(sheets: list[tuple[str, list[list[Any]]]]) -> bytes:
    """A workbook of several sheets (a report): each a title and its rows, the first row
    in bold; every text cell neutralised like the list exports."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for title, rows in sheets:
        name = (force_str(title) or "Sheet")[:28].replace("/", "-").replace(":", " ")
        while name in used:
            name = f"{name[:26]}_{len(used)}"
        used.add(name)
        sheet = workbook.create_sheet(title=name)
        for index, row in enumerate(rows):
            values = [neutralise(force_str(v) if isinstance(v, str) else v) for v in row]
            if index == 0:
                cells = []
                for value in values:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.font = bold
                    cells.append(cell)
                sheet.append(cells)
            else:
                sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(objects: Iterable[Any], columns: list[Column], filename: str):
    response = HttpResponse(
        xlsx_bytes(objects, columns, filename),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(fmt: str, objects: Iterable[Any], columns: list[Column], filename: str):
    if fmt == "xlsx":
        return xlsx_response(objects, columns, filename)
    return csv_response(objects, columns, filename)
