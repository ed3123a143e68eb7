"""Province scoping over every route that returns personal data: a provincial officer holding every
customer permission cannot list, open, search, look up, reveal, export, merge or anonymise another
province's customer, nor open that customer's requests (both backends). The table must name every
customer route the application has, so a new route cannot slip past it."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute

from tests.conftest import TEST_ACTOR, login
from tests.requests.conftest import new_request
from tests.web.helpers import page_csrf
from vsscare.accounts import actions as accounts
from vsscare.core.events import Actor
from vsscare.customers import actions as customers
from vsscare.customers.schemas import PersonIn
from vsscare.requests import actions as requests

THEIRS = {"name": "Lê Văn Sáu", "birth_date": "1980-02-01", "gender": "male", "si_code": "7912345670",
          "cccd": "079080001234", "phone": "0908111222", "province": "79"}  # fmt: skip
OURS = {"name": "Phạm Minh Châu", "province": "01", "si_code": "0192345678"}

# (method, path, JSON body or form) → what an officer of province 01 gets for the customer of 79.
API = [
    ("GET", "/api/v1/customers/{id}", None),
    ("POST", "/api/v1/customers/{id}/identities", {"kind": "zalo", "value": "77001234"}),
    ("POST", "/api/v1/customers/{id}/reveal", {"field": "cccd", "reason": "Kiểm tra phạm vi"}),
    ("POST", "/api/v1/customers/{id}/export", {"reason": "Kiểm tra phạm vi"}),
    ("POST", "/api/v1/customers/{id}/anonymise", {"reason": "Kiểm tra phạm vi", "confirm": True}),
    ("POST", "/api/v1/customers/merge", {"source_id": "{id}", "target_id": "{ours}", "reason": "Kiểm tra"}),
    ("GET", "/api/v1/requests/{code}", None),
]
PAGES = [
    ("GET", "/console/customers/{id}", None),
    ("GET", "/console/customers/{id}/registry", None),
    ("POST", "/console/customers/{id}/reveal", {"field": "cccd", "reason": "Kiểm tra phạm vi"}),
    ("POST", "/console/customers/{id}/identities", {"kind": "zalo", "value": "77001234"}),
    ("GET", "/console/requests/{code}", None),
]
LISTS = [  # routes that list: the other province's customer is simply absent
    ("/api/v1/customers", {"q": "le van sau"}),
    ("/api/v1/customers/lookup", {"si_code": "7912345670"}),
    ("/api/v1/customers/lookup", {"cccd": "079080001234"}),
    ("/api/v1/customers/lookup", {"phone": "0908111222"}),
    ("/console/customers", {"q": "le van sau"}),
    ("/console/customers", {"by": "si_code", "value": "7912345670"}),
    ("/console/customers", {"by": "phone", "value": "0908111222"}),
]
# Routes with no customer of their own: the verified person's data, for channel tokens.
NOT_PROVINCIAL = {"/api/v1/self-service/"}


@pytest.fixture
def world(db, ring, make_user):
    with db.session() as session:
        theirs = customers.create_person(session, TEST_ACTOR, PersonIn.model_validate(THEIRS), ring)
        ours = customers.create_person(session, TEST_ACTOR, PersonIn.model_validate(OURS), ring)
        data = new_request(customer_id=theirs.id, province="79", contact_phone="0908111222")
        request = requests.create(session, Actor.system("tests"), data, auto_assign=False, ring=ring)
        ids = {"id": str(theirs.id), "ours": str(ours.id), "code": request.code}
    officer = make_user("agent", "data_protection", unit="BHXH-01")
    with db.session() as session:
        _row, raw = accounts.create_api_token(session, TEST_ACTOR, officer, "tests")
    return ids, officer, {"Authorization": f"Bearer {raw}"}


def _refusal(path: str) -> int:
    """Customers of another province do not exist for the officer; another province's request is
    refused by name (the requests domain says why, without showing it)."""
    return 403 if "requests" in path else 404


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value.startswith("{") else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def test_every_customer_route_is_in_the_table(app):
    named = {path for _m, path, _b in API + PAGES} | {path for path, _p in LISTS}
    routes = {r.path for r in app.routes if isinstance(r, APIRoute)}
    customer_routes = {p for p in routes if p.startswith(("/api/v1/customers", "/console/customers"))}
    assert customer_routes <= {p.replace("{id}", "{customer_id}") for p in named}, customer_routes - {
        p.replace("{id}", "{customer_id}") for p in named
    }
    assert all(any(p.startswith(prefix) for prefix in NOT_PROVINCIAL) for p in routes if "self-service" in p)


@pytest.mark.parametrize(("method", "path", "body"), API)
def test_api_routes_hide_another_provinces_customer(client, world, method, path, body):
    ids, _officer, token = world
    response = client.request(method, _fill(path, ids), json=_fill(body, ids), headers=token)
    assert response.status_code == _refusal(path), response.text
    assert "7912345670" not in response.text and "079080001234" not in response.text


@pytest.mark.parametrize(("method", "path", "body"), PAGES)
def test_pages_hide_another_provinces_customer(client, world, method, path, body):
    ids, officer, _token = world
    login(client, officer)
    url = _fill(path, ids)
    if method == "GET":
        response = client.get(url)
    else:
        data = _fill(body, ids) | {"csrf_token": page_csrf(client, "/console/customers")}
        response = client.post(url, data=data)
    assert response.status_code == _refusal(path), response.text
    assert "Lê Văn Sáu" not in response.text and "7912345670" not in response.text
    assert "0908111222" not in response.text and "908111222" not in response.text


@pytest.mark.parametrize(("path", "params"), LISTS)
def test_lists_and_lookups_leave_another_provinces_customer_out(client, world, path, params):
    ids, officer, token = world
    if path.startswith("/console"):
        login(client, officer)
        response = client.get(path, params=params)
    else:
        response = client.get(path, params=params, headers=token)
    assert response.status_code == 200, response.text
    assert "Lê Văn Sáu" not in response.text and f"/console/customers/{ids['id']}" not in response.text
    if path.startswith("/api"):
        assert response.json() == []
