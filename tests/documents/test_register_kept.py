"""The document register's rows and filter bar are kept rendered ({% keep %}): each reader
still reads them in their own language, and a change shows at once."""

import pytest
from django.utils import translation

from documents import services
from qms import fragments

pytestmark = pytest.mark.django_db


def _row(html: str, code: str) -> str:
    return html.split(f"<code>{code}</code>", 1)[1].split("</tr>", 1)[0]


def test_rows_and_filters_in_each_reader_language_and_changes_at_once(client, people, procedure):
    fragments.forget()
    manager = people["manager"]
    client.force_login(manager)
    seen = {}
    for language in ["en", "vi", "zh-hans", "en"]:
        manager.language = language
        manager.save(update_fields=["language"])
        html = client.get("/documents/").content.decode()
        with translation.override(language):
            status = procedure.get_status_display()
            label = translation.gettext("Type")
        assert f">{status}</span>" in _row(html, procedure.code), language
        assert f">{label}</label>" in html
        seen[language] = _row(html, procedure.code)
    assert len({seen["en"], seen["vi"], seen["zh-hans"]}) == 3
    assert fragments.statistics["found"] >= 2  # English the second time: row and filter bar

    old_title = procedure.title
    procedure.title = "Quy trình kiểm soát hồ sơ"
    services.document_update(
        actor=people["controller"], document=procedure, version=procedure.version
    )
    row = _row(client.get("/documents/").content.decode(), procedure.code)
    assert "Quy trình kiểm soát hồ sơ" in row and old_title not in row
