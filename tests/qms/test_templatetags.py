"""The shared template filters as a reader sees their output."""

import unicodedata

from django.template import Context, Template

TITLE = "Quy trình tiếp nhận hồ sơ đất đai"


def _render(value, length):
    return Template("{% load portal %}{{ value|shorten:" + str(length) + " }}").render(
        Context({"value": value})
    )


def test_a_short_text_is_shown_whole_and_a_long_one_ends_with_an_ellipsis():
    assert _render(TITLE, 40) == TITLE
    assert _render(TITLE, 14) == "Quy trình tiế…"
    assert len(_render(TITLE, 14)) == 14
    assert _render(None, 10) == ""


def test_a_vietnamese_letter_keeps_its_marks_when_the_text_is_cut():
    # the same title typed with combining marks (as some keyboards and imports send it)
    decomposed = unicodedata.normalize("NFD", TITLE)
    assert len(decomposed) > len(TITLE)
    shown = _render(decomposed, 14)
    assert shown == "Quy trình tiế…"
    assert not unicodedata.combining(shown[-2])


def test_the_text_is_still_escaped():
    assert _render("<b>Ban & phòng</b> " * 5, 12) == "&lt;b&gt;Ban &amp; ph…"


# --- {% trans %} kept once translated (qms/templatetags/portal_i18n.py), {% static %} ---

TRANSLATED = (
    '{% trans "History" %}|{% trans "Withdraw" context "a finding" %}|'
    '{% trans "Save" as saved %}[{{ saved }}]|{% trans "Open" noop %}|{% trans word %}|'
    '{% trans "100% done" %}|{% trans "Filters" as f %}{{ f|upper }}|'
    "{% blocktrans count counter=n %}and {{ counter }} more{% plural %}and {{ counter }} more"
    "{% endblocktrans %}"
)


def test_trans_writes_what_djangos_trans_writes_in_each_language_and_escaping():
    from django.template import engines
    from django.utils import translation

    engine = engines["django"].engine
    ours = engine.from_string("{% load i18n %}" + TRANSLATED)
    theirs = _template_with_djangos_i18n(engine, TRANSLATED)
    for language in ("en", "vi", "zh-hans", "en"):
        with translation.override(language):
            for autoescape in (True, False):
                context = {"word": "Status", "n": 3}
                mine = ours.render(Context(context, autoescape=autoescape))
                assert mine == theirs.render(Context(context, autoescape=autoescape)), language
                assert mine == ours.render(Context(context, autoescape=autoescape))  # kept
    from qms.templatetags import portal_i18n

    assert ("zh-hans", "History") in portal_i18n._kept  # translated once, then kept
    with translation.override("zh-hans"):
        assert ours.render(Context({"word": "", "n": 1})).startswith("变更历史|撤回|")
    with translation.override("vi"):
        assert "|Rút|" in ours.render(Context({"word": "", "n": 1}))


def _template_with_djangos_i18n(engine, source):
    from django.template import Engine
    from django.templatetags import i18n

    django_engine = Engine(
        libraries={"i18n": "django.templatetags.i18n"},
        builtins=[],
    )
    assert django_engine.template_libraries["i18n"] is i18n.register
    return django_engine.from_string("{% load i18n %}" + source)


def test_static_writes_djangos_address_and_follows_a_changed_setting(settings):
    from django.templatetags.static import static as django_static

    page = Template("{% load portal %}{% static 'css/portal.css' %}|{% static path %}")
    shown = page.render(Context({"path": "js/portal.js"}))
    assert shown == f"{django_static('css/portal.css')}|{django_static('js/portal.js')}"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_URL = "/assets/"
    assert (
        page.render(Context({"path": "js/portal.js"}))
        == "/assets/css/portal.css|/assets/js/portal.js"
    )


# --- |date written in Python for formats of numbers (qms/templatetags/portal_builtins.py) ---

DATE_FORMATS = [
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "d/m/Y",
    "m/Y",
    "m/y",
    "d/m/Y H:i",
    "H:i d/m/Y",
    "Y-m-d H:i:s",
    "j.n.y",
    "c",
    "r",
    "l",
    "N j, Y",
    "\\d\\a\\y d",
    "",
]


def _written(engine, value, pattern, autoescape=True):
    from django.template import Context

    page = engine.from_string("{{ v|date:f }}|{{ v|date }}")
    try:
        return page.render(Context({"v": value, "f": pattern}, autoescape=autoescape))
    except Exception as error:  # the same error as Django's, for the same value
        return type(error).__name__


def test_dates_are_written_as_djangos_date_filter_writes_them(settings):
    from datetime import UTC, date, datetime

    from django.template import Engine, engines
    from django.utils import translation

    ours = engines["django"].engine
    django = Engine(builtins=[])  # Django's own filters only
    values = [
        date(2026, 9, 5),
        date(987, 1, 2),
        datetime(2026, 12, 31, 23, 59, 7),
        datetime(2026, 12, 31, 20, 0, tzinfo=UTC),  # 1 January 2027 in Hanoi
        "",
        None,
        "31/12/2026",
    ]
    for language in ("en", "vi", "zh-hans"):
        with translation.override(language):
            for pattern in DATE_FORMATS:
                for value in values:
                    mine = _written(ours, value, pattern)
                    assert mine == _written(django, value, pattern), (language, pattern, value)
    with translation.override("zh-hans"):
        assert _written(
            ours, datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "SHORT_DATETIME_FORMAT"
        ) == ("2027年1月1日 03:00|2027年1月1日")
