"""Load the seed fixtures and record their history.

`loaddata` writes no history and overwrites rows that already exist. This
command loads the same fixture files record by record inside one
transaction: it creates what is missing, records one initial history row for
each question and answer it creates, and never touches a row that already
exists, so an editor's later change always survives a second run. A malformed
file is refused with the file and record named, and nothing is changed.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import transaction

from faq.models import Answer, Question, revision_snapshot
from faq.translations import resolve_translation_of

HISTORY_MODELS = (Question, Answer)
# A translation key is made when a row is created (a fixture names originals instead).
IGNORED_FIELDS = {"created_at", "updated_at", "body_html", "summary", "translation_key"}


class FixtureError(Exception):
    pass


class DryRunRollback(Exception):
    pass


def describe(index, record):
    fields = record.get("fields", {}) if isinstance(record, dict) else {}
    label = fields.get("slug") or fields.get("name") or fields.get("title")
    if label is None and isinstance(fields.get("question"), list):
        label = "/".join(map(str, fields["question"]))
    model = record.get("model", "?") if isinstance(record, dict) else "?"
    return f"record {index + 1} ({model}{f' “{label}”' if label else ''})"


def differing_fields(instance, existing):
    return [
        field.name
        for field in instance._meta.concrete_fields
        if not field.primary_key
        and field.name not in IGNORED_FIELDS
        and getattr(instance, field.attname) != getattr(existing, field.attname)
    ]


def link_to_original(record, where):
    """A translation names its English original by natural key ("translation_of");
    pair it with that row (faq/translations.py), which must be loaded already."""
    fields = dict(record["fields"])
    try:
        resolve_translation_of(str(record["model"]).lower(), fields)
    except LookupError as error:
        raise FixtureError(f"{where}: {error}. Load the English fixture first.") from error
    return {**record, "fields": fields}


class Command(BaseCommand):
    help = (
        "Load seed content from fixture files (default: every .json file in fixtures/), "
        "recording history. Existing content is never overwritten."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Fixture files to load.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll everything back."
        )

    def handle(self, *args, files, dry_run, **options):
        paths = [Path(name) for name in files] or sorted(
            path for folder in settings.FIXTURE_DIRS for path in Path(folder).glob("*.json")
        )
        if not paths:
            raise CommandError("No fixture files found.")
        self.verbosity = options["verbosity"]
        self.created = self.skipped = 0
        try:
            with transaction.atomic():
                for path in paths:
                    self.load_file(path)
                if dry_run:
                    raise DryRunRollback
        except FixtureError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        except DryRunRollback:
            self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
        summary = (
            f"Created {self.created} record(s); left {self.skipped} existing record(s) as they are."
        )
        if self.verbosity:
            self.stdout.write(self.style.SUCCESS(summary))

    def load_file(self, path):
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise FixtureError(f"{path}: cannot read the file ({error.strerror}).") from error
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise FixtureError(f"{path}: not valid JSON ({error}).") from error
        if not isinstance(records, list):
            raise FixtureError(f"{path}: a fixture must be a JSON list of records.")

        created = {model: [] for model in HISTORY_MODELS}
        for index, record in enumerate(records):
            where = f"{path}: {describe(index, record)}"
            instance = self.build(record, where)
            existing = type(instance)._default_manager.filter(pk=instance.pk).first()
            if existing is not None:
                self.skipped += 1
                changed = differing_fields(instance, existing)
                if changed and self.verbosity:
                    self.stdout.write(
                        f"Kept the database's version of {describe(index, record)}: "
                        f"it differs from {path.name} in {', '.join(changed)}."
                    )
                continue
            try:
                instance.full_clean()
            except ValidationError as error:
                raise FixtureError(f"{where}: {'; '.join(error.messages)}") from error
            if isinstance(instance, HISTORY_MODELS):
                # One history row each is written below, once the tags exist.
                created[type(instance)].append(instance)
                instance.save_without_historical_record()
            else:
                instance.save()
            self.created += 1

        reason = f"Loaded from {path.name}"
        Question.history.bulk_history_create(created[Question], default_change_reason=reason)
        for instance in created[Answer]:
            # bulk_history_create sends no signals, so the revision snapshot
            # (question wording, topics, sources) is passed in explicitly.
            Answer.history.bulk_history_create(
                [instance],
                default_change_reason=reason,
                custom_historical_attrs=revision_snapshot(instance),
            )
        if self.verbosity:
            self.stdout.write(f"{path}: {len(records)} record(s) read.")

    def build(self, record, where):
        if not isinstance(record, dict) or "model" not in record or "fields" not in record:
            raise FixtureError(f"{where}: each record needs “model” and “fields”.")
        if isinstance(record["fields"], dict) and "translation_of" in record["fields"]:
            record = link_to_original(record, where)
        try:
            (deserialized,) = serializers.deserialize("python", [record])
        except (DeserializationError, ObjectDoesNotExist, ValueError, TypeError) as error:
            cause = error.__cause__ or error
            raise FixtureError(f"{where}: {cause}") from error
        return deserialized.object
