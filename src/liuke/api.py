"""The REST API under /api/v1/ (OpenAPI: /api/v1/openapi.json, docs: /api/v1/docs)."""

from __future__ import annotations

from ninja import NinjaAPI

from liuke.accounts.api import router as accounts_router
from liuke.accounts.api_auth import StaffSessionAuth, StaffTokenAuth
from liuke.analytics.api import router as analytics_router
from liuke.audit.api import router as audit_router
from liuke.complaints.api import router as complaints_router
from liuke.core.api import install_error_handlers
from liuke.customers.api import access_router
from liuke.customers.api import router as customers_router
from liuke.engagement.api import router as engagement_router
from liuke.feedback.api import router as feedback_router
from liuke.sales.api import router as sales_router

api = NinjaAPI(
    title="Liuke API",
    version="1",
    description="Customer management for beauty salons. Errors share one shape: "
    '`{"code": ..., "message": ..., "fields": {...}}`; codes are stable.',
    urls_namespace="api-v1",
    auth=[StaffTokenAuth(), StaffSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("/customers", customers_router)
api.add_router("/", access_router)
api.add_router("/", accounts_router)
api.add_router("/", sales_router)
api.add_router("/engagement", engagement_router)
api.add_router("/", analytics_router)
api.add_router("/", audit_router)
api.add_router("/", complaints_router)
api.add_router("/feedback", feedback_router)
