"""Notice extractor (政策文件抽取): read a county/city/province work-plan notice
(工作方案 / 实施方案 / 若干举措 / 工作措施) and return its structured reading in
the JSON format of ``shared/plan-format.md``.

Names (title, section and task titles, units) are given as written, line
breaks removed, with 繁體 characters turned to 简体; ``quote`` and
``units_quote`` keep the characters exactly as written.

Pure Python; no Django import here, so the importer, the CLI and the tests can
all call it.

    >>> text = read_notice("notice.docx")
    >>> plan = extract_plan(text, source="notice.docx")
"""

from __future__ import annotations

from .plan import extract_plan
from .reader import NoticeReadError, read_notice

__all__ = ["NoticeReadError", "extract_plan", "read_notice"]
