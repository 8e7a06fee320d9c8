"""The benchmark's switch that stops recording reads cannot reach production unnoticed."""

from __future__ import annotations

from pathlib import Path

from tests.test_deploy import check_deploy, production_env


def test_check_deploy_fails_when_reads_are_not_audited(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, LIUKE_AUDIT_READS="0"))
    assert result.returncode != 0
    assert "liuke.audit.E001" in result.stdout + result.stderr


def test_check_deploy_is_clean_with_reads_audited(tmp_path: Path) -> None:
    result = check_deploy(production_env(tmp_path, LIUKE_AUDIT_READS="1"))
    assert result.returncode == 0, result.stdout + result.stderr
