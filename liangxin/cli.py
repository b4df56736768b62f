"""The `liangxin` console command: any Django management command, with dashed names.

`liangxin import-plan X` and `liangxin import_plan X` both run the `import_plan` command,
so operators can type the names the docs use.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liangxin.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    if len(args) == 3 and args[1] == "extract_plan" and not args[2].startswith("-"):
        # Reading a notice needs no database or settings: skipping Django's start-up keeps the
        # command well under a second, so scripts can run it over a folder of notices.
        from liangxin.plans.extraction.__main__ import main as extract_main

        sys.exit(extract_main(args[2:]))
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        # A bad environment (e.g. malformed DATABASE_URL) is an operator error, not a crash.
        sys.stderr.write(f"配置错误 (configuration error): {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
