"""Reminders (催报): before, on and after the due date, escalation, idempotency, mail and robots."""

import datetime as dt
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from liangxin.accounts.models import User
from liangxin.audit.models import AuditEntry
from liangxin.supervision.models import Delivery, Notification, ReminderLog
from liangxin.supervision.services import reminders_send, webhook_add
from liangxin.supervision.webhook import webhook_payload
from liangxin.tracking.services import report_entry_save, report_submit
from tests.supervision.conftest import DUE


def _inbox(username, report=None):
    rows = Notification.objects.filter(user__username=username).order_by("id")
    if report is not None:
        rows = rows.filter(link=f"/reports/{report.id}/")
    return list(rows)


def _stages_for(report):
    return sorted(ReminderLog.objects.filter(report=report).values_list("stage", "day"))


class _Robot(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.hits.append({"path": self.path, "json": json.loads(body), "content_type": self.headers["Content-Type"]})
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.server.body if status == 200 else b"boom")

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    """A group-chat robot on 127.0.0.1 that records what it is sent; set `.status` to fail."""
    server = HTTPServer(("127.0.0.1", 0), _Robot)
    server.hits, server.status, server.body = [], 200, b'{"errcode":0,"errmsg":"ok"}'
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def test_before_the_due_date_the_department_staff_get_inbox_and_mail(report, personas, mailoutbox):
    assert reminders_send(today=DUE - dt.timedelta(days=4)) == []
    sent = reminders_send(today=DUE - dt.timedelta(days=3))
    mine = [s for s in sent if s.report == report]
    assert [(s.stage, s.recipients) for s in mine] == [("before", [personas["staff"]])]
    [message] = _inbox("staff")
    assert message.kind == "reminder" and "将于2026年11月10日截止" in message.title and "还有3天" in message.body
    assert message.link == f"/reports/{report.id}/" and message.region == report.plan.region
    assert [m.to for m in mailoutbox] == [["staff@jinxiang.example"]]
    assert mailoutbox[0].subject == message.title
    assert Delivery.objects.filter(channel="email", ok=True, recipient="staff@jinxiang.example").count() == 1
    # Nobody else hears about 县商务局's report; staff of departments without users get nothing.
    assert not _inbox("zb") and not _inbox("leader")
    assert AuditEntry.objects.filter(action="reminder.before", region=report.plan.region).exists()


def test_a_missed_cron_day_still_sends_the_early_reminder_once(report, personas):
    reminders_send(today=DUE - dt.timedelta(days=2))
    reminders_send(today=DUE - dt.timedelta(days=1))
    assert _stages_for(report) == [("before", DUE - dt.timedelta(days=3))]
    assert len(_inbox("staff")) == 1


def test_on_the_due_date_and_each_day_after_then_escalation(report, personas, mailoutbox):
    reminders_send(today=DUE)
    assert "今天截止" in _inbox("staff")[-1].title
    for day in range(1, 5):
        reminders_send(today=DUE + dt.timedelta(days=day))
        assert f"已逾期{day}天" in _inbox("staff")[-1].title
    assert not _inbox("zb")
    # escalate_after_days defaults to 5: the working groups of 金乡县 and of 济宁市 above it hear of it.
    reminders_send(today=DUE + dt.timedelta(days=5))
    [escalation] = _inbox("zb", report)
    assert escalation.kind == "escalation" and "已逾期5天" in escalation.title and "请工作专班督办" in escalation.body
    assert len(_inbox("city_zb", report)) == 1 and not _inbox("outsider")
    reminders_send(today=DUE + dt.timedelta(days=6))
    assert len(_inbox("zb", report)) == 1, "escalation is sent once"
    assert [s for s, _d in _stages_for(report)] == ["due", "escalate", *["overdue"] * 6]
    # One mail per staff reminder (due + 6 overdue); the admins have no e-mail address.
    assert len(mailoutbox) == 7


def test_schedule_settings_move_the_reminders(report, personas):
    from liangxin.tracking.services import schedule_set

    schedule_set(actor="test", plan=report.plan, first_period=dt.date(2026, 10, 1), remind_before_days=0, escalate_after_days=2)
    assert reminders_send(today=DUE - dt.timedelta(days=3)) == []
    reminders_send(today=DUE + dt.timedelta(days=2))
    assert len(_inbox("zb", report)) == 1


def test_running_twice_on_the_same_day_sends_nothing_twice(report, personas, mailoutbox, robot):
    webhook_add(actor="test", region=report.plan.region, kind="dingtalk", url=robot.url + "/robot/send?access_token=t")
    today = DUE + dt.timedelta(days=5)
    first = reminders_send(today=today)
    counts = (Notification.objects.count(), len(mailoutbox), len(robot.hits), ReminderLog.objects.count(), Delivery.objects.count())
    assert first and counts[0] >= 2 and counts[1] == 1 and counts[2] == 1
    assert reminders_send(today=today) == []
    out = io.StringIO()
    call_command("reminders_send", "--today", today.isoformat(), stdout=out)
    assert "共发送 0 条提醒" in out.getvalue()
    assert (Notification.objects.count(), len(mailoutbox), len(robot.hits), ReminderLog.objects.count(), Delivery.objects.count()) == counts


