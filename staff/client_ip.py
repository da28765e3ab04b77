"""The client address django-axes counts failed logins against.

Behind TRUSTED_PROXY_COUNT proxies that each append the address they received
the request from to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), the
client is that many entries from the right of the header plus REMOTE_ADDR.
Anything further left was written by the client and is ignored. With no proxy
configured (the default) the header is ignored entirely: anyone could send it.
"""

from django.conf import settings
from django.contrib.auth import get_user_model


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [address.strip() for address in header.split(",") if address.strip()] + [remote]
    # Shorter than expected: the request did not come through every proxy.
    return chain[-(hops + 1)] if len(chain) > hops else chain[0]


def client_username(request, credentials=None):
    """The username a login attempt is counted against: as given, cut to the
    longest a username may be. django-axes stores it in a 255-character column,
    and PostgreSQL refuses a longer value outright (a 5,000-character
    "username" turned a failed login into a database error)."""
    source = credentials if credentials else getattr(request, "POST", {})
    username = source.get("username") if source else None
    if username is None:
        return None
    return str(username)[: get_user_model()._meta.get_field("username").max_length]
