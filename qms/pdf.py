"""PDF output: pages rendered from templates, and stamps on controlled copies.

WeasyPrint would fetch any URL a template mentions (and read local files); the fetcher
here serves only the portal's own static files and refuses everything else.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.html import escape

STATIC_PREFIX = "qms-static:"


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves the portal's static files; every other URL (http, file, data…) fails."""

        def fetch(self, url, headers=None):
            if url.startswith(STATIC_PREFIX):
                path = finders.find(url.removeprefix(STATIC_PREFIX).lstrip("/"))
                if path:
                    with open(path, "rb") as handle:
                        body = handle.read()
                    return URLFetcherResponse(url, body, {"Content-Type": _mime(path)})
            raise ValueError(f"Blocked resource: {url[:80]}")

    return StaticOnlyFetcher()


def _mime(path: str) -> str:
    return {".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml"}.get(
        path[path.rfind(".") :], "application/octet-stream"
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_PREFIX + "/", url_fetcher=_fetcher()).write_pdf()


def render_pdf(template_name: str, context: dict) -> bytes:
    """A report as PDF from the same kind of template as the page (static files only)."""
    return html_to_pdf(render_to_string(template_name, context))


@dataclass(frozen=True)
class Stamp:
    header: list[str]
    footer: list[str]
    watermark: str = ""


def _overlay(width_pt: float, height_pt: float, stamp: Stamp) -> bytes:
    """The stamp as a one-page PDF. Rendering it is most of a download's time (WeasyPrint,
    ~150 ms) and a stamp names one person on one day: kept a day, so that opening the same
    document again, or another of the same size with the same wording, costs a merge."""
    import hashlib

    from django.core.cache import cache

    key = "qms:stamp:" + hashlib.sha256(repr((width_pt, height_pt, stamp)).encode()).hexdigest()
    overlay = cache.get(key)
    if overlay is None:
        overlay = _render_overlay(width_pt, height_pt, stamp)
        cache.set(key, overlay, 24 * 3600)
    return overlay


def _render_overlay(width_pt: float, height_pt: float, stamp: Stamp) -> bytes:
    header = "<br>".join(escape(line) for line in stamp.header)
    footer = "<br>".join(escape(line) for line in stamp.footer)
    watermark = f'<div class="watermark">{escape(stamp.watermark)}</div>' if stamp.watermark else ""
    html = f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
      @page {{ size: {width_pt}pt {height_pt}pt; margin: 0; }}
      html, body {{ margin: 0; background: transparent; }}
      body {{ font-family: "Noto Sans", "DejaVu Sans", "Noto Sans CJK SC", sans-serif;
              font-size: 7pt; color: #1a3d6d; position: relative;
              width: {width_pt}pt; height: {height_pt}pt; }}
      .band {{ position: absolute; left: 18pt; right: 18pt; padding: 2pt 4pt;
               background: rgba(255,255,255,0.85); border: 0.5pt solid #1a3d6d; }}
      .top {{ top: 6pt; }} .bottom {{ bottom: 6pt; }}
      .watermark {{ position: absolute; top: 40%; width: 100%; text-align: center;
                    font-size: 54pt; font-weight: bold; color: rgba(176, 42, 55, 0.25);
                    transform: rotate(-30deg); }}
    </style></head><body>
      <div class="band top">{header}</div>{watermark}<div class="band bottom">{footer}</div>
    </body></html>"""
    return html_to_pdf(html)


def stamp_pdf(data: bytes, stamp: Stamp) -> bytes:
    """Every page gets the header and footer bands (and the watermark, if any).

    The stamp is one form XObject per page size, drawn over each page after the page's own
    content, which is left as it is — only wrapped in ``q … Q`` so that a graphics state
    it leaves behind cannot move the stamp. Merging the stamp into each page's content
    instead (pypdf's ``merge_page``) parses and writes out every page's content again:
    0.55 s for a manual of 160 pages, 0.04 s this way (docs/performance.md).
    """
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    opening = writer._add_object(_content(b"q\n"))
    forms: dict[tuple[float, float], tuple[NameObject, object]] = {}
    closings: dict[tuple, object] = {}
    for page in writer.pages:
        box = page.mediabox
        size = (round(float(box.width), 1), round(float(box.height), 1))
        if size not in forms:
            # a name per size: pages of different sizes may share one resource dictionary
            forms[size] = (
                NameObject(f"/QmsStamp{len(forms)}"),
                writer._add_object(_stamp_form(writer, size, stamp)),
            )
        name, form = forms[size]
        origin = (float(box.left), float(box.bottom))
        if (name, origin) not in closings:
            drawing = f"\nQ\nq 1 0 0 1 {origin[0]:g} {origin[1]:g} cm {name} Do Q\n"
            closings[name, origin] = writer._add_object(_content(drawing.encode()))
        resources = page.get("/Resources")
        resources = DictionaryObject() if resources is None else resources.get_object()
        xobjects = resources.get("/XObject")
        xobjects = DictionaryObject() if xobjects is None else xobjects.get_object()
        xobjects[name] = form
        resources[NameObject("/XObject")] = xobjects
        page[NameObject("/Resources")] = resources
        contents = page.get("/Contents")
        own = [] if contents is None else contents.get_object()
        own = list(own) if isinstance(own, ArrayObject) else [contents]
        page[NameObject("/Contents")] = ArrayObject([opening, *own, closings[name, origin]])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _content(data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _stamp_form(writer, size: tuple[float, float], stamp: Stamp):
    """The stamp of a page of ``size`` as a form XObject of ``writer``'s document."""
    from pypdf.generic import ArrayObject, FloatObject, NameObject

    drawing, resources = _overlay_parts(_overlay(*size, stamp))
    form = _content(drawing)
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = ArrayObject(
        [FloatObject(0), FloatObject(0), FloatObject(size[0]), FloatObject(size[1])]
    )
    form[NameObject("/Resources")] = resources.clone(writer)
    return form


@functools.lru_cache(maxsize=64)
def _overlay_parts(overlay: bytes):
    """The stamp's drawing and its resources (fonts), read once per process and stamp
    (0.7 ms a download): each download's document takes its own copy of the resources."""
    from pypdf import PdfReader

    page = PdfReader(io.BytesIO(overlay)).pages[0]
    return page.get_contents().get_data(), page["/Resources"]
