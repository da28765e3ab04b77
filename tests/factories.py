"""Small builders for test data; each returns saved objects. And one request helper."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from faq.models import Answer, Category, Guide, Question


def make_guide(slug="test-guide", *, is_published=True, category=None, **fields):
    if category is None:
        category, _ = Category.objects.get_or_create(name="Federal Government", slug="federal")
    fields.setdefault("title", slug.replace("-", " ").title())
    return Guide.objects.create(slug=slug, category=category, is_published=is_published, **fields)


def make_question(
    guide, position=1, *, status=Question.Status.PUBLISHED, body=None, topics=(), text=None
):
    question = Question.objects.create(
        guide=guide,
        position=position,
        text=text or f"Question number {position} about DMV records?",
        status=status,
    )
    Answer.objects.create(question=question, body=body or f"Answer number {position}.")
    if topics:
        question.tags.add(*topics)
    return question


def make_guide_with_questions(count, slug="test-guide", topics=("Privacy", "Illinois law")):
    guide = make_guide(slug)
    questions = [make_question(guide, position, topics=topics) for position in range(1, count + 1)]
    return guide, questions


def make_staff(username, *groups):
    """A staff login in the named groups ("Editors", "Publishers"), made after migrate."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username, password="pw-for-tests", is_staff=True)
    user.groups.set(Group.objects.filter(name__in=groups))
    return user


def answer_form_data(answer, **changes):
    """The answer's edit form as a browser posts it, with its sources inline.

    On a published question the source rows are the draft's (or, with no draft,
    copies of the live ones), all new rows: faq/admin/answer_sources.py."""
    question = answer.question
    for_draft = question.status == Question.Status.PUBLISHED
    if for_draft and answer.has_draft:
        wording, topics = answer.draft_question_text, answer.draft_topics
        sources = list(answer.draft_sources)
    else:
        wording, topics = question.text, [t.name for t in question.tags.all()]
        sources = list(answer.sources.all())
    data = {
        "question_text": wording,
        "topics": ", ".join(topics),
        "body": answer.draft_body if answer.has_draft else answer.body,
        # A browser posts what the form shows: a waiting draft's note and flag.
        "change_note": answer.draft_change_note if answer.has_draft else "",
        "is_minor": "on" if answer.has_draft and answer.draft_is_minor else None,
        "base_version": answer.version,
        "last_reviewed": answer.last_reviewed.isoformat() if answer.last_reviewed else "",
        "review_interval_days": answer.review_interval_days,
        "sources-TOTAL_FORMS": len(sources),
        "sources-INITIAL_FORMS": 0 if for_draft else len(sources),
        "sources-MIN_NUM_FORMS": 0,
        "sources-MAX_NUM_FORMS": 1000,
    }
    for index, source in enumerate(sources, start=0):
        row = source if isinstance(source, dict) else {"title": source.title, "url": source.url}
        data.update(
            {
                f"sources-{index}-answer": answer.pk,
                f"sources-{index}-position": index + 1 if for_draft else source.position,
                f"sources-{index}-title": row["title"],
                f"sources-{index}-url": row["url"],
            }
        )
        if not for_draft:
            data[f"sources-{index}-id"] = source.pk
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def question_form_data(question, **changes):
    """The question screen's form (place and address) as a browser posts it."""
    data = {
        "guide": question.guide_id,
        "position": question.position,
        "slug": question.slug,
        "opened_at": question.updated_at.isoformat(),
    }
    data.update(changes)
    return data


def get_counting_queries(client, url, **headers):
    """GET `url`: the response and how many SQL queries it made (0 when the page
    cache answered)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def make_spanish_guide(english, slug=None, *, is_published=True, **fields):
    """The Spanish version of an English guide (same translation key)."""
    category, _ = Category.objects.get_or_create(name="Gobierno federal", slug="gobierno-federal")
    fields.setdefault("title", f"Guía {english.title}")
    return Guide.objects.create(
        slug=slug or f"{english.slug}-es",
        category=category,
        is_published=is_published,
        language="es",
        translation_key=english.translation_key,
        **fields,
    )


def make_translation(english_question, spanish_guide, *, text=None, body=None, **options):
    """The Spanish version of an English question and answer, linked to the English
    answer's newest revision; topics are given as Spanish topic names."""
    from faq.models import Topic

    topics = options.pop("topics", ())
    question = Question.objects.create(
        guide=spanish_guide,
        position=english_question.position,
        text=text or f"¿Pregunta número {english_question.position} sobre el DMV?",
        status=options.pop("status", Question.Status.PUBLISHED),
        translation_key=english_question.translation_key,
    )
    english_answer = english_question.answer
    Answer.objects.create(
        question=question,
        body=body or f"Respuesta número {english_question.position}.",
        translated_from=english_answer.history.order_by("-history_date").first(),
    )
    for name in topics:
        topic, _ = Topic.objects.get_or_create(name=name, defaults={"language": "es"})
        question.tags.add(topic)
    return question


def add_authenticator(user):
    """A confirmed authenticator app (TOTP device) for `user`, as set up in the admin."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


def current_code(device):
    """The code `device`'s app shows now, computed from its key as the app does;
    the next step's when this one was used already (a code works once)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if totp.t() <= device.last_t:
        totp.time += device.step  # within the device's tolerance of one step
    return f"{totp.token():0{device.digits}d}"


def verify_second_factor(client, user):
    """Mark `client`'s session as having given `user`'s second factor, as a
    login with a code does (django-otp keeps the device's id in the session)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or add_authenticator(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


def publish_now(client, answer):
    """A publisher's "Publish now without review…" on the answer screen, confirmed:
    publishes what the answer's form last saved (faq/admin/workflow_views.py)."""
    from django.urls import reverse

    return client.post(reverse("admin:faq_answer_publish_urgently", args=[answer.pk]))
