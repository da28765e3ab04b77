"""Markdown to safe HTML, done once when an answer is saved."""

import nh3
from markdown_it import MarkdownIt

# CommonMark with raw HTML switched off: editors write Markdown, not HTML.
_renderer = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})

ALLOWED_TAGS = {
    "p", "br", "hr", "ul", "ol", "li", "strong", "em", "code", "pre",
    "blockquote", "a", "h2", "h3", "h4", "h5", "h6",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(source):
    """Return sanitised HTML for Markdown `source`.

    Headings start at h2 because the page's h1 is the question itself.
    """
    html = _renderer.render(source or "")
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize(html)


def sanitize(html):
    """Only ALLOWED_TAGS, ALLOWED_ATTRIBUTES and ALLOWED_URL_SCHEMES survive.

    Its output is a fixed point: sanitising it again returns it unchanged
    (tests/test_markdown_properties.py).
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
