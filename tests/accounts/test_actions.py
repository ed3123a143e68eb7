from datetime import timedelta

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD, TEST_ACTOR
from vsscare.accounts import actions, queries
from vsscare.accounts.models import StaffSession, User
from vsscare.accounts.principal import scope_clause
from vsscare.core.audit import AuditEntry
from vsscare.core.db import utcnow
from vsscare.core.errors import AppError
from vsscare.core.events import EventRecord
from vsscare.orgunits.models import OrgUnit


def _login(db, settings, username, password=PASSWORD):
    with db.session() as session:
        result = actions.login(session, settings, username, password)
    return result


def test_create_user_hashes_password_and_records_event_and_audit(db, make_user):
    name = make_user("agent", unit="BHXH-79")
    with db.read() as session:
        user = queries.user_by_username(session, name)
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash
        assert [r.role_code for r in user.roles] == ["agent"]
        event = session.scalar(select(EventRecord).where(EventRecord.type == "user.created"))
        assert event.data["username"] == name and event.subject_id == str(user.id)
        assert session.scalar(select(AuditEntry).where(AuditEntry.action == "user.create")) is not None


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"username": "Bad Name!"}, "username_invalid"),
        ({"password": "short1"}, "password_weak"),
        ({"password": "onlyletterslong"}, "password_weak"),
        ({"roles": ["wizard"]}, "role_not_found"),
        ({"org_unit_code": "NOPE"}, "unit_not_found"),
    ],
)
def test_create_user_rejects_bad_input_and_changes_nothing(db, kwargs, code):
    args = {"username": "newuser", "full_name": "New", "password": PASSWORD, "roles": ["agent"], **kwargs}
    with pytest.raises(AppError) as err, db.session() as session:
        actions.create_user(session, TEST_ACTOR, **args)
    assert err.value.code == code
    assert err.value.message and err.value.message_en and err.value.message != err.value.message_en
    with db.read() as session:
        assert session.scalar(select(User).where(User.username == "newuser")) is None


def test_duplicate_username_is_refused(db, make_user):
    name = make_user("agent")
    with pytest.raises(AppError) as err, db.session() as session:
        actions.create_user(
            session, TEST_ACTOR, username=name.upper(), full_name="X", password=PASSWORD, roles=["agent"]
        )
    assert err.value.code == "username_taken"


def test_login_opens_session_and_audits(db, settings, make_user):
    name = make_user("agent")
    result = _login(db, settings, name)
    assert result.error is None and result.token and result.csrf_token
    with db.read() as session:
        found = actions.resolve_session(session, settings, result.token)
        assert found is not None and found[0].username == name
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "login")).all()
        assert [a.outcome for a in audit] == ["ok"]


def test_every_login_gets_a_new_session_token(db, settings, make_user):
    name = make_user("agent")
    assert _login(db, settings, name).token != _login(db, settings, name).token


def test_wrong_password_counts_and_locks_after_limit(db, settings, make_user):
    name = make_user("agent")
    for _ in range(settings.login_max_failures):
        assert _login(db, settings, name, "wrong-password-1").error.code == "invalid_credentials"
    locked = _login(db, settings, name)  # right password, but locked now
    assert locked.error.code == "account_locked" and locked.token is None
    assert locked.params["minutes"] >= 1
    with db.read() as session:
        outcomes = [
            a.outcome for a in session.scalars(select(AuditEntry).where(AuditEntry.action == "login"))
        ]
        assert outcomes.count("failed") == settings.login_max_failures and outcomes[-1] == "denied"
        assert session.scalar(select(EventRecord).where(EventRecord.type == "user.locked")) is not None
    with db.session() as session:  # the lock runs out
        session.execute(
            update(User).where(User.username == name).values(locked_until=utcnow() - timedelta(1))
        )
    assert _login(db, settings, name).error is None


def test_unknown_user_and_disabled_user_cannot_login(db, settings, make_user):
    assert _login(db, settings, "ghost").error.code == "invalid_credentials"
    name = make_user("agent")
    with db.session() as session:
        actions.disable_user(session, TEST_ACTOR, name)
    assert _login(db, settings, name).error.code == "invalid_credentials"


def test_disable_ends_sessions_and_tokens(db, settings, make_user):
    name = make_user("agent")
    token = _login(db, settings, name).token
    with db.session() as session:
        _row, raw = actions.create_api_token(session, TEST_ACTOR, name, "crm")
    with db.read() as session:
        assert actions.resolve_api_token(session, raw) is not None
    with db.session() as session:
        actions.disable_user(session, TEST_ACTOR, name)
    with db.read() as session:
        assert actions.resolve_session(session, settings, token) is None
        assert actions.resolve_api_token(session, raw) is None


