"""Controlled-copy stamps (qms.pdf.stamp_pdf): every page gets the bands, the page's own
content is kept as it was, and a page that leaves its graphics state changed, starts away
from the origin or shares its resources with a page of another size is stamped right."""

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
)

from qms.pdf import Stamp, stamp_pdf

STAMP = Stamp(
    header=["QT-07 · revision 03 · effective 01/12/2026", "Quy trình tiếp nhận hồ sơ 受理程序"],
    footer=["Controlled copy — printed by Nguyễn Văn An on 07/12/2026"],
)


def _stream(data: bytes):
    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _document() -> tuple[bytes, list[bytes]]:
    """Three pages: A4 moving the origin and never restoring it, A4, and a landscape page
    whose media box starts at (30, 40); the first and the last share one resource
    dictionary."""
    writer = PdfWriter()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    shared = writer._add_object(
        DictionaryObject({NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
    )
    contents = [
        b"1 0 0 1 200 300 cm 2 w BT /F1 12 Tf 20 20 Td (First page text) Tj ET",
        b"BT /F1 12 Tf 72 700 Td (Second page text) Tj ET",
        b"BT /F1 12 Tf 100 300 Td (Third page text) Tj ET",
    ]
    sizes = [(0, 0, 595, 842), (0, 0, 595, 842), (30, 40, 872, 635)]
    for number, (data, box) in enumerate(zip(contents, sizes, strict=True)):
        page = writer.add_blank_page(width=box[2] - box[0], height=box[3] - box[1])
        page[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in box])
        page[NameObject("/Contents")] = writer._add_object(_stream(data))
        if number == 1:
            page[NameObject("/Resources")] = DictionaryObject(
                {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
            )
        else:
            page[NameObject("/Resources")] = shared
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue(), contents


def test_every_page_gets_the_bands_and_keeps_its_own_content():
    data, contents = _document()
    pages = PdfReader(io.BytesIO(stamp_pdf(data, STAMP))).pages
    assert len(pages) == 3
    for page, own, label in zip(pages, contents, ("First", "Second", "Third"), strict=True):
        text = page.extract_text()
        assert f"{label} page text" in text
        assert "QT-07 · revision 03" in text and "Nguyễn Văn An" in text and "受理程序" in text
        streams = [part.get_object().get_data() for part in page["/Contents"]]
        # the page's own content, untouched, between "save the state" and the stamp
        assert streams[1:-1] == [own]
        assert streams[0].strip() == b"q"
        assert streams[-1].lstrip().startswith(b"Q\n")


def test_the_stamp_is_placed_at_each_pages_origin_with_a_form_per_size():
    data, _contents = _document()
    pages = PdfReader(io.BytesIO(stamp_pdf(data, STAMP))).pages
    drawings = [page["/Contents"][-1].get_object().get_data().decode() for page in pages]
    assert "1 0 0 1 0 0 cm /QmsStamp0 Do" in drawings[0]
    assert drawings[1] == drawings[0]  # same size, same form
    assert "1 0 0 1 30 40 cm /QmsStamp1 Do" in drawings[2]
    # the first and the last page share their resources: both forms are named there
    shared = pages[0]["/Resources"]["/XObject"]
    assert {"/QmsStamp0", "/QmsStamp1"} <= set(shared.keys())
    for name in ("/QmsStamp0", "/QmsStamp1"):
        form = shared[name].get_object()
        assert form["/Subtype"] == "/Form"
    landscape = shared["/QmsStamp1"].get_object()
    assert [float(v) for v in landscape["/BBox"]] == [0, 0, 842, 595]
    assert "/F1" in pages[1]["/Resources"]["/Font"]  # the page's own font is still there
