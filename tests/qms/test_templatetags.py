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
