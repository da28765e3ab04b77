"""Applying seed fixtures without ever fighting the editors (issue 16).

The database remembers each fixture record it has applied (SeedRecord, keyed
by the record's identity as written in its file, see faq/fixture_records.py).
On every run of `seed_content`:

- a record the database has applied is left exactly as it is, whatever
  editors changed in it; one that editors deleted stays deleted;
- a record new to the fixtures is created; its references to other records
  (a question naming its guide by slug) resolve through SeedRecord first, so
  it still attaches to a guide whose slug an editor has changed;
- a new record that clashes with the database's content (its slug or number
  now taken) is skipped with a message naming both;
- a database seeded before SeedRecord existed (nothing recorded yet) has its
  seed records recognised once by today's natural keys, and recorded.
"""

from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby

from django.core.exceptions import ValidationError
from django.utils.text import get_text_list

from .fixture_records import FixtureError, identity_fields, record_key, show
from .models import Answer, Question, SeedRecord, Source, TaggedQuestion, revision_snapshot
from .revisions import LOADED_FROM

# Fields the database fills in itself; a difference there is no editor's change.
DERIVED_FIELDS = {"created_at", "updated_at", "body_html", "summary"}


class LeftOut(Exception):
    """A new record that cannot be created because what it belongs to is gone."""


def plural(count, singular, plural_form=None):
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


@dataclass
class Report:
    created: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    recognised: list = field(default_factory=list)
    differences: list = field(default_factory=list)  # (record, [field names])
    deleted: list = field(default_factory=list)
    orphaned: list = field(default_factory=list)  # (record, why)
    clashes: list = field(default_factory=list)  # "<where>: <what holds its place>", both named


