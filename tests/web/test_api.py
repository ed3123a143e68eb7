"""The accounts API with API tokens and session cookies."""

from __future__ import annotations

from tests.conftest import TEST_ACTOR, login
from vsscare.accounts import actions


def make_token(db, username: str) -> tuple[str, str]:
    with db.session() as session:
        token, raw = actions.create_api_token(session, TEST_ACTOR, username, "tích hợp thử")
        return token.prefix, raw


def test_me_with_bearer_token_then_revoked(client, make_user, db):
    username = make_user("supervisor", unit="BHXH-79")
    prefix, raw = make_token(db, username)
    headers = {"Authorization": f"Bearer {raw}"}
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == username and body["via_token"] is True
    assert "supervisor" in body["roles"] and "reports.view" in body["permissions"]
    assert body["provinces"] == ["79"]

    with db.session() as session:
        actions.revoke_api_token(session, TEST_ACTOR, prefix)
    revoked = client.get("/api/v1/me", headers=headers)
    assert revoked.status_code == 401
    error = revoked.json()
    assert set(error) == {"code", "message", "message_en", "details"}
    assert error["code"] == "not_authenticated" and error["message"] and error["message_en"]

    garbage = client.get("/api/v1/me", headers={"Authorization": "Bearer vss_nope_nope"})
    assert garbage.status_code == 401


def test_me_with_session_cookie(client, make_user):
    username = make_user("admin")
    login(client, username)
    body = client.get("/api/v1/me").json()
    assert body["username"] == username and body["provinces"] is None and body["via_token"] is False


def test_users_needs_permission_and_is_scoped(client, make_user, db):
    hcm_admin = make_user("provincial_admin", unit="BHXH-79")
    hcm_agent = make_user("agent", unit="BHXH-79-SAIGON")
    hanoi_agent = make_user("agent", unit="BHXH-01")
    national = make_user("agent", unit=None)

    _, admin_token = make_token(db, hcm_admin)
    listed = client.get("/api/v1/users", headers={"Authorization": f"Bearer {admin_token}"})
    assert listed.status_code == 200
    names = {u["username"] for u in listed.json()}
    assert {hcm_admin, hcm_agent, national} <= names and hanoi_agent not in names
    row = next(u for u in listed.json() if u["username"] == hcm_agent)
    assert row["org_unit"] == "BHXH-79-SAIGON" and row["roles"] == ["agent"] and row["is_active"] is True

    _, agent_token = make_token(db, hanoi_agent)
    denied = client.get("/api/v1/users", headers={"Authorization": f"Bearer {agent_token}"})
    assert denied.status_code == 403 and denied.json()["details"] == {"permission": "users.view"}
    assert client.get("/api/v1/users").status_code == 401


def test_openapi_documents_the_accounts_api(bare_client):
    paths = bare_client.get("/openapi.json").json()["paths"]
    assert "/api/v1/me" in paths and "/api/v1/users" in paths
    assert "/login" not in paths and "/console/users" not in paths
