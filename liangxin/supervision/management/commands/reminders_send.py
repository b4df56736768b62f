import datetime as dt

from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.supervision.models import ReminderStage
from liangxin.supervision.services import reminders_send


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD：{value} (date must be YYYY-MM-DD)") from None


class Command(ServiceCommand):
    help = (
        "催报 Send the reminders owed today: before and on the due date, daily when overdue, and the escalation "
        "to the working group. Safe to run more than once a day: nothing is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_date, default=None, help="按此日期运行 run as if today were YYYY-MM-DD")

    def handle(self, *args, today=None, **options):
        sent = reminders_send(today=today)
        for item in sent:
            report = item.report
            names = "、".join(str(u) for u in item.recipients) or "（无收件人 no recipients）"
            self.stdout.write(
                f"{ReminderStage(item.stage).label} [{item.stage}] {report.plan.region.name} {report.department.name} "
                f"{report.period_label} 截止 {report.due_on:%Y-%m-%d} → {names}"
            )
        self.stdout.write(f"共发送 {len(sent)} 条提醒 (sent {len(sent)} reminders)")