class SeedRun:
    """One application of a list of checked FixtureRecords (callers own the transaction)."""

    def __init__(self, records):
        self.records = records
        self.seeded = {row.key: row for row in SeedRecord.objects.all()}
        self.seeded_as = {(row.model, row.object_id): row.key for row in self.seeded.values()}
        # Nothing recorded yet: a database seeded before SeedRecord existed (or a
        # new one). Its seed records are recognised by today's natural keys.
        self.recognise_by_natural_key = not self.seeded
        self.keys = {record.key: record for record in records}
        self.objects = {}  # key -> the row the record is in the database
        self.missing = {}  # key -> why the record is not in the database
        self.created_by = {}  # (label, pk) -> record created in this run
        self.new_seed_records = []
        self.report = Report()

    def apply(self):
        self.objects.update(self.load_seeded_rows())
        applied = set()
        for path, file_records in groupby(self.records, key=lambda record: record.path):
            history = FileHistory(path.name)
            for record in file_records:
                if record.key in applied:
                    continue  # another file holds the same record (a shared category)
                applied.add(record.key)
                self.apply_record(record, history)
            history.write()
        SeedRecord.objects.bulk_create(self.new_seed_records)
        return self.report

    def load_seeded_rows(self):
        """The rows of every recorded record in these files, a query per model."""
        wanted = {}  # model -> object id -> keys (an import may record a row twice)
        for record in self.records:
            if row := self.seeded.get(record.key):
                wanted.setdefault(record.model, {}).setdefault(row.object_id, []).append(record.key)
        found = {}
        for model, keys in wanted.items():
            pk = model._meta.pk
            rows = model._default_manager.in_bulk([pk.to_python(i) for i in keys])
            for pk_value, row in rows.items():
                found.update(dict.fromkeys(keys[str(pk_value)], row))
        return found

    def apply_record(self, record, history):
        key = record.key
        if key in self.seeded:
            if key in self.objects:
                self.note_kept(record, self.objects[key], self.report.kept)
            else:
                self.missing[key] = "was deleted since it was seeded"
                self.report.deleted.append(record)
            return
        try:
            instance = self.build(record)
        except LeftOut as why:
            self.missing[key] = "was left out"
            self.report.orphaned.append((record, str(why)))
            return
        match = self.identity_match(record, instance)
        if match is not None:
            if self.recognise_by_natural_key and not self.is_seeded(match):
                self.remember(record, match)
                self.note_kept(record, match, self.report.recognised)
            else:
                self.clash(record, match, identity_fields(record.model) or ("pk",))
            return
        if clash := unique_clash(instance):
            names, other = clash
            self.clash(record, other, names)
            return
        try:
            instance.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise FixtureError(f"{record.where}: {'; '.join(error.messages)}") from None
        history.save(instance)
        self.remember(record, instance)
        self.created_by[(record.label, str(instance.pk))] = record
        self.report.created.append(record)

    def build(self, record):
        """An unsaved instance of the record, its references resolved to rows."""
        values = dict(record.values)
        for name, reference in record.references.items():
            related_field = record.model._meta.get_field(name)
            values[name] = self.resolve(record, related_field, reference)
        if record.translation_of is not None:
            values.update(self.pairing_with_original(record))
        return record.model(**values)

    def pairing_with_original(self, record):
        """The fields that pair a translation with its English original, found
        the way references are (so an original editors re-addressed still pairs):
        the original's translation key, or for an answer the English revision it
        translates (the original's first revision, the text the fixture was made from)."""
        model, identity = record.model, record.translation_of
        key = record_key(model, identity)
        what = f"its English original “{show(identity)}”"
        if key in self.objects:
            original = self.objects[key]
        elif key in self.missing:  # skipped or left out earlier in this run
            raise LeftOut(f"{what} {self.missing[key]}")
        elif seeded := self.seeded.get(key):
            original = model._default_manager.filter(pk=seeded.object_id).first()
            if original is None:
                raise LeftOut(f"{what} was deleted since it was seeded")
        else:
            try:
                original = model._default_manager.get_by_natural_key(*identity)
            except (model.DoesNotExist, TypeError, ValueError):
                raise FixtureError(
                    f"{record.where}: {what} is in neither the fixtures nor the database. "
                    "Load the English fixture first."
                ) from None
        if model is Answer:
            first = original.history.order_by("history_date", "history_id").first()
            return {"translated_from_id": first.pk if first else None}
        return {"translation_key": original.translation_key}

    def resolve(self, record, related_field, reference):
        if reference is None:
            return None
        related = related_field.related_model
        if not identity_fields(related):
            row = related._default_manager.filter(pk=reference).first()
            if row is None:
                raise FixtureError(
                    f"{record.where}: field “{related_field.name}” refers to "
                    f"{related._meta.label_lower} {reference}, which is not in the database."
                )
            return row
        key = record_key(related, reference)
        if key in self.objects:
            return self.objects[key]
        what = f"its {related._meta.verbose_name} “{show(reference)}”"
        if key in self.missing:
            raise LeftOut(f"{what} {self.missing[key]}")
        if seeded := self.seeded.get(key):  # applied by an earlier run, from another file
            row = related._default_manager.filter(pk=seeded.object_id).first()
            if row is None:
                self.missing[key] = "was deleted since it was seeded"
                raise LeftOut(f"{what} {self.missing[key]}")
        else:
            try:
                row = related._default_manager.get_by_natural_key(*reference)
            except related.DoesNotExist:
                if key in self.keys:
                    raise FixtureError(
                        f"{record.where}: refers to {self.keys[key]}, which must come "
                        "before the records that refer to it."
                    ) from None
                raise FixtureError(
                    f"{record.where}: field “{related_field.name}” refers to "
                    f"{related._meta.label_lower} “{show(reference)}”, which is in neither "
                    "the fixtures nor the database."
                ) from None
        self.objects[key] = row
        return row

    def identity_match(self, record, instance):
        """The row that already has this record's identity, with references resolved."""
        names = identity_fields(record.model)
        lookups = {name: getattr(instance, name) for name in names} or {"pk": instance.pk}
        return record.model._default_manager.filter(**lookups).first()

    def is_seeded(self, row):
        return (row._meta.label_lower, str(row.pk)) in self.seeded_as

    def remember(self, record, row):
        self.objects[record.key] = row
        self.seeded_as[(record.label, str(row.pk))] = record.key
        self.new_seed_records.append(
            SeedRecord(
                key=record.key, model=record.label, object_id=str(row.pk), fixture=record.path.name
            )
        )

    def note_kept(self, record, row, bucket):
        bucket.append(record)
        if changed := self.differences(record, row):
            self.report.differences.append((record, changed))

    def differences(self, record, row):
        """The fields an editor changed since the record was seeded (or never seeded)."""
        changed = [
            name
            for name in record.written
            if name not in DERIVED_FIELDS
            and name not in record.references
            and record.values[row._meta.get_field(name).attname]
            != getattr(row, row._meta.get_field(name).attname)
        ]
        for name, reference in record.references.items():
            related_field = row._meta.get_field(name)
            try:
                target = self.resolve(record, related_field, reference)
            except LeftOut:
                target = None
            if getattr(target, "pk", None) != getattr(row, related_field.attname):
                changed.append(name)
        return changed

    def clash(self, record, other, names):
        created = self.created_by.get((other._meta.label_lower, str(other.pk)))
        fields = get_text_list([str(other._meta.get_field(n).verbose_name) for n in names], "and")
        if created is not None:
            raise FixtureError(f"{record.where}: has the same {fields} as {created}.")
        seeded_key = self.seeded_as.get((other._meta.label_lower, str(other.pk)))
        if seeded_key:
            origin = f", seeded as {seeded_key}"
        elif self.recognise_by_natural_key:
            origin = ", seeded before seed_content kept records, or made by an editor"
        else:
            origin = ", made by an editor"
        are = "is" if len(names) == 1 else "are"
        self.missing[record.key] = f"was skipped (its {fields} {are} taken)"
        self.report.clashes.append(
            f"{record.where}: the database's {other._meta.verbose_name} “{other}” "
            f"(id {other.pk}{origin}) already has that {fields}."
        )


