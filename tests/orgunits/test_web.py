"""The JSON API and the staff pages of the orgunits domain."""

from __future__ import annotations

from sqlalchemy import select

from vsscare.core.audit import AuditEntry


def test_api_requires_sign_in_and_permission(client, db, token_for):
    for path in (
        "/api/v1/orgunits",
        "/api/v1/orgunits/CCC",
        "/api/v1/calendar/working-time?start=2026-03-13T16:00&hours=2",
    ):
        response = client.get(path)
        assert response.status_code == 401, path
        body = response.json()
        assert body["code"] == "not_authenticated" and body["message"] and body["message_en"]
    response = client.get("/api/v1/orgunits", headers=token_for())  # a user without roles
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    with db.read() as session:
        denied = session.scalar(select(AuditEntry).where(AuditEntry.action == "permission.denied"))
        assert denied.details["permission"] == "orgunits.view"


def test_api_lists_searches_and_shows_units(client, token_for):
    headers = token_for("agent")
    body = client.get("/api/v1/orgunits", params={"q": "da nang"}, headers=headers).json()
    assert [u["code"] for u in body["items"]] == ["BHXH-48"] and body["total"] == 1
    assert body["items"][0]["parent_code"] == "VSS" and body["items"][0]["province_code"] == "48"
    body = client.get("/api/v1/orgunits", params={"kind": "province", "limit": 10}, headers=headers).json()
    assert body["total"] == 34 and len(body["items"]) == 10
    body = client.get("/api/v1/orgunits", params={"parent": "BHXH-79"}, headers=headers).json()
    assert {u["kind"] for u in body["items"]} == {"grassroots"}

    detail = client.get("/api/v1/orgunits/bhxh-79", headers=headers).json()
    assert detail["code"] == "BHXH-79" and [p["code"] for p in detail["path"]] == ["VSS"]
    assert "BHXH-79-SAIGON" in [c["code"] for c in detail["children"]]
    hours = {d["day"]: d["intervals"] for d in detail["hours"]}
    assert hours["fri"] == [["07:30", "11:30"], ["13:00", "17:00"]] and hours["sun"] == []

    missing = client.get("/api/v1/orgunits/NOPE", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "unit_not_found"
    for params in ({"kind": "galaxy"}, {"province": "7"}, {"limit": 0}):
        bad = client.get("/api/v1/orgunits", params=params, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == "validation_error", params


def test_api_working_time(client, token_for):
    headers = token_for("agent")
    url = "/api/v1/calendar/working-time"
    body = client.get(url, params={"start": "2026-02-13T16:00", "hours": 2}, headers=headers).json()
    assert body["due"] == "2026-02-23T02:00:00Z" and body["due_local"] == "2026-02-23T09:00:00+07:00"
    assert body["unit"] is None
    body = client.get(
        url, params={"start": "2026-03-27T09:00:00Z", "hours": 2, "unit": "79"}, headers=headers
    ).json()
    assert body["due_local"] == "2026-03-28T08:30:00+07:00" and body["unit"] == "BHXH-79"
    assert body["province_code"] == "79"
    for params in (
        {"start": "yesterday", "hours": 1},
        {"start": "2026-03-27T09:00", "hours": -1},
        {"hours": 1},
    ):
        bad = client.get(url, params=params, headers=headers)
        assert bad.status_code == 422 and bad.json()["code"] == "validation_error", params
    unknown = client.get(
        url, params={"start": "2026-03-27T09:00", "hours": 1, "unit": "NOPE"}, headers=headers
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "unit_not_found"


def test_staff_pages(client, token_for):
    anonymous = client.get("/console/units", headers={"accept": "application/json"})
    assert anonymous.status_code == 401
    headers = token_for("agent")
    page = client.get("/console/units", params={"q": "da nang"}, headers=headers)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert 'href="/console/units/BHXH-48"' in page.text and "Đà Nẵng" in page.text
    assert 'href="/console/units/BHXH-79"' not in page.text
    assert "<script" not in page.text.split("</head>")[-1] and "style=" not in page.text
    page = client.get("/console/units", params={"kind": "province", "province": "79"}, headers=headers)
    assert 'href="/console/units/BHXH-79"' in page.text and "BHXH-79-SAIGON" not in page.text
    ignored = client.get("/console/units", params={"kind": "nonsense", "province": "x"}, headers=headers)
    assert ignored.status_code == 200 and "BHXH-01-CAUGIAY" in ignored.text

    detail = client.get("/console/units/BHXH-79-SAIGON", headers=headers)
    assert detail.status_code == 200
    assert "Bảo hiểm xã hội cơ sở Sài Gòn" in detail.text and "13:00–17:00" in detail.text
    assert 'href="/console/units/BHXH-79"' in detail.text  # breadcrumbs
    client.cookies.set("vsscare_lang", "en")
    english = client.get("/console/units/CCC", headers=headers)
    assert "Customer Care Centre" in english.text
    assert client.get("/console/units/NOPE", headers=headers).status_code == 404
