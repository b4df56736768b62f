"""``python -m liangxin.plans.extraction FILE`` prints the plan JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import NoticeReadError, extract_plan, read_notice


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m liangxin.plans.extraction FILE", file=sys.stderr)
        return 2
    path = Path(args[0])
    try:
        text = read_notice(path)
    except NoticeReadError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(json.dumps(extract_plan(text, source=path.name), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
