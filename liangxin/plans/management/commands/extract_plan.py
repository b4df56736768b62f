import json
import time

from django.core.management.base import BaseCommand, CommandError

from liangxin.plans.extraction import NoticeReadError, extract_plan, read_notice


class Command(BaseCommand):
    help = "读取通知文件并输出方案 JSON Read a notice (.txt/.docx/.pdf) and print the plan as JSON (shared/plan-format.md)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--timing", action="store_true", help="在标准错误输出耗时 (print the time taken to stderr)")

    def handle(self, *args, file, timing, **options):
        started = time.perf_counter()
        try:
            text = read_notice(file)
        except NoticeReadError as exc:
            raise CommandError(str(exc)) from None
        from pathlib import Path

        plan = extract_plan(text, source=Path(file).name)
        self.stdout.write(json.dumps(plan, ensure_ascii=False, indent=2))
        if timing:
            self.stderr.write(f"{time.perf_counter() - started:.3f}s")
