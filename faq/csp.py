"""django-csp's middleware, with the site's one policy built once per process.

django-csp builds the Content-Security-Policy header from settings on every
response (copying every directive, twice: enforced and report-only); that was
a twentieth of an uncached question page's time. Every response here carries
the same policy unless a view changes it (django-csp's decorators set
attributes on the response), a template asks for a nonce, or DEBUG exempts an
error page: those responses go through django-csp's own code, as before.
"""

from functools import lru_cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed

# What django-csp's decorators (csp_update, csp_replace, csp_exempt, …) set on a response.
PER_RESPONSE_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
DEBUG_EXEMPT_STATUSES = (404, 500)  # django-csp leaves Django's debug pages alone


@lru_cache(maxsize=1)
def site_policy():
    """[(header, policy, excluded path prefixes)] for the enforced and report-only policies."""
    headers = []
    for header, setting, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            config = getattr(settings, setting, None) or {}
            excluded = tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())
            headers.append((header, policy, excluded))
    return headers


def forget_site_policy(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY") or setting == "DEBUG":
        site_policy.cache_clear()


setting_changed.connect(forget_site_policy)


class CSPMiddleware(DjangoCSPMiddleware):
    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or (settings.DEBUG and response.status_code in DEBUG_EXEMPT_STATUSES)
            or any(hasattr(response, name) for name in PER_RESPONSE_ATTRIBUTES)
        ):
            return super().process_response(request, response)
        for header, policy, excluded in site_policy():
            if header not in response and not request.path_info.startswith(excluded):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
