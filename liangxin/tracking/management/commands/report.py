import datetime as dt
import re
from pathlib import Path

from django.core.management.base import CommandError

from liangxin.core.management.base import ServiceCommand
from liangxin.regions.models import Region
from liangxin.tracking.word_report import monthly_report_docx, report_title

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str) -> dt.date:
    match = _PERIOD.match(text or "")
    month = int(match.group(2)) if match else 0
    if not match or not 1 <= month <= 12:
        raise CommandError(
            f"报送期“{text}”格式不正确，应为 YYYY-MM，例如 2026-10 (period {text!r} must be YYYY-MM, e.g. 2026-10)"
        )
    return dt.date(int(match.group(1)), month, 1)


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"日期“{text}”格式不正确，应为 YYYY-MM-DD (date {text!r} must be YYYY-MM-DD)"
        ) from None


class Command(ServiceCommand):
    help = "工作进展通报 Progress bulletins: `report monthly --region CODE --period YYYY-MM` writes the month's .docx."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="生成月度工作进展通报 (.docx) write the monthly bulletin")
        monthly.add_argument("--region", required=True, help="行政区划代码 region code, e.g. 370828")
        monthly.add_argument("--period", required=True, help="报送期 YYYY-MM, e.g. 2026-10")
        monthly.add_argument("--as-of", default=None, help="数据截至日期 YYYY-MM-DD（默认今天） data as of")
        monthly.add_argument("-o", "--output", default=None, help="输出文件（默认 通报-<代码>-<YYYY-MM>.docx）")

    def handle(self, *args, action, **options):
        code = options["region"]
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(f"未找到行政区划代码 {code} (unknown region code {code})")
        period = parse_period(options["period"])
        as_of = parse_day(options["as_of"]) if options["as_of"] else None
        path = Path(options["output"] or f"通报-{region.code}-{period:%Y-%m}.docx")
        content = monthly_report_docx(region=region, period_start=period, as_of=as_of)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc.strerror} (cannot write {path})") from None
        self.stdout.write(self.style.SUCCESS(f"已生成 {report_title(region, period)} → {path}"))
