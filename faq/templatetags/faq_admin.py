from django import template

from faq.models import Answer
from faq.translations import behind_translations

register = template.Library()


@register.simple_tag
def editorial_counts():
    """Answers due for review, drafts waiting and translations behind, for the admin index."""
    return {
        "due": Answer.objects.due_for_review().count(),
        "drafts": Answer.objects.with_draft().count(),
        "behind": behind_translations().count(),
    }
