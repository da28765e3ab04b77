"""Small builders for test data; each returns saved objects."""

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
