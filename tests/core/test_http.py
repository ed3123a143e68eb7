from fastapi import Query
from fastapi.testclient import TestClient

from vsscare.app import create_app
from vsscare.core.config import Settings
from vsscare.core.db import Database


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_readyz_fails_when_database_is_gone(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db", data_dir=tmp_path)
    db = Database(settings.database_url)  # empty database: no schema
    with TestClient(create_app(settings, db)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "unavailable" and body["message"] and body["message_en"]


def test_readyz_fails_when_postgres_is_unreachable(tmp_path):
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["details"]["database"]


def test_error_shapes_for_api(app):
    @app.get("/api/v1/_probe")
    def probe(n: int = Query(..., ge=1)) -> dict:
        return {"n": n}

    @app.get("/api/v1/_boom")
    def boom() -> dict:
        raise RuntimeError("secret internals")

    with TestClient(app, raise_server_exceptions=False) as client:
        missing = client.get("/api/v1/nothing-here")
        assert missing.status_code == 404
        assert set(missing.json()) == {"code", "message", "message_en", "details"}
        assert missing.json()["code"] == "not_found"

        invalid = client.get("/api/v1/_probe", params={"n": "abc"})
        assert invalid.status_code == 422
        body = invalid.json()
        assert body["code"] == "validation_error" and body["message"].startswith("Dữ liệu")
        assert body["details"]["errors"][0]["loc"] == ["query", "n"]

        wrong_method = client.delete("/healthz")
        assert wrong_method.status_code == 405 and wrong_method.json()["code"] == "method_not_allowed"

        crash = client.get("/api/v1/_boom", headers={"X-Request-ID": "abc123"})
        assert crash.status_code == 500
        assert crash.json()["code"] == "internal_error"
        assert "secret internals" not in crash.text and "abc123" in crash.json()["message"]


def test_request_id_and_security_headers(client):
    response = client.get("/healthz", headers={"X-Request-ID": "trace-1"})
    assert response.headers["x-request-id"] == "trace-1"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32


def test_openapi_and_local_docs(client):
    schema = client.get("/openapi.json").json()
    assert schema["info"]["title"] == "vsscare"
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower()
