"""Typed readers for environment variables that fail loudly on bad values.

A wrong setting must stop the process at start-up with a message naming the variable,
not surface later as a traceback deep inside a request.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"环境变量 {name} 应为 true/false，实际为 {raw!r} ({name} must be true or false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"环境变量 {name} 应为整数，实际为 {raw!r} ({name} must be an integer)") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


_ENGINES = {
    "postgres": "django.db.backends.postgresql",
    "postgresql": "django.db.backends.postgresql",
    "pgsql": "django.db.backends.postgresql",
    "sqlite": "django.db.backends.sqlite3",
}


def parse_database_url(url: str) -> dict:
    """Turn `postgres://user:pass@host:port/name?opt=v` or `sqlite:///path` into a DATABASES entry."""
    hint = "（示例 example: postgres://postgres@127.0.0.1:5432/liangxin 或 sqlite:///var/liangxin.sqlite3）"
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL 格式错误 (malformed DATABASE_URL): {exc} {hint}") from None
    engine = _ENGINES.get(parts.scheme)
    if engine is None:
        raise ImproperlyConfigured(
            f"DATABASE_URL 的数据库类型 {parts.scheme!r} 不受支持，只支持 postgres 与 sqlite "
            f"(unsupported DATABASE_URL scheme) {hint}"
        )
    if engine.endswith("sqlite3"):
        path = unquote(parts.path)
        if parts.netloc or not path or path == "/":
            raise ImproperlyConfigured(f"DATABASE_URL 缺少 SQLite 文件路径 (missing SQLite path) {hint}")
        # sqlite:///relative/path keeps one slash; sqlite:////abs/path gives an absolute path.
        return {"ENGINE": engine, "NAME": path[1:] if path.startswith("/") else path}
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        raise ImproperlyConfigured(f"DATABASE_URL 缺少数据库名 (missing database name) {hint}")
    if not parts.hostname:
        raise ImproperlyConfigured(f"DATABASE_URL 缺少主机名 (missing host) {hint}")
    return {
        "ENGINE": engine,
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname,
        "PORT": str(port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def env_database(name: str, default_sqlite_path: Path) -> dict:
    url = os.environ.get(name, "").strip()
    if url:
        return parse_database_url(url)
    default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(default_sqlite_path),
        # WAL lets the dev server read while a long import writes.
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
    }
