"""The REST API under /api/v1/ (OpenAPI: /api/v1/openapi.json, docs: /api/v1/docs).

Each app declares its routers in its `contrib.py` (liuke.core.registry); they are added here in
layer order.
"""

from __future__ import annotations

from ninja import NinjaAPI

from liuke.accounts.api_auth import StaffSessionAuth, StaffTokenAuth
from liuke.core.api import JsonBodyParser, install_error_handlers
from liuke.core.registry import import_dotted, registry

api = NinjaAPI(
    title="Liuke API",
    version="1",
    description="Customer management for beauty salons. Errors share one shape: "
    '`{"code": ..., "message": ..., "fields": {...}}`; codes are stable.',
    urls_namespace="api-v1",
    auth=[StaffTokenAuth(), StaffSessionAuth()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=JsonBodyParser(),
)
install_error_handlers(api)
for mount in registry.items("api"):
    api.add_router(mount.prefix, import_dotted(mount.router))
