"""The page's language, and text that stays Chinese whatever it is.

Choice labels and verbose names are lazy translations (see docs/decisions/i18n-chinese-source-strings.md),
so they follow the language of the request that reads them. What is stored (audit entries, ledger memos,
delivery records), sent to people (reminders, 督办), written as an official document (the 通报), put in the
Chinese `message` of a ServiceError or returned by the API stays Chinese: build it with `chinese()` or
inside `in_chinese()`.
"""

from django.conf import settings
from django.utils import translation


def is_english() -> bool:
    """True when the active language (the page's) is English."""
    return (translation.get_language() or "").startswith("en")


def localized(text: str, text_en: str) -> str:
    """Pick the Chinese or the English of a pair that is not in the catalogue (e.g. computed results)."""
    return text_en if is_english() else text


def in_chinese():
    """A context in which every translation is the Chinese source text."""
    return translation.override(settings.LANGUAGE_CODE)


def chinese(text) -> str:
    """`text` (a lazy label, a verbose name) as Chinese, whatever the page's language."""
    with in_chinese():
        return str(text)


def chinese_display(instance, field: str) -> str:
    """`instance.get_<field>_display()` in Chinese, whatever the page's language."""
    with in_chinese():
        return getattr(instance, f"get_{field}_display")()
