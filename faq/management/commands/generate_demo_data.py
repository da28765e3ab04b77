"""Generate a large, realistic demo dataset for benchmarks and scale tests.

    manage.py generate_demo_data --guides 50 --questions 10000 --revisions 3
    manage.py generate_demo_data --language es --force   # Spanish demo guides beside them

Creates published guides (slugs start with "demo-") in a "Demo guides"
category, questions with Markdown answers, one to three sources and one to
three topics each, and `--revisions` history rows per answer (the last one is
the live text; every other one is a real change with a change note). Rows are
written with bulk_create in one transaction, 5,000 questions at a time, and
each answer text is rendered from Markdown once per subject and revision, so
100,000 questions in 1,000 guides take a few minutes and memory stays flat.

With --language es the guides, questions, answers and topics are in Spanish
(slugs start with "demo-es-"), so Spanish search is measured at the same size.
It refuses to run against a database holding content that is not demo data
(an editor's real guides) unless --force is given, and refuses to run twice
for one language (its demo guides already present). The search index is rebuilt and the page
cache invalidated at the end.
"""

import random
from datetime import timedelta
from functools import cache

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from faq import search
from faq.cache import bump_stamp
from faq.markdown import render_markdown
from faq.models import (
    Answer,
    Category,
    Guide,
    Question,
    Source,
    TaggedQuestion,
    Topic,
    summarize,
)

DEMO_PREFIX = "demo-"
# The history rows' reason, translated when shown (AnswerAdmin.what_happened).
GENERATED = gettext_noop("Generated demo data")
SUBJECTS = [
    "driver's license records",
    "vehicle registration data",
    "facial recognition searches",
    "license plate readers",
    "address changes",
    "REAL ID documents",
    "temporary visitor licenses",
    "commercial driver records",
    "traffic court records",
    "organ donor registrations",
]
TOPICS = [
    "Privacy",
    "Illinois law",
    "ICE",
    "Data sharing",
    "Driver's licenses",
    "Immigration",
    "Law enforcement",
    "Public records",
    "Federal agencies",
    "Your rights",
    "Courts",
    "Technology",
]
PARAGRAPH = (
    "The Secretary of State's office keeps {subject} for every resident who applies. "
    "State law limits who may see them and why, and each request from another agency is "
    "logged. Question {number} explains what that means for you in practice, including "
    "when an agency needs a court order and when it does not."
)
STEP = "{step}. Step {step}: check the notice you received about {subject}."
REVISED = "Revised text, version {version}."
QUESTION = "Can the state share my {subject} with others ({number})?"

# The same content in Spanish (--language es): one guide in each language
# makes Spanish search as large as English search.
SPANISH = {
    "prefix": DEMO_PREFIX + "es-",
    "category": ("demo-es", "Guías de demostración"),
    "guide": "Guía de demostración {number}: {subject}",
    "summary": "Contenido de demostración generado sobre {subject}.",
    "subjects": [
        "los registros de licencias de conducir",
        "los datos de registro de vehículos",
        "las búsquedas por reconocimiento facial",
        "los lectores de placas",
        "los cambios de domicilio",
        "los documentos REAL ID",
        "las licencias temporales para visitantes",
        "los registros de conductores comerciales",
        "los expedientes de tribunales de tránsito",
        "los registros de donantes de órganos",
    ],
    "topics": [
        "Privacidad de datos",
        "Ley de Illinois",
        "Servicio de inmigración",
        "Intercambio de información",
        "Licencias",
        "Inmigración",
        "Policía",
        "Registros públicos",
        "Agencias federales",
        "Sus derechos",
        "Tribunales",
        "Tecnología",
    ],
    "paragraph": (
        "La Oficina del Secretario de Estado guarda {subject} de cada residente que lo "
        "solicita. La ley estatal limita quién puede verlos y por qué, y cada solicitud de "
        "otra agencia queda registrada. La pregunta {number} explica qué significa eso para "
        "usted en la práctica, incluso cuándo una agencia necesita una orden judicial y "
        "cuándo no."
    ),
    "step": "{step}. Paso {step}: revise el aviso que recibió sobre {subject}.",
    "revised": "Texto revisado, versión {version}.",
    "question": "¿Puede el estado compartir {subject} con otros ({number})?",
}
ENGLISH = {
    "prefix": DEMO_PREFIX,
    "category": ("demo", "Demo guides"),
    "guide": "Demo guide {number}: {subject}",
    "summary": "Generated demo content about {subject}.",
    "subjects": SUBJECTS,
    "topics": TOPICS,
    "paragraph": PARAGRAPH,
    "step": STEP,
    "revised": REVISED,
    "question": QUESTION,
}
TEXTS = {"en": ENGLISH, "es": SPANISH}


