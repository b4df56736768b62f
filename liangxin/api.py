"""The JSON API under /api/v1/: a thin adapter over services and selectors.

Machine clients authenticate with `Authorization: Bearer <token>`; a logged-in browser
session works too (with its CSRF token). Errors are JSON with a machine code and both
a Chinese and an English message.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer, django_auth

from liangxin.accounts.services import api_token_authenticate
from liangxin.core.errors import ServiceError


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="liangxin API",
    version="1",
    description="两新工作平台 JSON API。Authentication: `Authorization: Bearer <token>` (tokens from /account/tokens/ "
    "or `liangxin token-create`), or a browser session.",
    auth=[BearerToken(), django_auth],
    urls_namespace="api-v1",
)


def _error(request, status: int, code: str, message: str, message_en: str, **extra):
    return api.create_response(
        request, {"code": code, "message": message, "message_en": message_en, **extra}, status=status
    )


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", "未找到", "not found")


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "无权访问", "permission denied")


@api.exception_handler(AuthenticationError)
def unauthorized(request, exc):
    return _error(request, 401, "unauthorized", "未登录或令牌无效", "missing or invalid credentials")


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    return _error(request, 422, "invalid_input", "输入有误", "invalid input", errors=exc.errors)


def _register_routers() -> None:
    from liangxin.accounts.api import router as accounts_router
    from liangxin.audit.api import router as audit_router
    from liangxin.plans.api import router as plans_router
    from liangxin.regions.api import router as regions_router
    from liangxin.subsidies.api import public_router
    from liangxin.subsidies.api import router as subsidies_router
    from liangxin.tracking.api import router as tracking_router

    api.add_router("/", accounts_router)
    api.add_router("/regions", regions_router)
    api.add_router("/regions", audit_router)
    api.add_router("/", plans_router)
    api.add_router("/", subsidies_router)
    api.add_router("/public", public_router)
    api.add_router("/", tracking_router)


_register_routers()
