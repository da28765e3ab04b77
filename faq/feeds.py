import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext

from .cache import CONTENT, SITE, read_stamps
from .languages import ENGLISH, SPANISH, route_name
from .views import published_questions

FEED_LENGTH = 30


class DatedAtom1Feed(Atom1Feed):
    """An Atom feed whose <updated> never comes from the clock.

    Django dates a feed with no entries "now", so every render of an empty
    feed differed from the cached copy (and from the last render a reader's
    feed reader saw). An empty feed is dated by the last change to the site's
    content instead: the moment its last entry left.
    """

    def latest_post_date(self):
        if any(item.get("updateddate") or item.get("pubdate") for item in self.items):
            return super().latest_post_date()
        return self.feed["content_changed_at"]


def content_changed_at():
    """When published content last changed, from the page cache's stamps."""
    modified = max(stamp.modified for stamp in read_stamps([SITE, CONTENT]))
    return datetime.datetime.fromtimestamp(modified, tz=datetime.UTC)


class AnswerUpdatesFeed(Feed):
    """Published answers by their last notable change, newest first.

    Minor changes, drafts and reviews do not change the live text notably, so
    they never move an answer up the feed.
    """

    feed_type = DatedAtom1Feed
    language = ENGLISH  # of the answers listed, and the feed's xml:lang

    def feed_extra_kwargs(self, obj):
        return {"content_changed_at": content_changed_at()}

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