def test_session_idle_and_absolute_expiry(db, settings, make_user):
    name = make_user("agent")
    token = _login(db, settings, name).token
    with db.session() as session:
        session.execute(
            update(StaffSession).values(
                last_seen_at=utcnow() - timedelta(minutes=settings.session_idle_minutes + 1)
            )
        )
    with db.read() as session:
        assert actions.resolve_session(session, settings, token) is None
    token = _login(db, settings, name).token
    with db.session() as session:
        session.execute(update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    with db.read() as session:
        assert actions.resolve_session(session, settings, token) is None
        assert actions.resolve_session(session, settings, "x" * 500) is None


def test_change_password_checks_and_revokes_other_sessions(db, settings, make_user):
    name = make_user("agent")
    keep = _login(db, settings, name).token
    other = _login(db, settings, name).token
    with db.read() as session:
        user, keep_session = actions.resolve_session(session, settings, keep)
    new = "Doi-matkhau-2027"
    for current, new_, confirm, code in [
        ("nope", new, new, "password_wrong"),
        (PASSWORD, new, new + "x", "password_mismatch"),
        (PASSWORD, "abc", "abc", "password_weak"),
    ]:
        with pytest.raises(AppError) as err, db.session() as session:
            actions.change_password(
                session, settings, user.id, current, new_, confirm, keep_session=keep_session.id
            )
        assert err.value.code == code
    with db.session() as session:
        actions.change_password(session, settings, user.id, PASSWORD, new, new, keep_session=keep_session.id)
    with db.read() as session:
        assert actions.resolve_session(session, settings, keep) is not None
        assert actions.resolve_session(session, settings, other) is None
    assert _login(db, settings, name, new).error is None


def test_api_token_lifecycle(db, make_user):
    name = make_user("agent")
    with db.session() as session:
        row, raw = actions.create_api_token(session, TEST_ACTOR, name, "zalo bridge", expires_days=30)
        prefix = row.prefix
    assert raw.startswith(f"vss_{prefix}_")
    with db.read() as session:
        assert actions.resolve_api_token(session, raw)[0].username == name
        assert actions.resolve_api_token(session, raw[:-1] + "x") is None
        assert actions.resolve_api_token(session, "garbage") is None
    with db.session() as session:
        actions.revoke_api_token(session, TEST_ACTOR, prefix)
    with db.read() as session:
        assert actions.resolve_api_token(session, raw) is None
    with pytest.raises(AppError) as err, db.session() as session:
        actions.revoke_api_token(session, TEST_ACTOR, "ffffffff")
    assert err.value.code == "token_not_found"


def test_principal_scope_limits_provinces(db, make_user):
    hcm = make_user("agent", unit="BHXH-79")
    admin = make_user("admin", unit="CCC")
    central = make_user("agent", unit="CCC")
    with db.read() as session:
        p_hcm = queries.principal_for(session, queries.user_by_username(session, hcm))
        p_admin = queries.principal_for(session, queries.user_by_username(session, admin))
        p_central = queries.principal_for(session, queries.user_by_username(session, central))
        assert p_hcm.provinces == frozenset({"79"})
        assert p_admin.provinces is None
        assert p_central.provinces == frozenset()
        assert p_hcm.can_see_province("79") and not p_hcm.can_see_province("01")
        assert p_hcm.can_see_province(None)
        visible = set(
            session.scalars(
                select(OrgUnit.province_code).where(
                    OrgUnit.kind == "province", scope_clause(p_hcm, OrgUnit.province_code)
                )
            )
        )
        assert visible == {"79"}
        assert "agent" in p_hcm.roles and p_hcm.has("requests.work") and not p_hcm.has("users.manage")


def test_extra_scope_grants_another_province(db, make_user):
    from vsscare.accounts.models import UserScope

    name = make_user("agent", unit="BHXH-79")
    with db.session() as session:
        user = queries.user_by_username(session, name)
        unit_id = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "BHXH-01"))
        session.add(UserScope(user_id=user.id, org_unit_id=unit_id))
    with db.read() as session:
        principal = queries.principal_for(session, queries.user_by_username(session, name))
        assert principal.provinces == frozenset({"79", "01"})


def test_sync_roles_is_idempotent_and_admin_has_everything(db):
    with db.session() as session:
        assert actions.sync_roles(session) == ([], [])
        grants = queries.role_grants(session)
        all_perms = {p.code for p in queries.permissions(session)}
    assert set(grants["admin"]) == all_perms
    assert {
        "agent",
        "supervisor",
        "knowledge_editor",
        "knowledge_approver",
        "unit_handler",
        "provincial_admin",
        "auditor",
        "admin",
    } <= set(grants)
