"""``vsscare kb …`` in-process against each backend: messages and exit codes."""

from __future__ import annotations

import json

import pytest

from tests.knowledge.test_kb_import import SAMPLE, entry, write


@pytest.fixture
def cli(run_cli):
    assert run_cli("legal", "import", str(SAMPLE)).exit_code == 0
    return lambda *args: run_cli("kb", *args)


def test_import_export_check(cli, tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    write(folder / "a.jsonl", [entry("a-001"), entry("a-002", status="draft", legal_bases=[])])
    write(folder / "b.jsonl", [entry("b-001", topic="bhyt", legal_bases=["51/2024/QH15#2"])])
    (folder / "notes.txt").write_text("not a bank file", "utf-8")

    result = cli("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "hỏi đáp: 3 mới, 0 thay đổi, 0 không đổi" in result.output
    assert (
        "0 mới, 0 thay đổi, 3 không đổi"
        in cli("import", str(folder / "a.jsonl"), str(folder / "b.jsonl")).output
    )

    printed = cli("export", "--status", "published", "--format", "jsonl", "--output", "-")
    assert printed.exit_code == 0, printed.output
    assert [json.loads(line)["id"] for line in printed.output.splitlines()] == ["a-001", "b-001"]
    target = tmp_path / "out.jsonl"
    saved = cli("export", "--output", str(target))
    assert saved.exit_code == 0 and "Đã xuất 3 hỏi đáp" in saved.output
    assert len(target.read_text("utf-8").splitlines()) == 3
    unknown = cli("export", "--format", "csv")
    assert unknown.exit_code == 1 and "chỉ xuất được jsonl hoặc xlsx" in unknown.output

    checked = cli("check")
    assert checked.exit_code == 0, checked.output
    assert "0 căn cứ không còn hiệu lực, 0 cần rà soát, 0 đến hạn rà soát" in checked.output

    # A published entry citing the repealed Law 58/2014 (superseded in the sample) fails the check.
    write(folder / "c.jsonl", [entry("c-001", legal_bases=["58/2014/QH13#60"], next_review_at="2025-01-01")])
    assert cli("import", str(folder)).exit_code == 0
    failed = cli("check")
    assert failed.exit_code == 1
    assert "58/2014/QH13#60" in failed.output and "thay thế bởi 41/2024/QH15" in failed.output
    assert "Đến hạn rà soát" in failed.output and "1 căn cứ không còn hiệu lực" in failed.output
    assert cli("check", "--date", "01/12/2025").exit_code == 2


def test_bad_bank_exits_with_line_field_reason(cli, tmp_path):
    bad = write(tmp_path / "bad.jsonl", [entry("a-001"), entry("a-002", short_answer="x" * 301), "{oops"])
    result = cli("import", str(bad))
    assert result.exit_code == 1
    assert "bad.jsonl, dòng 2" in result.output and "short_answer" in result.output
    assert "bad.jsonl, dòng 3" in result.output and "invalid JSON" in result.output
    assert "có 2 lỗi" in result.output and "has 2 error(s)" in result.output
    assert cli("export").output == ""
    missing = cli("import", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "Không đọc được" in missing.output
    # The shipped bank cites articles the bundled legal sample lacks: refused, nothing imported.
    shipped = cli("import")
    assert shipped.exit_code == 1 and "legal_bases" in shipped.output
