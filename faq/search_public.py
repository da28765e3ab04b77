"""Which questions a search may find: SearchVisibility kept in step with published().

Whether a question is public depends on its status, its guide's and whether it
has an answer, so every save or delete of a question, an answer or a guide
(fixture loads included) brings its questions' rows in step, in the same
transaction. Bulk writes that send no signals (generate_demo_data, raw SQL, a
restore) are followed by `rebuild()`, which `rebuild_search_index` runs.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Answer, Guide, Question, SearchVisibility

CHUNK = 1_000  # question ids per statement, well under SQLite's parameter limit


def sync(question_ids):
    """Make these questions' rows say what published() says of them now."""
    ids = list(question_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        existing = Question.objects.filter(pk__in=chunk)
        public = set(existing.published().values_list("pk", flat=True))
        rows = [
            SearchVisibility(question_id=pk, language=language, public=pk in public)
            for pk, language in existing.values_list("pk", "language")
        ]
        SearchVisibility.objects.filter(question_id__in=chunk).exclude(
            question_id__in=[row.question_id for row in rows]
        ).delete()
        SearchVisibility.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["question"],
            update_fields=["language", "public"],
        )


def rebuild():
    """Every row again, from published(); returns how many questions are public."""
    SearchVisibility.objects.all().delete()
    public = set(Question.objects.published().values_list("pk", flat=True))
    rows = Question.objects.order_by("pk").values_list("pk", "language")
    batch = []
    for pk, language in rows.iterator(chunk_size=CHUNK):
        batch.append(SearchVisibility(question_id=pk, language=language, public=pk in public))
        if len(batch) == CHUNK:
            SearchVisibility.objects.bulk_create(batch)
            batch = []
    SearchVisibility.objects.bulk_create(batch)
    return len(public)


@receiver(post_save, sender=Question)
def question_saved(sender, instance, **kwargs):
    sync([instance.pk])


@receiver(post_delete, sender=Question)
def question_deleted(sender, instance, **kwargs):
    """Also runs for queryset and admin bulk deletes, which skip Model.delete()."""
    SearchVisibility.objects.filter(question_id=instance.pk).delete()


@receiver(post_save, sender=Answer)
@receiver(post_delete, sender=Answer)
def answer_saved_or_deleted(sender, instance, created=True, **kwargs):
    # Only an answer's existence counts, so later saves of it change nothing here.
    if created:
        sync([instance.question_id])


@receiver(post_save, sender=Guide)
def guide_saved(sender, instance, **kwargs):
    sync(instance.questions.values_list("pk", flat=True))