def unique_clash(instance):
    """The first unique field or constraint a new row would break: (field names, the row)."""
    meta = instance._meta
    groups = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    groups += [tuple(c.fields) for c in meta.total_unique_constraints]
    groups += [tuple(names) for names in meta.unique_together]
    for names in groups:
        lookups = {}
        for name in names:
            attname = meta.get_field(name).attname
            lookups[attname] = getattr(instance, attname)
        if any(value in (None, "") for value in lookups.values()):
            continue
        if other := meta.model._default_manager.filter(**lookups).first():
            return names, other
    return None


class FileHistory:
    """Saves a file's new rows and writes their history: one row per question and
    answer created, and one per existing answer whose topics or sources it added to."""

    def __init__(self, file_name):
        self.reason = LOADED_FROM % {"file": file_name}
        self.questions, self.answers, self.touched_questions = [], [], set()

    def save(self, instance):
        if isinstance(instance, Question | Answer):
            # Their one history row each is written below, once the topics exist.
            instance.save_without_historical_record()
            (self.questions if isinstance(instance, Question) else self.answers).append(instance)
            return
        instance.save()
        if isinstance(instance, TaggedQuestion):
            self.touched_questions.add(instance.content_object_id)
        elif isinstance(instance, Source):
            self.touched_questions.add(instance.answer.question_id)

    def write(self):
        Question.history.bulk_history_create(self.questions, default_change_reason=self.reason)
        for answer in self.answers:
            # bulk_history_create sends no signals, so the revision snapshot
            # (question wording, topics, sources) is passed in explicitly.
            Answer.history.bulk_history_create(
                [answer],
                default_change_reason=self.reason,
                custom_historical_attrs=revision_snapshot(answer),
            )
        created = {answer.question_id for answer in self.answers}
        for answer in Answer.objects.filter(question_id__in=self.touched_questions - created):
            Answer.history.bulk_history_create(
                [answer],
                update=True,
                default_change_reason=self.reason,
                custom_historical_attrs=revision_snapshot(answer),
            )


def summary_lines(report, dry_run=False):
    """What a run did (or, dry, would do), in sentences, for the command's output."""
    created = plural(len(report.created), "record")
    kept = plural(len(report.kept) + len(report.recognised), "record")
    if dry_run:
        lines = [f"Would create {created} and leave {kept} in the database as they are."]
    else:
        lines = [f"Created {created}; left {kept} already in the database as they are."]
    if report.differences:
        count = len(report.differences)
        differ, them = ("differs", "it") if count == 1 else ("differ", "them")
        lines.append(
            f"{count} of these {differ} from the fixture files; the database's version stays "
            f"(seed_content -v 2 names {them} and the fields that differ)."
        )
    if report.recognised:
        now = "would be put on that list" if dry_run else "are on that list now"
        lines.append(
            f"Recognised {plural(len(report.recognised), 'record')} seeded before "
            f"seed_content kept a list of what it applied; they {now}."
        )
    if report.deleted:
        kinds = Counter(str(record.model._meta.verbose_name) for record in report.deleted)
        detail = ", ".join(plural(n, kind) for kind, n in sorted(kinds.items()))
        it = "it was" if len(report.deleted) == 1 else "they were"
        lines.append(
            f"Left out {plural(len(report.deleted), 'record')} deleted since {it} seeded "
            f"({detail}); a restart never brings back what editors deleted."
        )
    if report.orphaned:
        lines.append(
            f"Left out {plural(len(report.orphaned), 'new record')} whose guide, question "
            "or topic is not in the database (named above)."
        )
    if report.clashes:
        lines.append(
            f"Skipped {plural(len(report.clashes), 'new record')} that "
            f"{clash_verb(len(report.clashes))} with the database's content (named above); "
            "seed_content --strict makes that an error."
        )
    return lines


def clash_verb(count):
    return "clashes" if count == 1 else "clash"
