from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext

from .languages import ENGLISH, SPANISH, route_name
from .views import published_questions

FEED_LENGTH = 30


class AnswerUpdatesFeed(Feed):
    """Published answers by their last notable change, newest first.

    Minor changes, drafts and reviews do not change the live text notably, so
    they never move an answer up the feed.
    """

    feed_type = Atom1Feed
    language = ENGLISH  # of the answers listed, and the feed's xml:lang

    # Methods, not class attributes: read in the language active for the request.
    def title(self):
        return gettext("%(site)s: updated answers") % {"site": settings.SITE_NAME}

    def subtitle(self):
        return gettext("Answers to public policy questions, as policy staff update them.")

    def link(self):
        return reverse(route_name("faq:home", self.language))

    def items(self):
        return (
            published_questions()
            .filter(language=self.language)
            .prefetch_related(None)
            .order_by("-answer__notable_change_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, question):
        return question.text

    def item_description(self, question):
        note = question.answer.notable_change_note
        if not note:
            return question.answer.body_html
        intro = format_html("<p><strong>{}</strong> {}</p>", gettext("What changed:"), note)
        return intro + question.answer.body_html

    def item_pubdate(self, question):
        return question.answer.created_at

    def item_updateddate(self, question):
        return question.answer.notable_change_at

    def item_categories(self, question):
        return [question.guide.title]


class SpanishAnswerUpdatesFeed(AnswerUpdatesFeed):
    """The same feed for the Spanish answers (/es/feeds/actualizaciones.atom)."""

    language = SPANISH
