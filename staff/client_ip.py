"""The client address django-axes counts failed logins against.

Behind TRUSTED_PROXY_COUNT proxies that each append the address they received
the request from to X-Forwarded-For (nginx's $proxy_add_x_forwarded_for), the
client is that many entries from the right of the header plus REMOTE_ADDR.
Anything further left was written by the client and is ignored. With no proxy
configured (the default) the header is ignored entirely: anyone could send it.
"""

from django.conf import settings


def client_ip(request):
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    chain = [address.strip() for address in header.split(",") if address.strip()] + [remote]
    # Shorter than expected: the request did not come through every proxy.
    return chain[-(hops + 1)] if len(chain) > hops else chain[0]
