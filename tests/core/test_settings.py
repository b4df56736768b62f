import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from liangxin.core.envconf import env_bool, parse_database_url


def test_it_parses_a_postgres_url():
    db = parse_database_url("postgres://postgres:s%40cret@127.0.0.1:5433/liangxin?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "liangxin", "postgres", "s@cret", "127.0.0.1", "5433",
    )
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_it_parses_a_sqlite_url():
    assert parse_database_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"


@pytest.mark.parametrize(
    "url, fragment",
    [
        ("mysql://root@localhost/x", "不受支持"),
        ("postgres://postgres@127.0.0.1:5432/", "缺少数据库名"),
        ("postgres://postgres@127.0.0.1:notaport/x", "格式错误"),
        ("postgres:///x", "缺少主机名"),
        ("sqlite://", "缺少 SQLite 文件路径"),
    ],
)
def test_it_explains_a_malformed_database_url(url, fragment):
    with pytest.raises(ImproperlyConfigured, match=fragment):
        parse_database_url(url)


def test_it_refuses_a_vague_boolean(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env_bool("SOME_FLAG", False)


def test_the_cli_reports_a_malformed_database_url_without_a_traceback():
    env = {**os.environ, "DATABASE_URL": "postgres://nohost:xx/"}
    result = subprocess.run(
        [sys.executable, "-m", "liangxin.cli", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_cli_accepts_dashed_command_names():
    result = subprocess.run(
        [sys.executable, "-m", "liangxin.cli", "region-add", "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "行政区划" in result.stdout


def test_deploy_check_rejects_development_keys(db, settings):
    settings.DEBUG = False
    with pytest.raises(SystemCheckError) as excinfo:
        call_command("check", "--deploy", "--fail-level", "ERROR")
    assert "liangxin.E001" in str(excinfo.value)
    assert "liangxin.E002" in str(excinfo.value)


def test_deploy_check_accepts_real_keys(db, settings):
    settings.DEBUG = False
    settings.SECRET_KEY = "x" * 60 + "production-secret"
    settings.PII_HASH_KEY = "y" * 60 + "pii"
    call_command("check", "--deploy", "--fail-level", "ERROR", "--tag", "security")
