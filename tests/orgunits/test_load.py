"""Loading orgunits.yaml: validation, idempotent upserts, events and audit (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import TEST_ACTOR
from vsscare.core.audit import AuditEntry
from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.core.paths import DATA_DIR
from vsscare.core.text import fold
from vsscare.orgunits import actions
from vsscare.orgunits.models import CalendarDay, OrgUnit

SHIPPED = (DATA_DIR / "orgunits.yaml").read_text("utf-8")

SMALL = """
version: 1
default_hours:
  mon-fri: ["07:30-11:30", "13:00-16:30"]
units:
  - {code: VSS, kind: root, name: Bảo hiểm xã hội Việt Nam}
  - {code: CCC, kind: centre, parent: VSS, name: Trung tâm Chăm sóc khách hàng}
  - {code: BHXH-48, kind: province, parent: VSS, province_code: "48", name: Bảo hiểm xã hội thành phố Đà Nẵng}
  - {code: BHXH-48-HAICHAU, kind: grassroots, parent: BHXH-48, name: Bảo hiểm xã hội cơ sở Hải Châu}
"""
DAYS = """calendar:
  - {day: 2026-08-22, kind: work, name: Làm bù}
"""


def small(units: str = "", days: str = "") -> str:
    return SMALL + units + DAYS + days


def _snapshot(db) -> tuple:
    with db.read() as session:
        units = tuple(
            session.execute(
                select(
                    OrgUnit.code, OrgUnit.name, OrgUnit.is_active, OrgUnit.parent_id, OrgUnit.updated_at
                ).order_by(OrgUnit.code)
            ).all()
        )
        days = tuple(
            session.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day)).all()
        )
        events = session.scalar(select(func.count(EventRecord.id)))
        audits = session.scalar(select(func.count(AuditEntry.id)))
    return units, days, events, audits


def test_shipped_tree_is_loaded_and_reloading_changes_nothing(db):
    with db.read() as session:
        units = {u.code: u for u in session.scalars(select(OrgUnit))}
        assert {"VSS", "CCC", "CSBHXH", "VP"} <= set(units)
        provinces = [u for u in units.values() if u.kind == "province"]
        assert len(provinces) == 34
        assert all(u.code == f"BHXH-{u.province_code}" and u.parent_id == units["VSS"].id for u in provinces)
        assert all(u.name_search == fold(u.name) for u in units.values())
        grassroots = [u for u in units.values() if u.kind == "grassroots"]
        assert len([u for u in grassroots if u.province_code == "01"]) >= 3
        assert all(u.code.startswith(f"BHXH-{u.province_code}-") and u.commune for u in grassroots)
        assert units["VSS"].hours["mon"] == [["07:30", "11:30"], ["13:00", "16:30"]]
    before = _snapshot(db)
    with db.session() as session:
        report = actions.load_file(session, DATA_DIR / "orgunits.yaml", TEST_ACTOR)
    assert (report.created, report.updated, report.deactivated) == (0, 0, 0)
    assert report.unchanged == len(units)
    assert not report.changed_anything
    after = _snapshot(db)
    assert after[:3] == before[:3]  # same rows, same timestamps, no new events
    assert after[3] == before[3] + 1  # the load itself is audited


def test_changes_are_reported_with_events_and_audit(db):
    changed = (
        SHIPPED.replace('phone: "0236 3821 346"', 'phone: "0236 3821 999"')
        .replace("name: Bảo hiểm xã hội cơ sở Tam Kỳ", "name: Bảo hiểm xã hội cơ sở Tam Kỳ - Núi Thành")
        .replace("  - code: BHXH-01-SONTAY\n", "  - code: BHXH-01-SONTAY2\n")
        .replace('kind: "work", province: "79"', 'kind: "off", province: "79"')
    )
    assert changed.count("BHXH-01-SONTAY2") == 1
    with db.session() as session:
        report = actions.load_text(session, changed, TEST_ACTOR, source_name="changed.yaml")
    assert report.created_codes == ["BHXH-01-SONTAY2"]
    assert sorted(report.updated_codes) == ["BHXH-48", "BHXH-48-TAMKY"]
    assert report.deactivated_codes == ["BHXH-01-SONTAY"]
    assert (report.days_added, report.days_changed, report.days_removed) == (0, 1, 0)
    assert "1 mới, 2 thay đổi" in report.summary()
    with db.read() as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "BHXH-48-TAMKY"))
        assert unit.name_search == "bao hiem xa hoi co so tam ky - nui thanh"
        types = dict(
            session.execute(
                select(EventRecord.subject_id, EventRecord.type)
                .where(EventRecord.subject_type == "org_unit")
                .order_by(EventRecord.id)
            ).all()
        )
        assert types[str(unit.id)] == "orgunit.changed"
        change = session.scalar(
            select(EventRecord).where(
                EventRecord.type == "orgunit.changed", EventRecord.subject_id == str(unit.id)
            )
        )
        assert change.data["changes"]["name"][1].endswith("Núi Thành") and change.actor == "system"
        assert session.scalar(select(func.count()).where(EventRecord.type == "orgunit.deactivated")) == 1
        day = session.scalar(
            select(EventRecord).where(EventRecord.type == "calendar_day.set").order_by(EventRecord.id.desc())
        )
        assert day.data["previous_kind"] == "work" and day.subject_id == "2026-03-28/79"
        entry = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "orgunits.load").order_by(AuditEntry.id.desc())
        )
        assert entry.details["created"] == ["BHXH-01-SONTAY2"] and len(entry.details["sha256"]) == 64
    # Loading the original again reactivates the unit that came back.
    with db.session() as session:
        report = actions.load_text(session, SHIPPED, TEST_ACTOR)
    assert "BHXH-01-SONTAY" in report.updated_codes and report.deactivated_codes == ["BHXH-01-SONTAY2"]
    with db.read() as session:
        assert session.scalar(select(OrgUnit.is_active).where(OrgUnit.code == "BHXH-01-SONTAY")) is True


def test_prune_and_keep_missing(db):
    with db.session() as session:
        kept = actions.load_text(session, small(), TEST_ACTOR, prune=False)
    # Units in the file become exactly what it says (addresses dropped here); nothing else is touched.
    assert kept.deactivated == 0 and kept.days_removed == 0 and kept.updated == 4 and kept.days_changed == 1
    # Without pruning a partial file may hang units under parents that are only in the database.
    extra = "units:\n" + _unit("BHXH-79-NEW", kind="grassroots", parent="BHXH-79")
    with db.session() as session:
        added = actions.load_text(session, extra, TEST_ACTOR, prune=False)
    assert added.created_codes == ["BHXH-79-NEW"]
    with db.session() as session:
        pruned = actions.load_text(session, small(), TEST_ACTOR)
    assert pruned.deactivated > 60 and "BHXH-79-NEW" in pruned.deactivated_codes
    assert pruned.days_removed == 7  # every day but 2026-08-22
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(OrgUnit).where(OrgUnit.is_active)) == 4
        assert list(session.scalars(select(CalendarDay.day))) == [date(2026, 8, 22)]


def _unit(code: str, kind: str = "department", parent: str | None = "VSS", **extra: str) -> str:
    fields = {"code": code, "kind": kind, "name": f"Đơn vị {code}", **extra}
    if parent:
        fields["parent"] = parent
    return "  - {" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}\n"


BAD_FILES = {
    "malformed yaml": ("units: [\n  - {code: VSS", "orgunits_file_malformed", None),
    "not a mapping": ("- just\n- a list\n", "orgunits_file_invalid", None),
    "unknown parent": (small(_unit("XYZ", parent="NOPE")), "orgunits_file_invalid", "NOPE"),
    "duplicate code": (small(_unit("CCC")), "orgunits_file_invalid", "duplicate"),
    "bad hours": (
        small().replace('mon-fri: ["07:30-11:30", "13:00-16:30"]', 'mon-fri: ["11:30-07:30"]'),
        "orgunits_file_invalid",
        "start must be before end",
    ),
    "bad unit hours": (
        small(
            "  - {code: X1, kind: centre, parent: VSS, name: Trung tâm X, hours: {fun: ['08:00-09:00']}}\n"
        ),
        "orgunits_file_invalid",
        "unknown weekday",
    ),
    "cycle": (
        small(_unit("AAA", parent="BBB") + _unit("BBB", parent="AAA")),
        "orgunits_file_invalid",
        "cycle",
    ),
    "grassroots code": (
        small(_unit("BHXH-01-X", kind="grassroots", parent="BHXH-48")),
        "orgunits_file_invalid",
        "BHXH-48-",
    ),
    "unknown province day": (
        small(days="  - {day: 2026-03-28, kind: work, province: '99', name: Làm bù}\n"),
        "orgunits_file_invalid",
        "99",
    ),
    "bad phone": (small(_unit("TEL", phone="'12345'")), "orgunits_file_invalid", "phone"),
    "unknown field": (small(_unit("ODD", colour="red")), "orgunits_file_invalid", "colour"),
}


def test_bad_files_are_refused_clearly_and_change_nothing(db):
    before = _snapshot(db)
    for label, (text, code, needle) in BAD_FILES.items():
        with pytest.raises(AppError) as err, db.session() as session:
            actions.load_text(session, text, TEST_ACTOR, source_name="bad.yaml")
        exc = err.value
        assert exc.code == code, label
        assert exc.message != exc.message_en and "bad.yaml" in exc.message and "bad.yaml" in exc.message_en
        if needle:
            assert needle in str(exc.details), (label, exc.details)
            first = exc.details["errors"][0]
            assert first["line"] > 1, (label, first)
    assert _snapshot(db) == before


def test_errors_name_the_unit_and_line():
    with pytest.raises(AppError) as err:
        actions.parse(small().replace('province_code: "48"', 'province_code: "4x"'), "f.yaml")
    problem = err.value.details["errors"][0]
    assert problem["unit"] == "BHXH-48" and problem["where"] == "units[2].province_code"
    assert (
        problem["line"]
        == SMALL.splitlines().index(next(x for x in SMALL.splitlines() if "BHXH-48," in x)) + 1
    )
    with pytest.raises(AppError) as err:
        actions.load_file(None, "/nonexistent/orgunits.yaml")
    assert err.value.code == "orgunits_file_not_found"