def test_submitted_reports_are_not_chased(report, personas):
    for entry in report.entries.all():
        report_entry_save(actor="test", report=report, task_id=entry.task_id, status="on_track", progress="按计划推进")
    report_submit(actor=personas["staff"], report=report)
    sent = reminders_send(today=DUE + dt.timedelta(days=7))
    assert report not in [s.report for s in sent] and not _inbox("staff") and not _inbox("zb", report)


def test_inactive_staff_get_nothing(report, personas):
    User.objects.filter(username="staff").update(is_active=False)
    reminders_send(today=DUE)
    assert not _inbox("staff")
    assert ReminderLog.objects.get(report=report, stage="due").recipients == 0


def test_dingtalk_payload_posted_to_the_robot(report, personas, robot):
    webhook_add(actor="test", region=report.plan.region, kind="dingtalk", name="专班群",
                url=robot.url + "/robot/send?access_token=abc", at_all=True)
    reminders_send(today=DUE + dt.timedelta(days=1))
    [hit] = robot.hits
    assert hit["path"] == "/robot/send?access_token=abc" and hit["content_type"].startswith("application/json")
    payload = hit["json"]
    assert payload["msgtype"] == "text" and payload["at"] == {"atMobiles": [], "isAtAll": True}
    content = payload["text"]["content"]
    assert content.startswith("【两新工作平台·催报】金乡县 2026-11-11")
    assert "县商务局2026年10月进展报告已于2026年11月10日截止，目前已逾期1天" in content
    [delivery] = Delivery.objects.filter(channel="webhook")
    assert delivery.ok and delivery.status_code == 200 and "access_token" not in delivery.recipient


def test_wecom_payload_has_no_at_block(report, personas, robot):
    webhook_add(actor="test", region=report.plan.region, kind="wecom", url=robot.url + "/cgi-bin/webhook/send?key=k")
    reminders_send(today=DUE)
    [hit] = robot.hits
    assert set(hit["json"]) == {"msgtype", "text"} and "今天（2026年11月10日）截止" in hit["json"]["text"]["content"]


def test_a_failing_robot_is_recorded_not_raised(report, personas, robot, mailoutbox):
    robot.status = 500
    webhook_add(actor="test", region=report.plan.region, kind="wecom", url=robot.url + "/send")
    # An unreachable robot too: connection refused must not stop the run either.
    webhook_add(actor="test", region=report.plan.region, kind="dingtalk", url="http://127.0.0.1:9/send")
    sent = reminders_send(today=DUE)
    assert sent and len(robot.hits) == 1 and len(mailoutbox) == 1
    failures = {d.recipient.split("#")[0]: d for d in Delivery.objects.filter(channel="webhook")}
    assert not failures["企业微信群机器人"].ok and failures["企业微信群机器人"].status_code == 500
    assert "boom" in failures["企业微信群机器人"].detail
    assert not failures["钉钉群机器人"].ok and failures["钉钉群机器人"].status_code is None


def test_robot_errcode_is_a_failure(report, personas, robot):
    # DingTalk answers 200 with a non-zero errcode when, e.g., the robot's keyword is missing.
    robot.body = b'{"errcode":310000,"errmsg":"keywords not in content"}'
    webhook_add(actor="test", region=report.plan.region, kind="dingtalk", url=robot.url + "/send")
    reminders_send(today=DUE)
    assert not Delivery.objects.get(channel="webhook").ok


def test_disabled_robots_and_other_regions_are_silent(report, personas, robot, shanting):
    from liangxin.supervision.services import webhook_set_enabled

    hook = webhook_add(actor="test", region=report.plan.region, kind="dingtalk", url=robot.url + "/a")
    webhook_set_enabled(actor="test", webhook=hook, enabled=False)
    webhook_add(actor="test", region=shanting, kind="dingtalk", url=robot.url + "/b")
    reminders_send(today=DUE)
    assert robot.hits == []


def test_a_failing_mail_server_is_recorded_not_raised(report, personas, monkeypatch):
    from liangxin.supervision import services

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", refuse)
    assert reminders_send(today=DUE)
    failed = Delivery.objects.get(channel="email")
    assert not failed.ok and "smtp down" in failed.detail
    assert len(_inbox("staff")) == 1


def test_long_texts_are_cut_for_the_robot():
    payload = webhook_payload("wecom", "催" * 2000)
    assert len(payload["text"]["content"].encode()) <= 2000 and payload["text"]["content"].endswith("……")


def test_webhook_urls_must_be_http(report, personas):
    from liangxin.core.errors import ServiceError

    with pytest.raises(ServiceError) as exc:
        webhook_add(actor="test", region=report.plan.region, kind="dingtalk", url="file:///etc/passwd")
    assert exc.value.field == "url"
    with pytest.raises(ServiceError):
        webhook_add(actor="test", region=report.plan.region, kind="slack", url="https://x")


def test_command_prints_what_it_sent_and_rejects_bad_dates(report, personas):
    out = io.StringIO()
    call_command("reminders_send", "--today", "2026-11-15", stdout=out)
    text = out.getvalue()
    assert "逾期催报 [overdue] 金乡县 县商务局 2026年10月 截止 2026-11-10 → staff" in text
    assert "逾期上报专班 [escalate] 金乡县 县商务局" in text and "zb" in text
    with pytest.raises(CommandError):
        call_command("reminders_send", "--today", "15/11/2026", stdout=io.StringIO())
