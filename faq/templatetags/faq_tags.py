import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The same escapes as Django's json_script: nothing in the data can close the
# <script> element or open a comment.
JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def faq_page_jsonld(context, guide, questions):
    """schema.org FAQPage data for the questions shown on a guide page, as JSON-LD."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "name": guide.title,
        "url": request.build_absolute_uri(guide.get_absolute_url()),
        "mainEntity": [
            {
                "@type": "Question",
                "name": question.text,
                "url": request.build_absolute_uri(question.get_absolute_url()),
                "acceptedAnswer": {"@type": "Answer", "text": question.answer.body_html},
            }
            for question in questions
        ],
    }
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


@register.simple_tag(takes_context=True)
def absolute_url(context, path=None):
    """The full address of `path` (default: this page without its query string)."""
    request = context.get("request")
    if request is None:
        return ""
    return request.build_absolute_uri(path if path is not None else request.path)


@register.filter
def plain_text(html):
    """Sanitised answer HTML as plain text (entities decoded), for meta descriptions."""
    from faq.search import plain_text as to_plain_text

    return to_plain_text(html)
