from django import template

from faq.models import Answer
from faq.revisions import revision_label
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


@register.filter
def revision_date(moment):
    """A revision's date and time as the admin's language writes it (revision_label)."""
    return revision_label(moment) if moment else ""
