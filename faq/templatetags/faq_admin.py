from django import template

from faq.models import Answer

register = template.Library()


@register.simple_tag
def editorial_counts():
    """Answers due for review and drafts waiting, for the admin index."""
    return {
        "due": Answer.objects.due_for_review().count(),
        "drafts": Answer.objects.with_draft().count(),
    }
