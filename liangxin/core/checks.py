"""System checks that stop a deployment from running on development defaults."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_production_keys(app_configs, **kwargs):
    errors = []
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        errors.append(
            Error(
                "SECRET_KEY 仍是开发默认值，生产环境必须通过环境变量设置 (SECRET_KEY is the development default).",
                id="liangxin.E001",
            )
        )
    if settings.PII_HASH_KEY == settings.DEV_PII_HASH_KEY:
        errors.append(
            Error(
                "LIANGXIN_PII_HASH_KEY 仍是开发默认值 (the personal-identifier hash key is the development default).",
                id="liangxin.E002",
            )
        )
    if settings.PII_HASH_KEY == settings.SECRET_KEY:
        errors.append(
            Error(
                "LIANGXIN_PII_HASH_KEY 必须与 SECRET_KEY 不同 (the identifier hash key must differ from SECRET_KEY).",
                id="liangxin.E003",
            )
        )
    if settings.DEBUG:
        errors.append(Error("生产环境不得开启 DEBUG (DEBUG must be off in production).", id="liangxin.E004"))
    return errors
