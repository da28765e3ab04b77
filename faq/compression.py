"""Compressed public pages: the same encodings whitenoise serves static files in.

A cached page is compressed once, when it is stored, in every encoding; a hit
sends the one the request's Accept-Encoding prefers. Pages the cache does not
keep are compressed as they leave. Only anonymous readers' pages are
compressed: they hold no secret (no CSRF token, no session, nothing about the
reader), so a BREACH-style attack, which guesses a secret from the size of
compressed pages that also reflect the attacker's input, has nothing to find.
The admin and editors' requests are never compressed (faq/middleware.py).
"""

import gzip
from functools import lru_cache

import brotli

# Preferred first when a request accepts both equally. Brotli quality 5 and
# gzip level 6 compress a 57 KB page in about a millisecond each, within a few
# percent of their slowest settings (quality 11 takes 35 ms).
ENCODINGS = ("br", "gzip")
ETAG_SUFFIX = {"": "", "br": "-br", "gzip": "-gz"}
MIN_SIZE = 200  # smaller bodies grow or save nothing worth a header
COMPRESSIBLE_TYPES = (
    "text/",
    "application/xml",
    "application/atom+xml",
    "application/rss+xml",
    "application/json",
    "application/javascript",
    "image/svg+xml",
)


def compress(content, encoding):
    if encoding == "br":
        return brotli.compress(content, quality=5)
    return gzip.compress(content, compresslevel=6, mtime=0)  # mtime=0: same bytes each time


def compressed_bodies(content):
    """The body in each encoding ("" is the body as rendered)."""
    bodies = {"": content}
    if len(content) >= MIN_SIZE:
        for encoding in ENCODINGS:
            bodies[encoding] = compress(content, encoding)
    return bodies


def is_compressible(response):
    return (
        not response.streaming
        and not response.has_header("Content-Encoding")
        and response.get("Content-Type", "").startswith(COMPRESSIBLE_TYPES)
    )


@lru_cache(maxsize=512)
def preferred_encoding(accept_encoding):
    """ "br", "gzip" or "" (as rendered), from an Accept-Encoding header's q-values.

    `br;q=0.5, gzip` picks gzip; `*` stands for any coding not named; `identity`
    wins only when named with a higher q-value. Memoised: browsers send few
    distinct headers.
    """
    weights = {}
    for item in accept_encoding.lower().split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding == "x-gzip":
            coding = "gzip"
        if coding:
            weights[coding] = max(weight, weights.get(coding, 0.0))
    default = weights.get("*", 0.0)
    best, best_weight = "", weights.get("identity", 0.0)
    for encoding in ENCODINGS:
        weight = weights.get(encoding, default)
        if weight > 0 and weight >= best_weight and (best == "" or weight > best_weight):
            best, best_weight = encoding, weight
    return best
