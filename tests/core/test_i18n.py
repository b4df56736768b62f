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
    """The entries of a .po file: dicts with msgctxt, msgid, msgid_plural, msgstr ({index: text}) and flags."""
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
            entry = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            field = "msgctxt"
            entry[field] = ast.literal_eval(line[len("msgctxt ") :])
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
        if entry.get("obsolete"):
            continue
        context = entry["msgctxt"]
        if entry["msgid_plural"] is None:
            args = (context, entry["msgid"]) if context else (entry["msgid"],)
            if (compiled.pgettext if context else compiled.gettext)(*args) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
        else:
            for n, index in ((1, 0), (2, 1)):
                args = (entry["msgid"], entry["msgid_plural"], n)
                found = compiled.npgettext(context, *args) if context else compiled.ngettext(*args)
                if found != entry["msgstr"][index]:
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


# Choice labels and text built in Python ---------------------------------------------------------

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def subsidy_claims(jinxiang, personas):
    """A programme whose staff accept each claim: one claim accepted (and so approved), one waiting."""
    import datetime as dt
    from decimal import Decimal

    from liangxin.subsidies.review import claim_review
    from liangxin.subsidies.services import (
        claim_submit,
        pool_create,
        programme_create,
        programme_settings_update,
    )
    from tests.subsidies.test_claims_money import _payload, flat_rate_decide

    today = dt.date.today()
    programme = programme_create(
        actor="test", region=jinxiang, year=today.year, name="测试家电", starts_on=today - dt.timedelta(days=30),
        ends_on=today + dt.timedelta(days=30), rules={"rate": "0.15", "cap": "500", "limit": 1},
    )
    pool_create(actor="test", programme=programme, name="家电", allocated="10000")
    staff = personas["programme"]
    programme = programme_settings_update(
        actor=staff, programme=programme, manual_acceptance=True, sample_rate=Decimal("0")
    )
    approved, _ = claim_submit(actor="test", programme=programme, payload=_payload(1), decide=flat_rate_decide)
    approved = claim_review(actor=staff, claim=approved, action="accept", reason="材料齐全")
    waiting, _ = claim_submit(actor="test", programme=programme, payload=_payload(2), decide=flat_rate_decide)
    assert (approved.status, waiting.status) == ("approved", "submitted")
    return programme, approved, waiting


def test_the_claim_page_shows_status_review_steps_and_time_limits_in_english(client, personas, subsidy_claims):
    _programme, approved, _waiting = subsidy_claims
    client.force_login(personas["programme"])
    html = client.get(f"/claims/{approved.number}/", **EN).content.decode()
    assert "<strong>Approved</strong>" in html
    assert "Accepted：材料齐全" in html  # the step is translated; the reason someone wrote is not
    assert "Approved automatically" in html
    assert 'data-stage="accept"><td>Acceptance' in html and 'data-stage="pay"><td>Payment' in html
    for chinese in ("已核定", "自动核定", "受理（", "已预占"):
        assert chinese not in html, chinese

    html = client.get(f"/claims/{approved.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<strong>已核定</strong>" in html and "受理：材料齐全" in html and "受理（" in html


def test_the_review_queue_and_claim_list_show_english_statuses(client, personas, subsidy_claims):
    programme, _approved, waiting = subsidy_claims
    client.force_login(personas["programme"])
    html = client.get(f"/programmes/{programme.id}/review/?stage=accept", **EN).content.decode()
    assert waiting.number in html
    assert "Submitted, awaiting acceptance" in html and "已提交，待受理" not in html

    html = client.get(f"/programmes/{programme.id}/claims/", **EN).content.decode()
    assert "Approved" in html and "Awaiting manual review" in html  # the rows and the status filter
    assert "已核定" not in html and "待人工审核" not in html


def test_the_statistics_page_is_english_but_its_excel_export_stays_chinese(client, personas, subsidy_claims):
    import io

    from openpyxl import load_workbook

    programme, _approved, _waiting = subsidy_claims
    client.force_login(personas["programme"])
    html = client.get(f"/programmes/{programme.id}/statistics/", **EN).content.decode()
    assert "<td>Approved</td>" in html and "<td>Submitted, awaiting acceptance</td>" in html
    assert "<td>Acceptance</td>" in html and "<td>Payment</td>" in html
    for chinese in ("已核定", "已提交，待受理", "<td>受理</td>", "按比例分担"):
        assert chinese not in html, chinese

    response = client.get(f"/programmes/{programme.id}/statistics/?format=xlsx", **EN)
    workbook = load_workbook(io.BytesIO(response.content))
    assert [row[0] for row in workbook["按状态"].iter_rows(values_only=True)] == ["状态", "已核定", "已提交，待受理"]
    assert [row[0] for row in workbook["时限"].iter_rows(values_only=True)][1:] == ["受理", "审核", "拨付"]


def test_a_report_page_shows_english_report_and_task_statuses(client, personas, jinxiang_plan, commerce):
    import datetime as dt

    from liangxin.tracking.models import Report
    from liangxin.tracking.services import reports_open

    reports_open(actor="test", plan=jinxiang_plan, period_start=dt.date(2026, 10, 1))
    report = Report.objects.get(plan=jinxiang_plan, department=commerce)
    client.force_login(personas["staff"])
    html = client.get(f"/reports/{report.id}/", **EN).content.decode()
    assert 'data-status="draft">Draft</span>' in html
    assert "2026-10 progress report" in html
    assert "Not started" in html and "On track" in html
    for chinese in ("草稿", "未启动", "2026年10月"):
        assert chinese not in html, chinese

    html = client.get(f"/r/{report.plan.region.code}/reports/?period=2026-10", **EN).content.decode()
    assert ">Draft</span>" in html and "草稿" not in html


def test_the_dashboard_names_target_statuses_in_english(client, personas, jinxiang_plan):
    client.force_login(personas["leader"])
    html = client.get("/r/370828/dashboard/", **EN).content.decode()
    assert 'data-status="not_available">Not available</span>' in html
    assert 'data-status="not_available">无法判断</span>' not in html


def test_supervision_labels_are_english(client, personas):
    client.force_login(personas["zb"])
    html = client.get("/r/370828/supervision/", **EN).content.decode()
    assert "Awaiting response" in html and "待反馈" not in html


def test_what_is_stored_or_returned_by_the_api_stays_chinese_on_english_pages(client, personas, subsidy_claims):
    from django.utils import translation

    from liangxin.audit.models import AuditEntry
    from liangxin.core.errors import Conflict
    from liangxin.subsidies.review import claim_review

    _programme, approved, _waiting = subsidy_claims
    client.force_login(personas["zb"])
    response = client.post(
        "/r/370828/supervision/webhooks/",
        {"kind": "dingtalk", "name": "", "url": "https://oapi.dingtalk.com/robot/send?access_token=x"},
        **EN,
    )
    assert response.status_code == 302
    # The audit entry names the robot by its kind, in Chinese whatever the page's language.
    assert AuditEntry.objects.get(action="webhook.add").object_repr == "钉钉群机器人"

    body = client.get(f"/api/v1/public/claims/{approved.number}", {"phone_last4": "0001"}, **EN).json()
    assert body["status_label"] == "已核定"

    with translation.override("en"), pytest.raises(Conflict) as refused:
        claim_review(actor=personas["programme"], claim=approved, action="approve", reason="再次审核")
    assert "“已核定”" in refused.value.message and refused.value.localized == refused.value.message_en
