from django.db import migrations, models


def summarize_existing_answers(apps, schema_editor):
    # The function the model uses, so existing answers read as new ones will.
    from faq.models import summarize

    Answer = apps.get_model("faq", "Answer")
    batch = []
    for answer in Answer.objects.only("pk", "body_html").iterator(chunk_size=1000):
        answer.summary = summarize(answer.body_html)
        batch.append(answer)
        if len(batch) == 1000:
            Answer.objects.bulk_update(batch, ["summary"])
            batch = []
    Answer.objects.bulk_update(batch, ["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("faq", "0004_public_dates"),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="summary",
            field=models.TextField(
                default="",
                editable=False,
                help_text="The answer's first words as plain text, for search engines and "
                "link previews.",
            ),
        ),
        migrations.RunPython(summarize_existing_answers, migrations.RunPython.noop),
    ]
