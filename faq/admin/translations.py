"""The translators' side of the answer admin: each answer's translation status,
"Translate", the list of translations behind their English original (with
what changed in the English), and "brought up to date with the English".

AnswerAdmin (faq/admin/answers.py) calls these; the rules are in faq/translations.py.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..languages import ENGLISH, SPANISH
from ..models import Answer
from ..revisions import revision_label
from ..translations import (
    TranslationError,
    behind_translations,
    bring_up_to_date,
    english_changes_since,
    english_original,
    is_behind,
    not_linked_translations,
    spanish_guide_for,
    spanish_translation,
    topic_language_errors,
    translate,
)

UP_TO_DATE_FIELD = "brought_up_to_date"


def brought_up_to_date_field():
    return forms.BooleanField(
        label=_("Brought up to date with the English"),
        required=False,
        help_text=_(
            "Tick when this save brings over everything that changed in the English answer: "
            "the translation is then recorded as made from the English as it is now."
        ),
    )


class TranslationStatusFilter(admin.SimpleListFilter):
    title = _("translation")
    parameter_name = "translation"

    def lookups(self, request, model_admin):
        return [
            ("behind", _("Behind the English")),
            ("current", _("Up to date with the English")),
            ("unlinked", _("Not linked to an English revision")),
        ]

    def queryset(self, request, queryset):
        behind = behind_translations().values("pk")
        if self.value() == "behind":
            return queryset.filter(pk__in=behind)
        if self.value() == "current":
            return queryset.filter(
                question__language=SPANISH, translated_from__isnull=False
            ).exclude(pk__in=behind)
        if self.value() == "unlinked":
            return queryset.filter(pk__in=not_linked_translations().values("pk"))
        return queryset


def change_url(answer):
    return reverse("admin:faq_answer_change", args=[answer.pk])


def translation_status(answer):
    """What the answer's edit screen says about its translation or its original."""
    if answer.question.language == ENGLISH:
        spanish = spanish_translation(answer)
        if spanish is None:
            return {
                "is_original": True,
                "translation": None,
                "can_translate": spanish_guide_for(answer.question.guide) is not None,
                "translate_url": reverse("admin:faq_answer_translate", args=[answer.pk]),
            }
        return {
            "is_original": True,
            "translation": spanish,
            "translation_url": change_url(spanish),
            "behind": is_behind(spanish, answer),
        }
    original = english_original(answer)
    behind = original is not None and is_behind(answer, original)
    return {
        "is_original": False,
        "original": original,
        "original_url": change_url(original) if original else None,
        "translated_from": answer.translated_from,
        "translated_at": translated_at(answer),
        "behind": behind,
        "differences": english_changes_since(answer, original) if behind else None,
    }


def translated_at(answer):
    """When the English revision a translation was made from was saved, as the
    admin's language writes a revision's date (“5 de marzo de 2026, 12:00”)."""
    source = answer.translated_from
    return revision_label(source.history_date) if source else ""


def check_topic_languages(form, language):
    """A question's topics are in its language: refuse the other language's topics."""
    names = form.cleaned_data.get("topics") or []
    wrong = topic_language_errors(language, names)
    if wrong:
        form.add_error(
            "topics",
            gettext("These topics belong to questions in the other language: %(names)s.")
            % {"names": ", ".join(wrong)},
        )


def apply_brought_up_to_date(form, answer):
    """Before the answer is saved: move its translated-from revision to the
    English answer's current one when the translator ticked the box."""
    if answer.question.language == ENGLISH or not form.cleaned_data.get(UP_TO_DATE_FIELD):
        return
    original = english_original(answer)
    if original is not None:
        bring_up_to_date(answer, original)


def translate_view(model_admin, request, pk):
    """POST: create the Spanish draft of an English answer, then open it."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    answer = get_object_or_404(Answer.objects.select_related("question__guide"), pk=pk)
    if not model_admin.has_change_permission(request, answer):
        raise PermissionDenied
    try:
        spanish = translate(answer, request.user)
    except TranslationError as error:
        model_admin.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(change_url(answer))
    model_admin.message_user(
        request,
        gettext(
            "A Spanish draft was made from the English answer. Translate the question, the "
            "answer and the topics, then publish it. Its web address is made from the "
            "Spanish question when you save it, until it is published."
        ),
        messages.SUCCESS,
    )
    return HttpResponseRedirect(change_url(spanish))


def behind_view(model_admin, request):
    """Every translation whose English original changed notably since it was made,
    with what changed in the English."""
    if not model_admin.has_view_or_change_permission(request):
        raise PermissionDenied
    translations = list(
        behind_translations()
        .select_related("question__guide", "translated_from")
        .order_by("question__guide", "question__position")
    )
    originals = {
        original.question.translation_key: original
        for original in Answer.objects.select_related("question").filter(
            question__language=ENGLISH,
            question__translation_key__in=[t.question.translation_key for t in translations],
        )
    }
    entries = []
    for translation in translations:
        original = originals[translation.question.translation_key]
        entries.append(
            {
                "translation": translation,
                "translation_url": change_url(translation),
                "translated_at": translated_at(translation),
                "original": original,
                "original_url": change_url(original),
                "differences": english_changes_since(translation, original),
            }
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Translations behind the English"),
        "opts": model_admin.opts,
        "entries": entries,
    }
    return TemplateResponse(request, "admin/faq/answer/translations_behind.html", context)


def paired_form(model):
    """A ModelForm for guides and topics with "Translation of": choosing the
    English original gives the row its translation key, pairing the two."""

    class PairedForm(forms.ModelForm):
        translation_of = forms.ModelChoiceField(
            queryset=model.objects.filter(language=ENGLISH),
            required=False,
            label=_("Translation of"),
            help_text=_(
                "For a Spanish %(name)s: its English original. Readers then get a link "
                "between the two, once both are published."
            )
            % {"name": model._meta.verbose_name},
        )

        class Meta:
            fields = "__all__"  # noqa: DJ007 -- the ModelAdmin chooses the fields shown

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk and self.instance.language != ENGLISH:
                self.fields["translation_of"].initial = (
                    model.objects.filter(
                        language=ENGLISH, translation_key=self.instance.translation_key
                    )
                    .values_list("pk", flat=True)
                    .first()
                )

        def clean(self):
            cleaned = super().clean()
            original = cleaned.get("translation_of")
            language = cleaned.get("language", self.instance.language)
            if original is not None:
                if language == ENGLISH:
                    self.add_error(
                        "translation_of", gettext("Only a Spanish version is a translation.")
                    )
                    return cleaned
                taken = model.objects.filter(
                    translation_key=original.translation_key, language=language
                ).exclude(pk=self.instance.pk)
                if taken.exists():
                    self.add_error(
                        "translation_of",
                        gettext("“%(original)s” already has a version in this language.")
                        % {"original": original},
                    )
            return cleaned

        def save(self, commit=True):
            original = self.cleaned_data.get("translation_of")
            if original is not None:
                self.instance.translation_key = original.translation_key
            return super().save(commit)

    return PairedForm
