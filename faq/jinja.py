"""The Jinja2 environment the public pages are rendered with.

Public pages render on every page-cache miss, for example on every page at
once after a publish. Jinja2 compiles templates to Python and rendered the
question page in less than half the time of the Django template language
(issue 6), so the public templates under templates/ are Jinja2; the admin's
templates under templates/admin/ stay Django templates (see settings.TEMPLATES).
"""

import functools
from urllib.parse import urlencode, urlsplit

import jinja2
from django.conf import settings
from django.template.defaultfilters import pluralize
from django.utils import dateformat
from django.utils.timezone import template_localtime
from django.utils.translation import get_language, gettext, ngettext
from markupsafe import Markup

from .languages import active_language, route_name
from .links import static_url, url

# Django templates the Jinja2 engine must leave to the Django engine.
DJANGO_TEMPLATE_PREFIXES = ("admin/",)


class PublicTemplateLoader(jinja2.FileSystemLoader):
    """templates/, without the admin's Django templates."""

    def get_source(self, environment, template):
        if template.startswith(DJANGO_TEMPLATE_PREFIXES):
            raise jinja2.TemplateNotFound(template)
        return super().get_source(environment, template)

    def list_templates(self):
        return [
            name
            for name in super().list_templates()
            if not name.startswith(DJANGO_TEMPLATE_PREFIXES)
        ]


# A date in running text, as each interface language writes it: "December 1,
# 2026", "1 de diciembre de 2026" (Django's own Spanish DATE_FORMAT; its
# English one abbreviates the month). A language not listed gets English's.
LONG_DATE_FORMATS = {"en": "F j, Y", "es": r"j \d\e F \d\e Y"}


def date(value, format_string=None):
    """Django's `date` filter: the value in the site's time zone, Django's format
    codes, month and day names in the active language. Without a format, the
    long date of the active language (LONG_DATE_FORMATS)."""
    if value in (None, ""):
        return ""
    local_value = template_localtime(value)
    language = get_language()
    if format_string is None:
        format_string = LONG_DATE_FORMATS.get(language) or LONG_DATE_FORMATS["en"]
    return _format_date(local_value, getattr(local_value, "tzinfo", None), format_string, language)


# Formatting with Django's format codes costs 30 to 60 microseconds; a page
# shows the same few dates on every render. The time zone is part of the key
# (aware datetimes for the same instant are equal whatever their zone), and so
# is the language, which names the months. The language is only a key here:
# dateformat reads the active one, which is the same.
@functools.lru_cache(maxsize=4096)
def _format_date(local_value, time_zone, format_string, language):
    return dateformat.format(local_value, format_string)


LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def link_href(value):
    """`value` when a page may print it as a link (http, https or mailto), else
    None. The database refuses other sources already; this holds for whatever
    reaches a template by another way."""
    try:
        scheme = urlsplit(str(value).strip()).scheme.lower()
    except ValueError:
        return None
    return value if scheme in LINK_SCHEMES else None


def canonical_url(request):
    """This page's full address for search engines and link previews: its path
    and the query it was rendered from (declare_query), less a first page."""
    if not request:
        return ""
    if not hasattr(request, "canonical_url"):  # a page asks twice (meta, alternates)
        request.canonical_url = _canonical_url(request)
    return request.canonical_url


def _canonical_url(request):
    url = request.build_absolute_uri(request.path)
    query = {
        name: value
        for name, value in getattr(request, "page_cache_query", {}).items()
        if (name, value) != ("page", "1")
    }
    return f"{url}?{urlencode(query)}" if query else url


def page_url(viewname, *args):
    """{{ url('faq:home') }} in a template: the route in the page's language, so a
    Spanish page's links to the home, topics, search and feed stay in Spanish."""
    return url(route_name(viewname, active_language()), *args)


# _("…") through Jinja2's i18n extension is three nested context calls
# (_gettext_alias, its newstyle wrapper, then gettext): a fifth of the question
# page's template time for its twenty strings. These do what the newstyle
# wrappers do (escape-aware, always a format string) in one call.
@jinja2.pass_eval_context
def translate(eval_ctx, message, **variables):
    text = gettext(message)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


@jinja2.pass_eval_context
def translate_plural(eval_ctx, singular, plural, number, **variables):
    variables.setdefault("num", number)
    text = ngettext(singular, plural, number)
    return (Markup(text) if eval_ctx.autoescape else text) % variables


# The partials in templates/includes/ are macros every public template calls by
# name. Importing them in each template made a new module on every render.
PARTIALS = {
    "meta": "includes/meta.html",
    "last_updated": "includes/last_updated.html",
    "topic_links": "includes/topic_links.html",
    "pager_links": "includes/pager_links.html",
    "pagination": "includes/pagination.html",
    "language_switch": "includes/languages.html",
    "language_alternates": "includes/languages.html",
}


def environment(**options):
    options["loader"] = PublicTemplateLoader(options["loader"].searchpath)
    options.setdefault("keep_trailing_newline", True)  # as Django templates do
    options["extensions"] = [*options.get("extensions", []), "jinja2.ext.i18n"]
    env = jinja2.Environment(**options)
    # Every user-visible string is _("…") (README "Interface languages"), in the
    # language Django has active for the request.
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.globals.update(_=translate, gettext=translate, ngettext=translate_plural)
    # The site's name is set once, for every page, with or without a request (500).
    env.globals.update(
        url=page_url,
        static=static_url,
        canonical_url=canonical_url,
        site_name=settings.SITE_NAME,
        page_language=active_language,
    )
    env.filters.update(date=date, pluralize=pluralize, link_href=link_href)
    for name, path in PARTIALS.items():
        env.globals[name] = getattr(env.get_template(path).module, name)
    return env
