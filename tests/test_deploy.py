"""`manage.py check --deploy` with production settings: clean, and loud when the secret is missing.

Run as subprocesses: the settings module reads the environment once, at import."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="liuke.settings",
        DEBUG="0",
        LIUKE_DEV_SECRET="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        LIUKE_HTTPS="1",
        ALLOWED_HOSTS="salon.example.com",
        LIUKE_PUBLIC_URL="https://salon.example.com",
        LIUKE_VAR_DIR=str(tmp_path / "var"),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "WARNING" not in output
    assert "no issues" in output


def test_production_without_a_secret_key_fails_loudly(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "ImproperlyConfigured" in result.stderr
    # and no key was invented behind the operator's back
    assert not (tmp_path / "var" / "secret_key").exists()


def test_secret_key_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(secrets.token_urlsafe(64))
    env = production_env(tmp_path, SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    result = check_deploy(env)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "sometimes"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("LIUKE_TRUSTED_PROXIES", "127.0.0.1, nginx"),
        ("LIUKE_CLIENT_IP_HEADER", "HTTP_X_REAL_IP"),  # replaced by LIUKE_TRUSTED_PROXIES
    ],
)
def test_malformed_settings_fail_loudly(tmp_path: Path, name: str, value: str) -> None:
    result = check_deploy(production_env(tmp_path, **{name: value}))
    assert result.returncode != 0
    assert name in result.stderr


def test_without_https_the_deploy_check_warns(tmp_path: Path) -> None:
    # the check is not vacuous: plain-HTTP settings are reported
    result = check_deploy(production_env(tmp_path, LIUKE_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W" in result.stdout + result.stderr


def _database_options(tmp_path: Path, **overrides: str) -> str:
    env = production_env(
        tmp_path, DATABASE_URL="postgres://liuke@db.example.com/liuke", **overrides
    )
    code = (
        "from liuke import settings; "
        "o = settings.DATABASES['default'].get('OPTIONS', {}); "
        "print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_postgresql_prepares_repeated_statements_unless_turned_off(tmp_path: Path) -> None:
    assert _database_options(tmp_path) == "True 2"
    assert _database_options(tmp_path, DB_PREPARE_THRESHOLD="5") == "True 5"
    assert _database_options(tmp_path, DB_PREPARE_THRESHOLD="0") == "None None"


@pytest.mark.postgres_only
def test_the_running_postgresql_connection_prepares(db: None) -> None:
    from django.db import connection

    from liuke.accounts.models import Business

    connection.ensure_connection()
    assert connection.connection.prepare_threshold == 2
    for _ in range(3):
        Business.objects.filter(pk=1).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("accounts_business" in sql for sql in prepared), prepared


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000"])
def test_a_loopback_public_address_fails_the_deploy_check(tmp_path: Path, url: str) -> None:
    """Customers' links and the suggestion box's QR code would point at the server itself."""
    result = check_deploy(production_env(tmp_path, LIUKE_PUBLIC_URL=url))
    assert result.returncode != 0
    assert "liuke.core.E001" in result.stdout + result.stderr
