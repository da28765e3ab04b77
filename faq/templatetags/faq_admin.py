from django import template
from django.conf import settings
from django.utils.translation import gettext, ngettext

from faq import jinja
from faq.dashboard import sections_for
from faq.revisions import person, revision_label, zoned

register = template.Library()


@register.simple_tag(takes_context=True)
def editor_dashboard(context):
    """The dashboard's sections for the logged-in editor (faq/dashboard.py), each
    answer with one line saying where it stands, in the admin's language."""
    sections = sections_for(context["request"].user)
    for section in sections:
        describe = DETAILS.get(section.key)
        section.link_text = LINK_TEXTS[section.key](section.count)
        for answer in section.answers:
            answer.dashboard_detail = describe(answer) if describe else ""
    return sections


@register.simple_tag
def site_time_zone():
    return settings.TIME_ZONE


def scheduled_detail(answer):
    return gettext("Publishes %(time)s, scheduled by %(name)s") % {
        "time": zoned(answer.publish_at),
        "name": person(answer.scheduled_by),
    }


def problem_detail(answer):
    if answer.schedule_failed_at:
        return gettext("Was due %(time)s; failing since %(since)s: %(error)s") % {
            "time": zoned(answer.publish_at),
            "since": zoned(answer.schedule_failed_at),
            "error": answer.schedule_failure,
        }
    return gettext("Was due %(time)s and has not run: are the periodic jobs running?") % {
        "time": zoned(answer.publish_at)
    }


def sent_back_detail(answer):
    return gettext("%(name)s: “%(comment)s”") % {
        "name": person(answer.reviewed_by),
        "comment": answer.review_comment,
    }


def to_review_detail(answer):
    return gettext("Submitted by %(name)s") % {"name": person(answer.submitted_by)}


def unreviewed_detail(answer):
    return gettext("Published %(time)s") % {"time": zoned(answer.published_unreviewed_at)}


def due_detail(answer):
    if answer.review_due is None:
        return gettext("Never reviewed")
    return gettext("Review was due %(date)s") % {"date": jinja.date(answer.review_due)}


DETAILS = {
    "scheduled": scheduled_detail,
    "schedule-problems": problem_detail,
    "sent-back": sent_back_detail,
    "to-review": to_review_detail,
    "unreviewed": unreviewed_detail,
    "due": due_detail,
}

# The link to each section's whole list says how many it holds.
LINK_TEXTS = {
    "my-drafts": lambda n: (
        ngettext("%(counter)s draft not yet submitted", "%(counter)s drafts not yet submitted", n)
        % {"counter": n}
    ),
    "sent-back": lambda n: (
        ngettext("%(counter)s change sent back to you", "%(counter)s changes sent back to you", n)
        % {"counter": n}
    ),
    "to-review": lambda n: (
        ngettext(
            "%(counter)s change waiting for your review",
            "%(counter)s changes waiting for your review",
            n,
        )
        % {"counter": n}
    ),
    "schedule-problems": lambda n: (
        ngettext(
            "%(counter)s schedule failed or overdue", "%(counter)s schedules failed or overdue", n
        )
        % {"counter": n}
    ),
    "scheduled": lambda n: (
        ngettext("%(counter)s change scheduled", "%(counter)s changes scheduled", n)
        % {"counter": n}
    ),
    "unreviewed": lambda n: (
        ngettext(
            "%(counter)s change published without review",
            "%(counter)s changes published without review",
            n,
        )
        % {"counter": n}
    ),
    "due": lambda n: (
        ngettext("%(counter)s answer due for review", "%(counter)s answers due for review", n)
        % {"counter": n}
    ),
    "translations-behind": lambda n: (
        ngettext(
            "%(counter)s translation behind the English",
            "%(counter)s translations behind the English",
            n,
        )
        % {"counter": n}
    ),
}


@register.filter
def revision_date(moment):
    """A revision's date and time as the admin's language writes it (revision_label)."""
    return revision_label(moment) if moment else ""
