"""The admin screens, by screen (Django's admin autodiscover imports this).

Importing the modules registers their admins: public_text (categories, guides,
topics, the site notice), questions, answers, and search (synonyms and the
Searches report). The names are importable from here as they were from the
one faq/admin.py.
"""

# isort: off
# Registered in this order: categories, guides, topics and the site notice;
# questions; answers; search last, as the one faq/admin.py did.
from .public_text import (
    CategoryAdmin,
    GuideAdmin,
    QuestionInGuideInline,
    SiteNoticeAdmin,
    TopicAdmin,
)
from .questions import AnswerInline, QuestionAdmin, QuestionForm
from .answer_filters import DraftFilter, NeedsReviewFilter, ReviewDueFilter, ReviewStateFilter
from .answer_sources import SourceInline
from .answers import (
    AnswerAdmin,
    AnswerForm,
    action_for,
    conflict_details,
    names_in_a_sentence,
)
from .answer_views import AnswerViewsMixin, preview_sources
from .common import (
    RevisionedAdmin,
    link_to_answer,
    live_edits_allowed,
    locked_object,
    may_publish,
    question_edits_allowed,
)
from . import search  # synonyms and the Searches report
# isort: on

__all__ = [
    "AnswerAdmin",
    "AnswerForm",
    "AnswerInline",
    "AnswerViewsMixin",
    "CategoryAdmin",
    "DraftFilter",
    "GuideAdmin",
    "NeedsReviewFilter",
    "QuestionAdmin",
    "QuestionForm",
    "QuestionInGuideInline",
    "ReviewDueFilter",
    "ReviewStateFilter",
    "RevisionedAdmin",
    "SiteNoticeAdmin",
    "SourceInline",
    "TopicAdmin",
    "action_for",
    "conflict_details",
    "link_to_answer",
    "live_edits_allowed",
    "locked_object",
    "may_publish",
    "names_in_a_sentence",
    "preview_sources",
    "question_edits_allowed",
    "search",
]
