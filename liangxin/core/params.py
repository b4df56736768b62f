"""Parsing of query-string parameters shared by pages."""

import datetime as dt


def month_param(value: str | None) -> dt.date | None:
    """'2026-10' → 2026-10-01; anything else → None, so a bad link falls back to a default."""
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None
