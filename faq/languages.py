"""The site's two languages: which one a URL is in, and the route names of each.

The URL alone decides the language (issue 10): English pages stay where they
were, Spanish pages live under /es/ with Spanish route words. No cookie and no
Accept-Language negotiation, so a URL is always one page and the page cache
keeps one copy of it.

Each public route has an English name ("faq:guide") and a Spanish one
("faq:es_guide"). Templates name the English route; `url_in()` turns it into
the route of the language asked for.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ENGLISH, SPANISH = "en", "es"
LANGUAGE_CHOICES = [(ENGLISH, _("English")), (SPANISH, _("Spanish"))]
# How the language switch names each language: in that language (GOV.UK's pattern).
NATIVE_NAMES = {ENGLISH: "English", SPANISH: "Español"}
SPANISH_PREFIX = "/es/"

# Public routes that have a Spanish twin named "es_<name>" (faq/urls.py).
TRANSLATED_ROUTES = frozenset(
    {"home", "search", "feed", "topics", "topic", "guide", "question", "question_changes"}
)


def language_of_path(path_info):
    """The language of a page from its path: Spanish under /es/, English elsewhere."""
    return SPANISH if path_info == "/es" or path_info.startswith(SPANISH_PREFIX) else ENGLISH


def other_language(language):
    return ENGLISH if language == SPANISH else SPANISH


def route_name(viewname, language):
    """The name of `viewname`'s route in `language` ("faq:guide" -> "faq:es_guide")."""
    if language == SPANISH:
        namespace, _sep, name = viewname.rpartition(":")
        if namespace == "faq" and name in TRANSLATED_ROUTES:
            return f"faq:es_{name}"
    return viewname


def active_language():
    """ "en" or "es": the language activated for this request (LanguageFromURLMiddleware)."""
    return SPANISH if (get_language() or "").startswith(SPANISH) else ENGLISH


class LanguageFromURLMiddleware:
    """Activates the language of the URL for the view and the templates, and says
    which it is in Content-Language. Sits after the page cache, which stores the
    header with the page; it adds no Vary header, since nothing but the URL
    decides the language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        from .middleware import ADMIN_PREFIX

        if request.path_info.startswith(ADMIN_PREFIX):
            return self.get_response(request)  # the editor's language (AdminLanguageMiddleware)
        language = language_of_path(request.path_info)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            translation.deactivate()
        if "Content-Language" not in response:
            response["Content-Language"] = language
        return response
