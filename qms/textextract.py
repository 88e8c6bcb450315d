"""Plain text out of PDF and Word files, for search and for comparing revisions."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from xml.etree import ElementTree

logger = logging.getLogger(__name__)

MAX_CHARS = 500_000
_WORD_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def extract_text(data: bytes, mime_type: str) -> str:
    try:
        if mime_type == "application/pdf":
            return _pdf_text(data)
        if mime_type.endswith("wordprocessingml.document"):
            return _docx_text(data)
        if mime_type.startswith("text/"):
            return data.decode("utf-8", errors="replace")[:MAX_CHARS]
    except Exception:  # noqa: BLE001 - a file we cannot read is simply not searchable
        logger.warning("Text extraction failed for a %s file", mime_type, exc_info=True)
    return ""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts, size = [], 0
    for page in reader.pages:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        if size > MAX_CHARS:
            break
    return "\n".join(parts)[:MAX_CHARS]


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("word/document.xml")
        if info.file_size > 50 * 1024 * 1024:  # a zip bomb is not a procedure
            return ""
        root = ElementTree.fromstring(archive.read(info))  # noqa: S314 - no DTDs in OOXML
    paragraphs = []
    for paragraph in root.iter(f"{_WORD_NS}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_WORD_NS}t"))
        paragraphs.append(text)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(paragraphs))[:MAX_CHARS]
