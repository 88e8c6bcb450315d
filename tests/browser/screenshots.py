"""Screenshots of the platform's pages in every language, for people to review (not a test).

Runs against a server that is already up with the demo data (``make serve`` or
``manage.py load_demo`` + ``runserver``)::

    DJANGO_ALLOW_ASYNC_UNSAFE=true .venv/bin/python tests/browser/screenshots.py \\
        --base http://127.0.0.1:8000 --out /tmp/screens

Writes ``<out>/<language>/<user>/<page>.png`` (full page, 1366 wide), ``<out>/index.tsv``
(language, user, page, url, HTTP status, file) and ``<out>/english-leaks.txt``: visible
texts on the vi / zh-hans pages that look English (a catalogue msgid, or a common English
word), as a starting point for review — look at the pictures as well.

Switching language goes through the portal's own language form (POST /language/), which
stores the choice on the account; each user's language is put back at the end.
Needs Debian's Chromium (/usr/bin/chromium); never run ``playwright install`` here.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LANGUAGES = ("en", "vi", "zh-hans")
USERS = ("admin", "qmsmanager", "staff")
DEFAULT_PASSWORD = "Demo-QMS-2026"

# (name, path); "{department}" / "{user}" are the first rows of the lists.
PAGES = [
    ("home", "/"),
    ("notifications", "/notifications/"),
    ("departments", "/departments/"),
    ("department-detail", "/departments/{department}/"),
    ("users", "/admin/users/"),
    ("user-detail", "/admin/users/{user}/"),
    ("user-new", "/admin/users/new/"),
    ("calendar", "/admin/calendar/"),
    ("calendar-new", "/admin/calendar/new/"),
    ("activity", "/activity/"),
    ("security-log", "/admin/security-log/"),
    ("profile", "/accounts/profile/"),
    ("password", "/accounts/password/"),
]

COMMON_ENGLISH = {
    "the", "and", "of", "to", "for", "with", "all", "any", "yes", "no", "unknown", "none",
    "next", "previous", "page", "search", "filter", "clear", "name", "date", "user", "users",
    "status", "active", "inactive", "from", "this", "your", "is", "are", "not", "or", "by",
    "new", "edit", "save", "cancel", "add", "remove", "export", "download", "show", "hide",
    "first", "last", "department", "departments", "holiday", "holidays", "kind", "event",
}  # fmt: skip
# Visible texts, option labels, placeholders, titles and aria-labels of the page.
TEXTS_JS = """() => {
  const out = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'CODE'].includes(el.tagName)) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    if (el.tagName !== 'OPTION' && el.getClientRects().length === 0) continue;
    out.add(text);
  }
  for (const el of document.querySelectorAll('[placeholder],[title],[aria-label],input[type=submit]')) {
    for (const a of ['placeholder', 'title', 'aria-label', 'value']) {
      if (el.hasAttribute(a) && (a !== 'value' || el.type === 'submit')) out.add(el.getAttribute(a).trim());
    }
  }
  out.add(document.title);
  return [...out];
}"""


def _english_msgids() -> set[str]:
    try:
        import polib
    except ImportError:
        return set()
    po = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    if not po.exists():
        return set()
    return {e.msgid for e in polib.pofile(str(po)) if "%" not in e.msgid and "{" not in e.msgid}


# Texts that are the same in every language: language names in their own language, the
# demo's user names and technical tokens.
NOT_ENGLISH = {"English", "Tiếng Việt", "简体中文", "ISO", "PDF", "CSV", "XLSX", "Excel", "HTMX"}
TOKEN = re.compile(
    r"[\w.+-]+@[\w.-]+"  # e-mail
    r"|[A-Z0-9][A-Z0-9_.:/-]*"  # department codes, ISO clauses
    r"|[a-z][a-z0-9_]*\d*"  # user names (one lower-case word)
    r"|https?://\S+|[\d\s:/.,()+-]+"
)


def looks_english(text: str, msgids: set[str]) -> bool:
    """A visible text on a vi / zh-hans page that is probably English."""
    if text in NOT_ENGLISH:
        return False
    if text in msgids and re.search(r"[A-Za-z]{2}", text):
        return True
    if re.search(r"[^\x00-\x7f]", text):  # Vietnamese diacritics or CJK: not English
        return False
    if TOKEN.fullmatch(text) and text.lower() not in COMMON_ENGLISH:
        return False
    return bool(re.search(r"[A-Za-z]{2}", text))


def goto(page: Page, url: str):
    """page.goto, waiting out a dev server that is restarting (its autoreloader)."""
    for attempt in range(30):
        try:
            return page.goto(url, wait_until="load")
        except PlaywrightError as exc:
            if "ERR_CONNECTION_REFUSED" not in str(exc) and "ERR_EMPTY_RESPONSE" not in str(exc):
                raise
            if attempt == 0:
                print(f"  … {url}: server not answering, waiting for it")
            time.sleep(1)
    raise RuntimeError(f"{url}: the server did not come back")


class Shooter:
    def __init__(self, base: str, out: Path, msgids: set[str]):
        self.base = base.rstrip("/")
        self.out = out
        self.msgids = msgids
        self.rows: list[list[str]] = []
        self.leaks: dict[str, list[str]] = {}

    def shoot(self, page: Page, language: str, who: str, name: str, path: str) -> None:
        response = goto(page, self.base + path)
        page.evaluate("document.fonts.ready")
        status = str(response.status) if response else "?"
        target = self.out / language / who / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
        html_lang = page.locator("html").get_attribute("lang")
        self.rows.append([language, who, name, path, status, html_lang or "", str(target)])
        if html_lang != language:
            print(f"  ! {target}: html lang is {html_lang!r}, expected {language!r}")
        if language != "en":
            found = [t for t in page.evaluate(TEXTS_JS) if looks_english(t, self.msgids)]
            if found:
                self.leaks[str(target)] = found
        print(f"  {status} {path:28} -> {target}")

    def write_index(self) -> None:
        with (self.out / "index.tsv").open("w", newline="") as fh:
            writer = csv.writer(fh, delimiter="\t")
            writer.writerow(["language", "user", "page", "path", "status", "html_lang", "file"])
            writer.writerows(self.rows)
        with (self.out / "english-leaks.txt").open("w") as fh:
            for file, texts in self.leaks.items():
                fh.write(f"{file}\n")
                for text in texts:
                    fh.write(f"    {text[:160]!r}\n")


def switch_language(page: Page, code: str) -> None:
    """Use the portal's own language form (header switch signed out, user menu signed in)."""
    if page.locator("#user-menu").count():
        page.locator("#user-menu").click()
        button = page.locator(f'#user-menu + .dropdown-menu button[data-language="{code}"]')
    else:
        button = page.locator(f'.language-switch button[data-language="{code}"]')
    with page.expect_navigation():
        button.click()
    lang = page.locator("html").get_attribute("lang")
    if lang != code:
        raise RuntimeError(f"language switch to {code} failed: page is {lang!r} ({page.url})")


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    goto(page, base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    if page.locator("#user-menu").count() == 0:
        # Stop at the first failure: the demo server runs django-axes, retries lock the user.
        raise RuntimeError(f"could not sign in as {username!r} (wrong password?)")


def first_link(page: Page, base: str, list_path: str, pattern: str) -> str | None:
    goto(page, base + list_path)
    for href in page.locator("main table tbody a[href]").evaluate_all(
        "els => els.map(a => a.getAttribute('href'))"
    ):
        match = re.fullmatch(pattern, href or "")
        if match:
            return match.group(1)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=ROOT / "test-artifacts" / "screens", type=Path)
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--users", nargs="+", default=list(USERS))
    parser.add_argument("--languages", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument(
        "--finally-language",
        choices=LANGUAGES,
        help="leave every account in this language (default: the language it had before)",
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print("Chromium not installed: apt-get install chromium", file=sys.stderr)
        return 2

    shooter = Shooter(args.base, args.out, _english_msgids())
    base = shooter.base
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        def new_page() -> Page:
            context = browser.new_context(
                viewport={"width": 1366, "height": 900}, locale="en", timezone_id="Asia/Ho_Chi_Minh"
            )
            context.set_default_timeout(15_000)
            return context.new_page()

        # Signed out: the language cookie decides.
        page = new_page()
        for language in args.languages:
            goto(page, base + "/accounts/login/")
            switch_language(page, language)
            shooter.shoot(page, language, "anonymous", "login", "/accounts/login/")
        page.context.close()

        for username in args.users:
            page = new_page()
            sign_in(page, base, username, args.password)
            original = page.locator("html").get_attribute("lang")
            print(f"{username} (language on the account: {original})")
            ids = {
                "department": first_link(page, base, "/departments/", r"/departments/(\d+)/"),
                "user": first_link(page, base, "/admin/users/", r"/admin/users/(\d+)/"),
            }
            try:
                for language in args.languages:
                    switch_language(page, language)
                    for name, path in PAGES:
                        key = re.search(r"\{(\w+)\}", path)
                        if key and not ids.get(key.group(1)):
                            print(f"  - {name}: no {key.group(1)} visible to {username}, skipped")
                            continue
                        shooter.shoot(page, language, username, name, path.format(**ids))
            finally:
                goto(page, base + "/")
                restore = args.finally_language or original
                if restore and page.locator("html").get_attribute("lang") != restore:
                    switch_language(page, restore)
                page.context.close()
        browser.close()
    shooter.write_index()
    print(f"\n{len(shooter.rows)} screenshots in {args.out}; index.tsv and english-leaks.txt there")
    return 0


if __name__ == "__main__":
    sys.exit(main())
