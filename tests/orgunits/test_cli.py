"""``vsscare orgunits …`` in-process against each backend."""

from __future__ import annotations

import pytest

from vsscare.core.paths import DATA_DIR


@pytest.fixture
def cli(run_cli):
    return lambda *args: run_cli("orgunits", *args)


def test_load_list_holidays_due(cli, tmp_path):
    result = cli("load", str(DATA_DIR / "orgunits.yaml"))
    assert result.exit_code == 0, result.output
    assert "0 mới, 0 thay đổi" in result.output and "74 không đổi" in result.output

    listing = cli("list", "--province", "48")
    assert listing.exit_code == 0 and "BHXH-48-HAICHAU" in listing.output and "BHXH-79" not in listing.output
    assert "BHXH-48" in cli("list", "--q", "da nang").output
    assert "34 đơn vị" in cli("list", "--kind", "province").output

    days = cli("holidays", "2026", "--province", "79")
    assert days.exit_code == 0
    assert "17/02/2026" in days.output and "22/08/2026" in days.output and "28/03/2026" in days.output
    assert "28/03/2026" not in cli("holidays", "2026").output

    due = cli("due", "2026-02-13T16:00", "2")
    assert due.exit_code == 0 and "23/02/2026 09:00" in due.output and "2026-02-23T02:00+00:00" in due.output
    assert "28/03/2026 08:30" in cli("due", "2026-03-27 16:00", "2", "--unit", "BHXH-79-SAIGON").output
    bad = cli("due", "tomorrow", "2")
    assert bad.exit_code == 1 and "Thời điểm không hợp lệ" in bad.output and "Invalid time" in bad.output


def test_load_bad_file_exits_with_both_languages(cli, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("units:\n  - {code: X1, kind: centre, parent: NOPE, name: Trung tâm X}\n", "utf-8")
    result = cli("load", str(bad))
    assert result.exit_code == 1
    assert "Lỗi" in result.output and "có 1 lỗi" in result.output and "has 1 error" in result.output
    assert "NOPE" in result.output and "units[0].parent" in result.output
    malformed = tmp_path / "malformed.yaml"
    malformed.write_text("units: [\n", "utf-8")
    result = cli("load", str(malformed))
    assert result.exit_code == 1 and "không phải YAML hợp lệ" in result.output and "line 2" in result.output
    assert cli("load", str(tmp_path / "missing.yaml")).exit_code == 1
