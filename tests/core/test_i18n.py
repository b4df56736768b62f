"""The English locale: the catalogue is complete and compiled, and pages follow the chosen language.

The msgids are the Chinese UI strings, so a missing English msgstr silently shows Chinese on an English
page; the catalogue checks below fail instead. After `liangxin makemessages -l en`, fill in the new
entries and run `liangxin compilemessages --ignore=.venv`.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings

PO_PATH = Path(settings.BASE_DIR) / "liangxin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w*\}")


def _parse_po(path):
    """The entries of a .po file: dicts with msgid, msgid_plural, msgstr ({index: text}) and flags."""
    entries, entry, field = [], None, None

    def finish():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgid_plural "):
            field = "msgid_plural"
            entry[field] = ast.literal_eval(line[len("msgid_plural ") :])
        elif line.startswith("msgid "):
            field = "msgid"
            entry[field] = ast.literal_eval(line[len("msgid ") :])
        elif line.startswith("msgstr"):
            key, _, value = line.partition(" ")
            index = int(key[key.index("[") + 1 : key.index("]")]) if "[" in key else 0
            field = ("msgstr", index)
            entry["msgstr"][index] = ast.literal_eval(value)
        elif line.startswith('"'):
            chunk = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += chunk
            else:
                entry[field] += chunk
    return entries


@pytest.fixture(scope="module")
def po_entries():
    entries = _parse_po(PO_PATH)
    assert len(entries) > 50, "the English catalogue looks empty"
    return entries


def test_the_po_header_declares_english_utf8_and_two_plural_forms(po_entries):
    header = po_entries[0]
    assert header["msgid"] == ""
    text = header["msgstr"][0]
    assert "Language: en\n" in text
    assert "charset=UTF-8" in text
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in text
    assert "fuzzy" not in header["flags"]


def test_every_entry_has_an_english_translation(po_entries):
    missing = []
    for entry in po_entries[1:]:
        if entry.get("obsolete"):
            continue
        forms = 2 if entry["msgid_plural"] is not None else 1
        strings = [entry["msgstr"].get(i, "") for i in range(forms)]
        if not all(s.strip() for s in strings):
            missing.append(entry["msgid"])
    assert not missing, f"{len(missing)} untranslated entries in {PO_PATH.name}: {missing}"


def test_no_entry_is_fuzzy(po_entries):
    fuzzy = [entry["msgid"] for entry in po_entries if "fuzzy" in entry["flags"]]
    assert not fuzzy, f"fuzzy entries are ignored by compilemessages; review them: {fuzzy}"


def test_translations_keep_their_placeholders(po_entries):
    wrong = []
    for entry in po_entries[1:]:
        expected = sorted(PLACEHOLDER.findall(entry["msgid"]))
        for msgstr in entry["msgstr"].values():
            if sorted(PLACEHOLDER.findall(msgstr)) != expected:
                wrong.append((entry["msgid"], msgstr))
    assert not wrong, wrong


def test_no_english_translation_is_left_in_chinese(po_entries):
    cjk = re.compile(r"[\u4e00-\u9fff]")
    # 、 is the separator the import form expects, so it is quoted as-is in the English label.
    leftover = [
        (entry["msgid"], s) for entry in po_entries[1:] for s in entry["msgstr"].values() if cjk.search(s)
    ]
    assert not leftover, leftover


def test_the_compiled_catalogue_matches_the_po(po_entries):
    assert MO_PATH.exists(), "run `liangxin compilemessages --ignore=.venv`"
    with MO_PATH.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for entry in po_entries[1:]:
        if entry["msgid_plural"] is None:
            if compiled.gettext(entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        else:
            for n, index in ((1, 0), (2, 1)):
                if compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) != entry["msgstr"][index]:
                    stale.append(entry["msgid"])
    assert not stale, f"django.mo is out of date, run compilemessages: {stale}"


# Pages --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/account/login/"])
def test_pages_are_english_when_the_browser_asks_for_english(client, db, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "Equipment Renewal and Trade-in Platform" in html
    assert "登录" not in html


@pytest.mark.parametrize("url", ["/", "/account/login/"])
def test_pages_are_chinese_when_the_browser_asks_for_chinese(client, db, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert "Log in" not in html


def test_chinese_is_the_default_without_a_preference(client, db):
    html = client.get("/").content.decode()
    assert "登录" in html and "Log in" not in html


def test_the_login_page_is_english(client, db):
    html = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Username" in html and "Password" in html


def test_form_errors_from_python_code_are_translated(client, personas):
    response = client.post(
        "/account/login/", {"username": "zb", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Incorrect username or password." in response.content.decode()


def test_set_language_switches_the_next_page_to_english(client, db):
    assert "登录" in client.get("/").content.decode()

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/account/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    # No Accept-Language header: the cookie alone chooses English.
    html = client.get(response["Location"]).content.decode()
    assert "Log in" in html and "登录" not in html
    assert "Log in" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    html = client.get("/").content.decode()
    assert "登录" in html and "Log in" not in html


def test_the_chosen_language_beats_the_browser_header(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Log in" in html


def test_a_signed_in_user_sees_english_pages(client, personas):
    client.force_login(personas["zb"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "My regions" in html
    assert "Log out" in html
    assert "Regional comparison" in html
    assert "退出登录" not in html and "我的地区" not in html

    html = client.get("/r/370828/").content.decode()
    assert "Departments" in html
