"""The one exception type that services raise for bad input or a refused action.

It carries a machine code, a Chinese message for the UI and an English one for API clients,
and the field or row it is about, so every caller can show it without guessing.
"""


class ServiceError(Exception):
    status = 400

    def __init__(self, code: str, message: str, message_en: str = "", *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_en = message_en or message
        self.field = field

    @property
    def localized(self) -> str:
        """The message in the page's language: Chinese, or English when the user chose it."""
        from django.utils.translation import get_language

        return self.message_en if (get_language() or "").startswith("en") else self.message

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message, "message_en": self.message_en}
        if self.field:
            data["field"] = self.field
        return data


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class Forbidden(ServiceError):
    status = 403
