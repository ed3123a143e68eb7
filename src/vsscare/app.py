"""The web application: ``create_app(settings)`` mounts every domain's router."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from vsscare import __version__
from vsscare.core.config import Settings
from vsscare.core.db import Database
from vsscare.core.errors import UNAVAILABLE, AppError
from vsscare.core.logging import setup_logging
from vsscare.core.migrate import is_current
from vsscare.core.web import PACKAGE, RequestContext, install_error_handlers, make_templates


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    settings = settings or Settings()
    owns_db = db is None
    db = db or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        yield
        if owns_db:
            db.dispose()

    app = FastAPI(
        title="vsscare",
        version=__version__,
        description="Chăm sóc khách hàng BHXH Việt Nam / Vietnam Social Security customer care",
        docs_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = db
    app.state.templates = make_templates(settings)
    app.add_middleware(RequestContext, settings=settings)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=str(PACKAGE / "static")), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs():
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="vsscare API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.get("/healthz", tags=["system"])
    def healthz() -> dict:
        """The process is up."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz", tags=["system"])
    def readyz(request: Request) -> JSONResponse:
        """The database answers and its schema is current."""
        try:
            request.app.state.db.ping()
            current = is_current(request.app.state.db)
        except Exception as exc:  # any driver error means not ready
            raise AppError(UNAVAILABLE, details={"database": type(exc).__name__}) from exc
        if not current:
            raise AppError(UNAVAILABLE, details={"database": "schema not current"})
        return JSONResponse({"status": "ready"})

    from vsscare.accounts import api as accounts_api
    from vsscare.accounts import views as accounts_views
    from vsscare.answering import api as answering_api
    from vsscare.answering import views as answering_views
    from vsscare.console import audit_api as console_audit_api
    from vsscare.console import jobs as console_jobs
    from vsscare.console import ui as console_ui
    from vsscare.console import views as console_views
    from vsscare.customers import api as customers_api
    from vsscare.customers import privacy_api as customers_privacy_api
    from vsscare.customers import selfservice_api as customers_selfservice_api
    from vsscare.customers import views as customers_views
    from vsscare.knowledge import api as knowledge_api
    from vsscare.knowledge import bank_views as knowledge_bank_views
    from vsscare.knowledge import entry_api as knowledge_entry_api
    from vsscare.knowledge import entry_views as knowledge_entry_views
    from vsscare.knowledge import public_views as knowledge_public_views
    from vsscare.knowledge import views as knowledge_views
    from vsscare.orgunits import api as orgunits_api
    from vsscare.orgunits import views as orgunits_views
    from vsscare.requests import admin_views as requests_admin_views
    from vsscare.requests import api as requests_api
    from vsscare.requests import public_views as requests_public_views
    from vsscare.requests import unit_views as requests_unit_views
    from vsscare.requests import unit_views_leadership as requests_leadership_views
    from vsscare.requests import unit_views_sla as requests_sla_views
    from vsscare.requests import views as requests_views

    modules = (
        accounts_views,
        accounts_api,
        console_views,
        console_jobs,
        orgunits_api,
        orgunits_views,
        knowledge_api,
        knowledge_entry_api,
        knowledge_views,
        knowledge_bank_views,  # before entry_views: /console/knowledge/import is not an entry code
        answering_views,  # before entry_views: /console/knowledge/gaps and /try are not entry codes
        knowledge_entry_views,
        knowledge_public_views,
        answering_api,
        requests_api,
        requests_views,
        requests_unit_views,
        requests_leadership_views,
        requests_admin_views,
        requests_sla_views,
        requests_public_views,
        customers_privacy_api,  # before customers_api: /api/v1/customers/merge is not a customer id
        customers_api,
        customers_selfservice_api,
        customers_views,
        console_audit_api,
    )
    for module in modules:
        app.include_router(module.router)
    # After every router: the navigation links only pages that exist.
    console_ui.install(app, [*app.router.routes, *(r for m in modules for r in m.router.routes)])
    return app


def app_from_env() -> FastAPI:
    """Entry point for ``uvicorn --factory`` (``vsscare serve``); starts building the answering
    index at once rather than on the first question."""
    from vsscare.answering.service import warm_up

    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    app = create_app(settings)
    warm_up(app.state.db)
    return app
