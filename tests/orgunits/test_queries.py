"""Reads: search with and without accents, filters, tree, provinces, calendars from the database."""

from __future__ import annotations

from datetime import datetime

import pytest

from vsscare.core.errors import AppError
from vsscare.orgunits import queries
from vsscare.orgunits.calendar import VN_TZ


def codes(units) -> list[str]:
    return [u.code for u in units]


def test_search_filters_tree_and_provinces(db):
    with db.read() as session:
        for q in ("da nang", "Đà Nẵng", "ĐÀ NẴNG", "bhxh đà nẵng", "thanh pho da nang"):
            total, found = queries.list_units(session, q=q)
            assert codes(found) == ["BHXH-48"], q
        assert "BHXH-79" in codes(queries.list_units(session, q="TP.HCM")[1])
        assert "BHXH-46" in codes(queries.list_units(session, q="hue")[1])  # Huế
        assert codes(queries.list_units(session, q="cham soc khach hang")[1]) == ["CCC"]
        assert codes(queries.list_units(session, q="bhxh-79-sai")[1]) == ["BHXH-79-SAIGON"]
        assert queries.list_units(session, q="100%_")[0] == 0  # LIKE wildcards are literal

        total, provinces = queries.list_units(session, kind="province")
        assert total == 34 and len(provinces) == 34
        _, hcm = queries.list_units(session, province="79")
        assert codes(hcm)[0] == "BHXH-79" and all(u.province_code == "79" for u in hcm) and len(hcm) >= 4
        _, under = queries.list_units(session, parent="BHXH-01")
        assert {u.kind for u in under} == {"grassroots"} and len(under) >= 3
        total, page = queries.list_units(session, limit=5, offset=5)
        assert total > 60 and len(page) == 5

        assert [p.province_code for p in queries.provinces(session)] == sorted(
            p.province_code for p in queries.provinces(session)
        )
        (root,) = queries.tree(session)
        assert root.unit.code == "VSS"
        walked = list(root.walk())
        assert len(walked) == total
        depth = {unit.code: d for d, unit in walked}
        assert (
            depth["VSS"] == 0
            and depth["CCC"] == 1
            and depth["BHXH-01"] == 1
            and depth["BHXH-01-CAUGIAY"] == 2
        )

        unit = queries.get_unit(session, "bhxh-79-saigon")
        assert codes(queries.ancestors(session, unit)) == ["VSS", "BHXH-79"]
        with pytest.raises(AppError) as err:
            queries.get_unit(session, "NOPE")
        assert err.value.code == "unit_not_found" and err.value.status == 404


def test_calendar_for_inherits_hours_and_province_days(db):
    with db.read() as session:
        hours = queries.effective_hours(session, queries.get_unit(session, "BHXH-79-SAIGON"))
        assert hours["mon"] == [["07:30", "11:30"], ["13:00", "17:00"]]  # from BHXH-79
        assert hours["sat"] == [["07:30", "11:30"]]  # its own
        assert hours["sun"] == []  # from the default hours on VSS
        national = queries.calendar_for(session)
        hcm = queries.calendar_for(session, "79")
        saigon = queries.calendar_for(session, "BHXH-79-SAIGON")
        hanoi = queries.calendar_for(session, "BHXH-01")
        with pytest.raises(AppError):
            queries.calendar_for(session, "98")
    friday = datetime(2026, 3, 27, 16, 0, tzinfo=VN_TZ)
    assert national.add(friday, 1) == datetime(2026, 3, 30, 8, 0, tzinfo=VN_TZ)
    assert hanoi.add(friday, 1) == national.add(friday, 1)
    # Ho Chi Minh City works until 17:00 and on the (illustrative) Saturday 28/03/2026.
    assert hcm.add(friday, 1) == datetime(2026, 3, 27, 17, 0, tzinfo=VN_TZ)
    assert hcm.add(friday, 2) == datetime(2026, 3, 28, 8, 30, tzinfo=VN_TZ)
    assert saigon.add(datetime(2026, 3, 20, 17, 0, tzinfo=VN_TZ), 1) == datetime(
        2026, 3, 21, 8, 30, tzinfo=VN_TZ
    )
    tet = datetime(2026, 2, 13, 16, 0, tzinfo=VN_TZ)
    assert national.add(tet, 2) == datetime(2026, 2, 23, 9, 0, tzinfo=VN_TZ)
