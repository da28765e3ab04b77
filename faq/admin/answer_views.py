"""The answer screen's own views: preview the unsaved form as the public page,
compare two revisions, revert to one, and the history list with its columns."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.utils import parse_tags

from ..models import Answer, Question, Source, Topic
from ..revisions import (
    IMPORTED,
    MARKED_REVIEWED,
    SAVED_DRAFT,
    RevisionText,
    compare,
    reason_label,
    revert,
    revision_label,
)
from ..workflow import (
    APPROVED,
    REVIEWED_AFTER,
    SCHEDULED,
    SENT_BACK,
    SUBMITTED,
    UNSCHEDULED,
)
from .common import live_edits_allowed

# History rows of workflow steps that change no text (faq/workflow.py).
WORKFLOW_STEPS = (APPROVED, SCHEDULED, UNSCHEDULED, REVIEWED_AFTER)


class AnswerViewsMixin:
    """Preview, compare, revert and history for AnswerAdmin (faq/admin/answers.py)."""

    @admin.display(description=_("what happened"))
    def what_happened(self, record):
        if record.history_change_reason:
            # Stored in English; the ones the site writes are in the catalogue.
            return reason_label(record.history_change_reason)
        return gettext("Created") if record.history_type == "+" else gettext("Edited")

    @admin.display(description=_("change note"))
    def note(self, record):
        reason = record.history_change_reason
        if reason in (SAVED_DRAFT, SUBMITTED, IMPORTED):
            # An import into an unpublished question leaves no draft: its note is the answer's.
            return record.draft_change_note or record.change_note
        if reason == SENT_BACK:
            return record.review_comment  # what the reviewer asked for
        if reason in (MARKED_REVIEWED, *WORKFLOW_STEPS):
            return ""  # a step, not a change of text
        return record.change_note

    def get_answer_or_404(self, request, pk, permission):
        answer = get_object_or_404(Answer.objects.select_related("question__guide"), pk=pk)
        allowed = {
            "view": self.has_view_or_change_permission,
            "change": self.has_change_permission,
        }[permission](request, answer)
        if not allowed:
            raise PermissionDenied
        return answer

    def preview_view(self, request, pk):
        """The public page with the form's unsaved text, rendered and not saved."""
        answer = self.get_answer_or_404(request, pk, "change")
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:faq_answer_change", args=[pk]))
        form = self.get_form(request, answer, change=True)(request.POST, instance=answer)
        formsets, _inlines = self._create_formsets(request, answer, change=True)
        if not all(formset.management_form.is_valid() for formset in formsets):
            return HttpResponseBadRequest(
                gettext("The preview needs the whole edit form: reload the answer and try again.")
            )
        question = Question(
            pk=answer.question.pk,
            guide=answer.question.guide,
            position=answer.question.position,
            slug=answer.question.slug,
            status=answer.question.status,
            text=form["question_text"].value() or "",
        )
        body = form["body"].value() or ""
        now = timezone.now()
        preview = Answer(
            pk=answer.pk, question=question, body=body, updated_at=now, text_updated_at=now
        )
        preview.prepare_for_save()  # the HTML and summary a save would make
        question.answer = preview
        topics = form["topics"].value() or ""
        names = parse_tags(topics) if isinstance(topics, str) else [t.name for t in topics]
        known = {t.name.casefold(): t for t in Topic.objects.filter(name__in=names)}
        question._prefetched_objects_cache = {
            "tags": [known.get(n.casefold()) or Topic(name=n, slug=slugify(n)) for n in names]
        }
        # On a published question these are the draft's sources (answer_sources.py).
        preview._prefetched_objects_cache = {"sources": preview_sources(formsets)}
        response = TemplateResponse(request, "faq/question_preview.html", {"question": question})
        response["X-Robots-Tag"] = "noindex"
        # The page as readers of its language see it (lang, links, words), not
        # the editor's admin language (faq.middleware.AdminLanguageMiddleware).
        with translation.override(answer.question.guide.language):
            return response.render()

    def compare_view(self, request, pk):
        answer = self.get_answer_or_404(request, pk, "view")
        rows = answer.history.select_related("history_user")
        try:
            newer = rows.get(pk=request.GET["to"]) if "to" in request.GET else rows.first()
            older = (
                rows.get(pk=request.GET["from"])
                if "from" in request.GET
                else rows.filter(history_date__lt=newer.history_date).first()
            )
        except (ValueError, answer.history.model.DoesNotExist) as error:
            raise Http404("No such revision of this answer.") from error
        if newer is None or older is None:
            messages.info(
                request, gettext("This answer has only one revision: nothing to compare yet.")
            )
            return HttpResponseRedirect(reverse("admin:faq_answer_history", args=[pk]))
        if older.history_date > newer.history_date:
            older, newer = newer, older
        for row in (older, newer):
            row.what_happened, row.note = self.what_happened(row), self.note(row)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Compare revisions: %(question)s")
            % {"question": answer.question.text},
            "opts": self.opts,
            "original": answer,
            "older": older,
            "newer": newer,
            "differences": compare(
                RevisionText.from_history(older), RevisionText.from_history(newer)
            ),
            "can_revert": self.may_revert(request, answer),
        }
        return TemplateResponse(request, "admin/faq/answer/compare.html", context)

    def history_view(self, request, object_id, extra_context=None):
        answer = get_object_or_404(self.get_queryset(request), pk=object_id)
        extra_context = {**(extra_context or {}), "can_revert": self.may_revert(request, answer)}
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The list shows notes; compare_view shows what changed, when asked.
        pass

    def may_revert(self, request, answer):
        return self.has_change_permission(request, answer) and live_edits_allowed(request, answer)

    def revert_view(self, request, pk, history_id):
        answer = self.get_answer_or_404(request, pk, "change")
        if not self.may_revert(request, answer):
            raise PermissionDenied
        row = get_object_or_404(answer.history.all(), pk=history_id)
        if request.method == "POST":
            revert(answer, row, request.user)
            message = gettext(
                "Reverted to the revision of %(date)s. "
                "This is a new revision; the history keeps every earlier one."
            ) % {"date": revision_label(row.history_date)}
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:faq_answer_history", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Revert to the revision of %(date)s?")
            % {"date": revision_label(row.history_date)},
            "opts": self.opts,
            "original": answer,
            "row": row,
            # Revert brings back the live parts; a waiting draft stays as it is.
            "differences": compare(
                RevisionText.from_answer(answer, with_draft=False),
                RevisionText.from_history(row).live_only(),
            ),
        }
        return TemplateResponse(request, "admin/faq/answer/revert_confirm.html", context)


def preview_sources(formsets):
    """The sources as typed, valid or not yet, minus those ticked for deletion."""
    sources = []
    for formset in formsets:
        for form in formset.forms:
            title, url = form["title"].value(), form["url"].value()
            if not (title and url) or ("DELETE" in form.fields and form["DELETE"].value()):
                continue
            position = form["position"].value()
            position = int(position) if str(position).isdigit() else 0
            sources.append(Source(title=title, url=url, position=position))
    return sorted(sources, key=lambda source: source.position)