def answer_body(number, subject, revision, language="en"):
    texts = TEXTS[language]
    paragraphs = [texts["paragraph"].format(subject=subject, number=number)] * 3
    steps = "\n".join(texts["step"].format(step=step, subject=subject) for step in (1, 2, 3))
    note = "\n\n" + texts["revised"].format(version=revision + 1) if revision else ""
    return "\n\n".join(paragraphs) + "\n\n" + steps + note


def analyze_content_tables():
    """Fresh planner statistics after the bulk load (PostgreSQL). Without them the
    planner takes 10,000-row tables for empty ones until autovacuum runs, and can
    join questions and answers by scanning both in a nested loop (minutes)."""
    if connection.vendor != "postgresql":
        return
    tables = [
        model._meta.db_table for model in (Guide, Question, Answer, Source, Topic, TaggedQuestion)
    ] + [Answer.history.model._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class Command(BaseCommand):
    help = "Generate demo guides, questions, answers, sources, topics and history in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--guides", type=int, default=50)
        parser.add_argument("--questions", type=int, default=10_000, help="In all guides.")
        parser.add_argument(
            "--revisions", type=int, default=3, help="History rows per answer (at least 1)."
        )
        parser.add_argument("--seed", type=int, default=6, help="Random seed, for repeatability.")
        parser.add_argument(
            "--language", choices=sorted(TEXTS), default="en", help="The content's language."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Add demo data even though the database holds other content.",
        )

    def handle(self, *args, guides, questions, revisions, seed, force, language="en", **options):
        if guides < 1 or questions < guides or revisions < 1:
            raise CommandError(
                "Need at least one guide, at least as many questions as guides, "
                "and at least one revision."
            )
        self.language, self.texts = language, TEXTS[language]
        demo = Guide.objects.filter(slug__startswith=self.texts["prefix"], language=language)
        if demo.exists():
            raise CommandError("Demo data is already loaded here; use a fresh database.")
        other = Guide.objects.exclude(slug__startswith=DEMO_PREFIX).count()
        if other and not force:
            raise CommandError(
                f"This database holds {other} guide(s) that are not demo data. "
                "Use a throwaway database, or --force to add demo data beside them."
            )
        self.random = random.Random(seed)
        with transaction.atomic():
            counts = self.generate(guides, questions, revisions)
            transaction.on_commit(bump_stamp)  # bulk_create sends no signals
        search.tidy_after_bulk_load()
        self.stdout.write(
            self.style.SUCCESS(
                "Created {guides} guides, {questions} questions, {sources} sources, "
                "{history} history rows.".format(**counts)
            )
        )

    def generate(self, guide_count, question_count, revisions):
        texts, language = self.texts, self.language
        slug, name = texts["category"]
        category, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": 99}
        )
        subjects = texts["subjects"]
        guides = Guide.objects.bulk_create(
            Guide(
                title=texts["guide"].format(number=number, subject=subjects[number % 10]),
                slug=f"{texts['prefix']}guide-{number}",
                summary=texts["summary"].format(subject=subjects[number % 10]),
                category=category,
                position=number,
                is_published=True,
                language=language,
            )
            for number in range(1, guide_count + 1)
        )
        names = texts["topics"]
        topics = {topic.name: topic for topic in Topic.objects.filter(name__in=names)}
        missing = [name for name in names if name not in topics]
        for topic in Topic.objects.bulk_create(
            Topic(name=name, slug=Topic().slugify(name), language=language) for name in missing
        ):
            topics[topic.name] = topic
        self.topics, self.now, self.revisions = topics, timezone.now(), revisions
        counts = {"guides": len(guides), "questions": 0, "sources": 0, "history": 0}
        # In chunks, so memory stays flat however many questions are asked for.
        for first in range(0, question_count, CHUNK):
            chunk = self.generate_chunk(guides, range(first, min(first + CHUNK, question_count)))
            for name, count in chunk.items():
                counts[name] += count
            reset_queries()  # with DEBUG on, Django keeps every query's SQL otherwise
        search.rebuild_index()  # bulk_create wrote no index rows
        analyze_content_tables()
        return counts

    def generate_chunk(self, guides, indexes):
        guide_count = len(guides)
        question_objects = []
        for index in indexes:
            position = index // guide_count + 1
            subject = self.texts["subjects"][index % 10]
            question_objects.append(
                Question(
                    guide=guides[index % guide_count],
                    position=position,
                    text=self.texts["question"].format(subject=subject, number=index + 1),
                    slug=f"question-{position}",
                    status=Question.Status.PUBLISHED,
                    language=self.language,  # bulk_create calls no save()
                )
            )
        questions = Question.objects.bulk_create(question_objects, batch_size=1000)

        answers, history, sources, tagged = [], [], [], []
        for index, question in zip(indexes, questions, strict=True):
            subject = self.texts["subjects"][index % 10]
            answer = Answer(
                question=question,
                body=answer_body(index + 1, subject, self.revisions - 1, self.language),
                change_note="Generated demo text."
                if self.revisions == 1
                else "Clarified the steps.",
                last_reviewed=(self.now - timedelta(days=self.random.randrange(400))).date(),
            )
            # bulk_create calls no save(): the HTML, summary and public dates are
            # set here, as prepare_for_save() would, from one render per text.
            answer.body_html, answer.summary = rendered(
                index + 1, subject, self.revisions - 1, self.language
            )
            answer.review_due = answer.last_reviewed + timedelta(days=answer.review_interval_days)
            answer.record_text_change(self.now)
            answers.append(answer)
            for topic_name in self.random.sample(self.texts["topics"], self.random.randint(1, 3)):
                tagged.append(TaggedQuestion(content_object=question, tag=self.topics[topic_name]))
        answers = Answer.objects.bulk_create(answers, batch_size=1000)

        for index, answer in zip(indexes, answers, strict=True):
            for position in range(self.random.randint(1, 3)):
                sources.append(
                    Source(
                        answer=answer,
                        title=f"Illinois Vehicle Code, section {index % 97 + 1}-{position + 1}",
                        url=f"https://www.ilga.gov/legislation/demo/{index + 1}/{position + 1}",
                        position=position,
                    )
                )
            history.extend(self.answer_history(answer, index))
        Source.objects.bulk_create(sources, batch_size=2000)
        TaggedQuestion.objects.bulk_create(tagged, batch_size=2000)
        Answer.history.model.objects.bulk_create(history, batch_size=1000)
        Question.history.bulk_history_create(
            questions, default_change_reason=GENERATED, default_date=self.now
        )
        return {
            "questions": len(questions),
            "sources": len(sources),
            "history": len(history) + len(questions),
        }

    def answer_history(self, answer, index):
        """`revisions` history rows, oldest first, the last one matching the live answer."""
        subject = self.texts["subjects"][index % 10]
        rows = []
        for revision in range(self.revisions):
            body = answer_body(index + 1, subject, revision, self.language)
            html = (
                answer.body_html
                if revision == self.revisions - 1
                else body_html(index + 1, subject, revision, self.language)
            )
            rows.append(
                Answer.history.model(
                    id=answer.pk,
                    question_id=answer.question_id,
                    body=body,
                    body_html=html,
                    change_note="First version." if revision == 0 else "Clarified the steps.",
                    is_minor=False,
                    last_reviewed=answer.last_reviewed,
                    review_interval_days=answer.review_interval_days,
                    created_at=self.now,
                    updated_at=self.now,
                    history_date=self.now - timedelta(days=30 * (self.revisions - revision)),
                    history_type="+" if revision == 0 else "~",
                    history_change_reason=GENERATED,
                )
            )
        return rows


CHUNK = 5_000  # questions written per round of bulk_create
NUMBER = "QUESTIONNUMBER"  # letters only: Markdown leaves it alone


@cache
def rendered_template(subject, revision, language="en"):
    html = render_markdown(answer_body(NUMBER, subject, revision, language))
    return html, summarize(html)


def body_html(number, subject, revision, language="en"):
    return rendered_template(subject, revision, language)[0].replace(NUMBER, str(number))


def rendered(number, subject, revision, language="en"):
    """The answer's HTML and summary: what Answer.prepare_for_save() makes of
    answer_body(), rendered once per subject and revision (Markdown takes about
    a millisecond a text, 100,000 texts would take minutes)."""
    html, summary = rendered_template(subject, revision, language)
    return html.replace(NUMBER, str(number)), summary.replace(NUMBER, str(number))
