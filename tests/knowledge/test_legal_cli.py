"""``vsscare legal …`` in-process against each backend."""

from __future__ import annotations

import json

import pytest

from vsscare.core.paths import DATA_DIR

SAMPLE = DATA_DIR / "legal-sample.jsonl"


@pytest.fixture
def cli(run_cli):
    return lambda *args: run_cli("legal", *args)


def test_import_search_show(cli, monkeypatch):
    result = cli("import", str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "Văn bản mới" in result.output and "58/2014/QH13" in result.output
    assert "văn bản: 7 mới" in result.output and "điều: 38 mới" in result.output
    again = cli("import", str(SAMPLE))
    assert again.exit_code == 0 and "38 không đổi" in again.output and "0 mới hết hiệu lực" in again.output

    found = cli("search", "tro", "cap", "that", "nghiep", "--limit", "3")
    assert found.exit_code == 0, found.output
    assert "74/2025/QH15#39" in found.output and "3/" in found.output
    current = cli("search", "trợ cấp thất nghiệp", "--in-force", "--document", "38/2013/QH13")
    assert current.exit_code == 0 and "0/0 điều" in current.output

    shown = cli("show", "58/2014/QH13#60")
    assert shown.exit_code == 0, shown.output
    assert (
        "Bảo hiểm xã hội một lần" in shown.output
        and "Hết hiệu lực — thay thế bởi 41/2024/QH15" in shown.output
    )
    assert "Điều 60." in shown.output and "Chương III" in shown.output
    missing = cli("show", "41/2024/QH15#999")
    assert (
        missing.exit_code == 1
        and "Không có điều 41/2024/QH15#999" in missing.output
        and "%23" in missing.output
    )

    # Without a path: the full corpus if this machine has one, else a clear error.
    monkeypatch.setenv("VSSCARE_LEGAL_CORPUS", str(SAMPLE))
    assert "38 không đổi" in cli("import").output


def test_bad_file_exits_with_line_numbers(cli, tmp_path):
    rows = [json.loads(line) for line in SAMPLE.read_text("utf-8").splitlines()[:3]]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        json.dumps(rows[0], ensure_ascii=False) + "\n{oops\n" + json.dumps(dict(rows[2], key="X#1")) + "\n",
        "utf-8",
    )
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert (
        "dòng 2" in result.output
        and "dòng 3 (X#1)" in result.output
        and "doc_number#article" in result.output
    )
    assert "có 2 lỗi" in result.output and "has 2 error(s)" in result.output
    missing = cli("import", str(tmp_path / "missing.jsonl"))
    assert missing.exit_code == 1 and "Không đọc được tệp" in missing.output
