from django.db import migrations, models


def fill_hidden(apps, schema_editor):
    """A row, not public, for every question 0015 left out (published()'s filter
    as of this migration): SQLite searches leave these out instead of looking
    every match up among the public ones."""
    Question = apps.get_model("faq", "Question")
    SearchVisibility = apps.get_model("faq", "SearchVisibility")
    public = SearchVisibility.objects.values("question_id")
    hidden = Question.objects.exclude(pk__in=public).values_list("pk", "language")
    SearchVisibility.objects.bulk_create(
        (
            SearchVisibility(question_id=pk, language=language, public=False)
            for pk, language in hidden.iterator()
        ),
        batch_size=1000,
    )


def drop_hidden(apps, schema_editor):
    apps.get_model("faq", "SearchVisibility").objects.filter(public=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0016_site_notice_language"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="publicquestion", name="faq_search_public_lang"),
        migrations.RenameModel(old_name="PublicQuestion", new_name="SearchVisibility"),
        migrations.AlterModelTable(name="searchvisibility", table="faq_search_visibility"),
        migrations.AddField(
            model_name="searchvisibility",
            name="public",
            field=models.BooleanField(default=True),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="searchvisibility",
            index=models.Index(
                fields=["language", "public", "question"], name="faq_search_visibility_lang"
            ),
        ),
        migrations.RunPython(fill_hidden, drop_hidden),
    ]
