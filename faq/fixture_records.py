"""Seed fixture files, read and checked whole before anything is written.

Each record is named by its identity as written in its file: the model and
its natural key there (a guide's slug, a question's guide slug and slug, a
topic's name). Editors may change those values in the database, never in the
file, so a record keeps its identity however its content is edited later;
faq/seeding.py remembers which identities a database has applied.

Every problem is reported with the file, the record and what is wrong, so an
operator can fix the file without reading a traceback.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models

# How records of each model are recognised: the fields of its natural key, in
# the order Django writes them when another record refers to it (a question
# names its guide as ["<guide slug>"], an answer its question as
# ["<guide slug>", "<question slug>"]). Models not listed need a "pk".
IDENTITY = {
    "faq.category": ("slug",),
    "faq.guide": ("slug",),
    "faq.topic": ("name",),
    "faq.question": ("guide", "slug"),
    "faq.answer": ("question",),
    "faq.taggedquestion": ("content_object", "tag"),
}
RECORD_KEYS = {"model", "fields", "pk"}
# Models whose records may name an English original to pair with.
TRANSLATABLE = {"faq.guide", "faq.question", "faq.topic", "faq.answer"}


class FixtureError(Exception):
    """A fixture that cannot be loaded as written; the message says where and why."""


def identity_fields(model):
    return IDENTITY.get(model._meta.label_lower, ())


def key_length(model):
    """How many values the model's natural key has once references are spelled out."""
    fields = identity_fields(model)
    if not fields:
        return 1
    return sum(
        key_length(field.related_model) if field.is_relation else 1
        for field in map(model._meta.get_field, fields)
    )


def record_key(model, identity):
    """The text a SeedRecord stores: the model and the identity as written."""
    return f"{model._meta.label_lower} {json.dumps(list(identity), ensure_ascii=False)}"


def show(identity):
    return "/".join(str(part) for part in identity)


@dataclass
class FixtureRecord:
    path: Path
    number: int  # its place in the file, from 1
    model: type
    values: dict  # attname -> value for plain fields, already converted
    references: dict  # field name -> the reference as written (a natural key list or a pk)
    written: dict  # the "fields" object as written
    identity: list
    # A translation names its English original by that record's identity
    # ("translation_of"); the original must be seeded first (faq/translations.py).
    translation_of: list | None = None

    @property
    def label(self):
        return self.model._meta.label_lower

    @property
    def key(self):
        return record_key(self.model, self.identity)

    def __str__(self):
        return f"record {self.number} ({self.label} “{show(self.identity)}”)"

    @property
    def where(self):
        return f"{self.path}: {self}"


