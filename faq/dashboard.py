"""What waits for whom: the editor's dashboard at the top of the admin, and the
state of scheduled publishing that /healthz reports. Queries only, no HTTP.

Each section of the dashboard is one query whatever the number of answers:
its first few answers, each row carrying the section's total (a window
count), so the dashboard's query count is fixed (tests/test_dashboard.py).
The same querysets back the changelist filters the sections link to
(faq/admin/dashboard_filters.py), so a count and its list always agree.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Window
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import workflow
from .models import Answer, Question
from .models.workflow import ReviewState
from .roles import REVIEW_PERMISSION
from .translations import behind_translations

# Answers listed under each section's heading; the link shows them all.
FIRST_FEW = 5


def waiting_change():
    """SQL for workflow.has_waiting_change: a saved draft, or an unpublished question."""
    return Q(draft_saved_at__isnull=False) | ~Q(question__status=Question.Status.PUBLISHED)


def wrote_part_of_waiting_change(user):
    """SQL for `user.pk in workflow.authors(answer)`: a content row of theirs in
    the answer's history since it was last published, or the draft or
    submission is theirs."""
    history = Answer.history.model.objects
    published = history.filter(
        id=OuterRef("id"), history_change_reason__in=workflow.PUBLISHING_REASONS
    )
    last_published = published.order_by("-history_date").values("history_date")[:1]
    content_rows = (
        history.filter(id=OuterRef("pk"), history_user=user)
        .filter(workflow.WROTE_CONTENT)
        .filter(Q(history_date__gt=Subquery(last_published)) | ~Exists(published))
    )
    return Exists(content_rows) | Q(draft_saved_by=user) | Q(submitted_by=user)


def my_drafts(user, queryset=None):
    """Waiting changes not yet submitted for review that `user` wrote part of."""
    queryset = Answer.objects.all() if queryset is None else queryset
    not_submitted = Q(review_state=ReviewState.DRAFT) | (
        Q(review_state=ReviewState.NONE) & waiting_change()
    )
    return queryset.filter(not_submitted).filter(wrote_part_of_waiting_change(user))


def waiting_for_review_by(user, queryset=None):
    """Changes in review that `user` may approve: none they wrote part of."""
    queryset = Answer.objects.all() if queryset is None else queryset
    if not user.has_perm(REVIEW_PERMISSION):
        return queryset.none()
    return queryset.filter(review_state=ReviewState.IN_REVIEW).exclude(
        wrote_part_of_waiting_change(user)
    )


def sent_back_to(user, queryset=None):
    """Changes `user` submitted that a reviewer sent back with a comment."""
    queryset = Answer.objects.all() if queryset is None else queryset
    return queryset.filter(review_state=ReviewState.CHANGES_REQUESTED, submitted_by=user)


def scheduled(queryset=None):
    queryset = Answer.objects.all() if queryset is None else queryset
    return queryset.filter(review_state=ReviewState.SCHEDULED)


def published_without_review(queryset=None):
    queryset = Answer.objects.all() if queryset is None else queryset
    return queryset.exclude(published_unreviewed_at=None)


def schedule_problem_filter(now=None):
    """A scheduled change that failed (workflow.failed) or is overdue (workflow.overdue)."""
    return workflow.FAILED_CONDITION | workflow.overdue_condition(now)


def schedule_problem_answers(now=None, queryset=None):
    queryset = Answer.objects.all() if queryset is None else queryset
    return queryset.filter(schedule_problem_filter(now))


@dataclass(frozen=True)
class ScheduleProblems:
    failed: int
    overdue: int  # past their time by OVERDUE_AFTER_SECONDS, with no failure recorded


def schedule_problems(now=None):
    """How many schedules failed, and how many missed their time (the periodic
    jobs are not running): one query, for /healthz."""
    counts = Answer.objects.filter(schedule_problem_filter(now)).aggregate(
        failed=Count("pk", filter=Q(schedule_failed_at__isnull=False)),
        overdue=Count("pk", filter=Q(schedule_failed_at__isnull=True)),
    )
    return ScheduleProblems(counts["failed"] or 0, counts["overdue"] or 0)


@dataclass
class Section:
    """One heading of the dashboard: how many answers, the first few, and where
    the whole list is (a changelist query string, or a URL name)."""

    key: str
    title: str
    empty: str
    answers: list = field(default_factory=list)
    count: int = 0
    changelist_query: str = ""
    url_name: str = ""


def first_few(queryset, *ordering):
    """([first FEW answers], total) in one query: the total rides on each row."""
    rows = list(
        queryset.select_related("question__guide", "scheduled_by", "submitted_by", "reviewed_by")
        .annotate(section_total=Window(Count("pk")))
        .order_by(*ordering, "pk")[:FIRST_FEW]
    )
    return rows, (rows[0].section_total if rows else 0)


def sections_for(user, now=None):
    """The dashboard's sections for `user`, in the order shown."""
    now = now or timezone.now()
    specs = [
        (
            "my-drafts",
            _("My drafts"),
            _("You have no draft waiting to be submitted."),
            my_drafts(user),
            ("-draft_saved_at",),
            "?mine=drafts",
        ),
        (
            "sent-back",
            _("Sent back to me"),
            _("No change of yours was sent back."),
            sent_back_to(user),
            ("-reviewed_at",),
            "?mine=sent_back",
        ),
    ]
    if user.has_perm(REVIEW_PERMISSION):
        specs.append(
            (
                "to-review",
                _("Waiting for my review"),
                _("Nothing is waiting for your review."),
                waiting_for_review_by(user),
                ("submitted_at",),
                "?mine=to_review",
            )
        )
    specs += [
        (
            "schedule-problems",
            _("Failed or overdue schedules"),
            _("Every scheduled change due so far was published."),
            schedule_problem_answers(now),
            ("publish_at",),
            "?schedule=problems",
        ),
        (
            "scheduled",
            _("Scheduled"),
            _("Nothing is scheduled."),
            scheduled(),
            ("publish_at",),
            f"?review_state={ReviewState.SCHEDULED}",
        ),
        (
            "unreviewed",
            _("Published without review"),
            _("Every published change has been reviewed."),
            published_without_review(),
            ("published_unreviewed_at",),
            "?needs_review=yes",
        ),
        (
            "due",
            _("Due for review"),
            _("No answer is due for review."),
            Answer.objects.due_for_review(),
            (F("review_due").asc(nulls_first=True),),
            "?review=due",
        ),
    ]
    sections = []
    for key, title, empty, queryset, ordering, query in specs:
        answers, count = first_few(queryset, *ordering)
        sections.append(Section(key, title, empty, answers, count, changelist_query=query))
    behind, count = first_few(behind_translations(), "-original_changed_at")
    sections.append(
        Section(
            "translations-behind",
            _("Translations behind their English"),
            _("Every translation is up to date."),
            behind,
            count,
            url_name="admin:faq_answer_translations_behind",
        )
    )
    return sections
