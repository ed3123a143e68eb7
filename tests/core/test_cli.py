"""The command line, run in-process with the real database of each backend."""

import os
import subprocess
import sys

import pytest

from tests.conftest import PASSWORD
from vsscare.core import migrate


@pytest.fixture
def cli(run_cli):
    return run_cli


def test_db_current_downgrade_upgrade(cli):
    assert "mới nhất" in cli("db", "current").output
    assert "base" in cli("db", "downgrade", "base").output
    assert "cần nâng cấp" in cli("db", "current").output
    result = cli("db", "upgrade")
    assert result.exit_code == 0 and migrate.head() in result.output


def test_users_create_list_disable_enable(cli):
    created = cli(
        "users",
        "create",
        "lan.nt",
        "--name",
        "Nguyễn Thị Lan",
        "--role",
        "agent",
        "--unit",
        "BHXH-79",
        "--password",
        PASSWORD,
    )
    assert created.exit_code == 0, created.output
    listing = cli("users", "list")
    assert "lan.nt" in listing.output and "agent" in listing.output and "BHXH-79" in listing.output
    assert cli("users", "disable", "lan.nt").exit_code == 0
    assert "lan.nt" not in cli("users", "list", "--active").output
    assert cli("users", "enable", "lan.nt").exit_code == 0
    token = cli("users", "token", "lan.nt", "--name", "crm").output.strip()
    assert token.startswith("vss_")
    roles = cli("users", "roles")
    assert "knowledge_approver" in roles.output and "knowledge.approve" in roles.output


def test_users_create_rejects_bad_input_with_both_languages(cli, db_url, tmp_path):
    env = {"VSSCARE_DATABASE_URL": db_url, "VSSCARE_DATA_DIR": str(tmp_path)}
    bad = _run_process(
        "users", "create", "x", "--name", "X", "--role", "agent", "--password", PASSWORD, env=env
    )
    assert bad.returncode == 1
    assert "username_invalid" in bad.stderr and "Lỗi" in bad.stderr and "Error:" in bad.stderr
    weak = _run_process(
        "users", "create", "someone", "--name", "X", "--role", "agent", "--password", "123", env=env
    )
    assert weak.returncode == 1 and "password_weak" in weak.stderr
    assert "someone" not in cli("users", "list").output


def _run_process(*args, env=None, lang="vi_VN.UTF-8"):
    environ = {**os.environ, "LANG": lang, "VSSCARE_LANG": "", **(env or {})}
    environ.pop("VSSCARE_LANG")
    return subprocess.run(
        [sys.executable, "-m", "vsscare", *args], capture_output=True, text=True, env=environ, timeout=60
    )


def test_help_in_vietnamese_and_english():
    vi = _run_process("--help")
    assert vi.returncode == 0 and "Chạy máy chủ web" in vi.stdout
    en = _run_process("--help", lang="en_US.UTF-8")
    assert en.returncode == 0 and "Run the web server" in en.stdout


def test_bad_database_url_is_explained(tmp_path):
    result = _run_process(
        "db", "current", env={"VSSCARE_DATABASE_URL": "mysql://x/y", "VSSCARE_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode == 2
    assert "phải bắt đầu" in result.stderr and "must start" in result.stderr


def test_unreachable_database_is_explained(tmp_path):
    result = _run_process(
        "db",
        "current",
        env={"VSSCARE_DATABASE_URL": "postgresql://u@127.0.0.1:1/x", "VSSCARE_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 1
    assert "Không kết nối được" in result.stderr and "Cannot reach" in result.stderr