def read_fixture(path):
    """Every record of one fixture file, checked; raises FixtureError on the first problem."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise FixtureError(f"{path}: cannot read the file ({error.strerror}).") from error
    if not data.strip():
        raise FixtureError(f"{path}: the file is empty; a fixture is a JSON list of records.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FixtureError(
            f"{path}: line {line}: not UTF-8 text (byte {error.start + 1} cannot be read); "
            "save the file as UTF-8."
        ) from error
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise FixtureError(
            f"{path}: line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})."
        ) from error
    if not isinstance(raw, list):
        raise FixtureError(f"{path}: a fixture must be a JSON list of records, not a single value.")
    records, first_seen = [], {}
    for number, item in enumerate(raw, start=1):
        record = read_record(path, number, item)
        if record.key in first_seen:
            raise FixtureError(
                f"{record.where}: a duplicate of record {first_seen[record.key]}; "
                "a file may hold each record once."
            )
        first_seen[record.key] = number
        records.append(record)
    return records


def read_record(path, number, item):
    where = f"{path}: record {number}"
    if not isinstance(item, dict):
        raise FixtureError(f"{where}: a record is a JSON object with “model” and “fields”.")
    label, fields = item.get("model"), item.get("fields")
    if not isinstance(label, str) or not isinstance(fields, dict):
        raise FixtureError(f"{where}: each record needs “model” and “fields”.")
    if unknown := sorted(set(item) - RECORD_KEYS):
        raise FixtureError(
            f"{where}: unknown key “{unknown[0]}”; a record has “model”, “fields” and, "
            "for models without a natural key, “pk”."
        )
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as error:
        raise FixtureError(f"{where}: unknown model “{label}”.") from error
    where = f"{where} ({model._meta.label_lower} “{show(written_identity(model, item))}”)"
    fields = dict(fields)
    translation_of = fields.pop("translation_of", None)
    if translation_of is not None and (
        label.lower() not in TRANSLATABLE or not isinstance(translation_of, list)
    ):
        raise FixtureError(
            f"{where}: “translation_of” names the English original's natural key as a list, "
            f"on {', '.join(sorted(TRANSLATABLE))} records only."
        )
    values, references = read_fields(where, model, fields)
    identity = read_identity(where, model, item, fields)
    if not identity_fields(model):
        values[model._meta.pk.attname] = identity[0]
    check_values(where, model, values, references, fields)
    return FixtureRecord(path, number, model, values, references, fields, identity, translation_of)


def written_identity(model, item):
    """The identity as far as the record spells it out, for messages."""
    if not identity_fields(model):
        return [item.get("pk", "?")]
    parts = []
    for name in identity_fields(model):
        value = item["fields"].get(name, "?")
        parts.extend(value if isinstance(value, list) else [value])
    return parts


def loadable_fields(model):
    return [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.editable and not field.many_to_many
    ]


def read_fields(where, model, fields):
    values, references = {}, {}
    for name, value in fields.items():
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise FixtureError(
                f"{where}: unknown field “{name}”; {model._meta.label_lower} has "
                f"{', '.join(loadable_fields(model))}."
            ) from None
        if field.many_to_many or not field.concrete or field.primary_key:
            raise FixtureError(
                f"{where}: field “{name}” cannot be loaded here (for topics of a question, "
                "add faq.taggedquestion records)."
            )
        if field.is_relation:
            references[name] = read_reference(where, field, value)
            continue
        is_text = isinstance(field, models.CharField | models.TextField)
        if is_text and not isinstance(value, str) and not (value is None and field.null):
            raise FixtureError(f"{where}: field “{name}” must be text, not {json_type(value)}.")
        try:
            values[field.attname] = field.to_python(value)
        except ValidationError as error:
            raise FixtureError(f"{where}: field “{name}”: {sentences(error)}") from None
    return values, references


JSON_TYPES = {bool: "true or false", int: "a number", float: "a number", list: "a list"}


def sentences(error):
    """A ValidationError's messages, each once (a URLField's two validators say the same)."""
    return " ".join(dict.fromkeys(error.messages))


def json_type(value):
    if isinstance(value, dict):
        return "an object"
    return "null" if value is None else JSON_TYPES.get(type(value), type(value).__name__)


def read_reference(where, field, value):
    related = field.related_model
    if value is None:
        if field.null:
            return None
        raise FixtureError(f"{where}: field “{field.name}” is required.")
    if identity_fields(related):
        length = key_length(related)
        if (
            not isinstance(value, list)
            or len(value) != length
            or not all(isinstance(part, str | int) and part != "" for part in value)
        ):
            raise FixtureError(
                f"{where}: field “{field.name}” must name a {related._meta.label_lower} record "
                f"by its natural key, a list of {length} value(s) such as "
                f"{json.dumps(['…'] * length, ensure_ascii=False)}."
            )
        return value
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise FixtureError(f"{where}: field “{field.name}” must be the pk of a record.")
    return value


def read_identity(where, model, item, fields):
    names = identity_fields(model)
    if not names:
        if "pk" not in item:
            raise FixtureError(
                f"{where}: needs “pk”: {model._meta.label_lower} records have no natural key "
                "to be recognised by."
            )
        try:
            return [model._meta.pk.to_python(item["pk"])]
        except ValidationError as error:
            raise FixtureError(f"{where}: “pk”: {sentences(error)}") from None
    if "pk" in item:
        raise FixtureError(
            f"{where}: “pk” is not used: {model._meta.label_lower} records are recognised by "
            f"{' and '.join(names)}; remove it."
        )
    identity = []
    for name in names:
        value = fields.get(name)
        if value in (None, "", []):
            raise FixtureError(f"{where}: missing field “{name}”, which names the record.")
        identity.extend(value if isinstance(value, list) else [value])
    return identity


def check_values(where, model, values, references, fields):
    """Each field's own rules (lengths, choices, URL schemes) and every required field present."""
    for field in model._meta.concrete_fields:
        if field.is_relation and not field.null and field.name not in references:
            raise FixtureError(f"{where}: missing field “{field.name}”.")
    relations = [f.name for f in model._meta.concrete_fields if f.is_relation]
    try:
        model(**values).clean_fields(exclude=relations)
    except ValidationError as error:
        problems = []
        for name, messages in error.message_dict.items():
            prefix = "field" if name in fields else "missing field"
            problems.append(f"{prefix} “{name}”: {' '.join(dict.fromkeys(messages))}")
        raise FixtureError(f"{where}: {'; '.join(problems)}") from None
