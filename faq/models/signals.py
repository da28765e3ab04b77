"""What runs when answers and questions are saved or deleted outside save():
fixture loads, history rows, deletes."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from .. import search
from .answers import Answer, Source
from .questions import Question, Topic


@receiver(pre_save, sender=Answer)
def render_answer_for_fixture_load(sender, instance, raw, **kwargs):
    """`loaddata` saves raw rows and bypasses Answer.save(); render the HTML anyway."""
    if raw:
        instance.prepare_for_save()
        if instance.text_updated_at is None:
            instance.record_text_change(instance.updated_at or timezone.now())


def revision_snapshot(answer):
    """The question wording, status, topics and sources an answer revision records.

    Read fresh from the database, never from a prefetch cache that a form save may
    have left stale.
    """
    question = Question.objects.only("text", "status").get(pk=answer.question_id)
    topics = Topic.objects.filter(tagged_questions__content_object_id=answer.question_id)
    sources = Source.objects.filter(answer_id=answer.pk).order_by("position", "pk")
    return {
        "question_text": question.text,
        "question_status": question.status,
        "topics": sorted(topics.values_list("name", flat=True), key=str.casefold),
        "sources": [{"title": s.title, "url": s.url} for s in sources],
    }


@receiver(pre_create_historical_record, sender=Answer.history.model)
def fill_revision_snapshot(sender, instance, history_instance, **kwargs):
    for field, value in revision_snapshot(instance).items():
        setattr(history_instance, field, value)


@receiver(post_save, sender=Answer)
@receiver(post_save, sender=Question)
def index_fixture_load(sender, instance, raw, **kwargs):
    """Raw fixture saves bypass save(); keep the search index in step anyway."""
    if raw:
        if sender is Answer:
            search.index_question(instance.question, answer=instance)
        else:
            search.index_question(instance)


@receiver(post_delete, sender=Question)
def remove_deleted_question_from_search(sender, instance, **kwargs):
    """Also runs for queryset and admin bulk deletes, which skip Model.delete()."""
    search.remove_question(instance.pk)
