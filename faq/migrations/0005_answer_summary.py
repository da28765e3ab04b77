from html import unescape

from django.db import migrations, models
from django.utils.html import strip_tags
from django.utils.text import Truncator


def summarize(body_html):
    # faq.models.summarize as it was when this migration was written: a
    # migration must not change what it writes when the model code changes.
    return Truncator(unescape(strip_tags(body_html))).words(30, truncate=" …")


def summarize_existing_answers(apps, schema_editor):
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
