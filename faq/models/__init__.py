"""The faq app's models, split by what they do. Everything code, tests and
migrations import from `faq.models` is re-exported here."""

from .answers import (
    MAX_ANSWER_LENGTH,
    SUMMARY_WORDS,
    Answer,
    AnswerQuerySet,
    AnswerRevision,
    Source,
    summarize,
)
from .guides import (
    RESERVED_GUIDE_SLUGS,
    Category,
    CategoryManager,
    Guide,
    GuideQuerySet,
    language_field,
    slug_from_text,
    translation_key_field,
    validate_guide_slug,
)
from .questions import (
    Question,
    QuestionQuerySet,
    RemembersSavedValues,
    TaggedQuestion,
    TaggedQuestionManager,
    Topic,
)
from .signals import (
    fill_revision_snapshot,
    index_fixture_load,
    remove_deleted_question_from_search,
    render_answer_for_fixture_load,
    revision_snapshot,
)
from .site import SeedRecord, SiteNotice

# isort: split
# Last, as before the split, so the faq app lists its models in the same order.
from ..search_models import SearchCount, SearchVisibility, SpellingWord, SynonymGroup

# simple-history names a historical model's module after its model's, and for
# a model outside `faq.models` itself it picks the app package, `faq`, where the
# class is not. Keep them at faq.models.HistoricalGuide and so on, as before the
# split: the shell's auto-imports and pickle look a class up by module and name.
HistoricalAnswer = Answer.history.model
HistoricalCategory = Category.history.model
HistoricalGuide = Guide.history.model
HistoricalQuestion = Question.history.model
HistoricalSiteNotice = SiteNotice.history.model
HistoricalTopic = Topic.history.model
for _historical in (
    HistoricalAnswer,
    HistoricalCategory,
    HistoricalGuide,
    HistoricalQuestion,
    HistoricalSiteNotice,
    HistoricalTopic,
):
    _historical.__module__ = __name__
del _historical

__all__ = [
    "MAX_ANSWER_LENGTH",
    "RESERVED_GUIDE_SLUGS",
    "SUMMARY_WORDS",
    "Answer",
    "AnswerQuerySet",
    "AnswerRevision",
    "Category",
    "CategoryManager",
    "Guide",
    "GuideQuerySet",
    "HistoricalAnswer",
    "HistoricalCategory",
    "HistoricalGuide",
    "HistoricalQuestion",
    "HistoricalSiteNotice",
    "HistoricalTopic",
    "Question",
    "QuestionQuerySet",
    "RemembersSavedValues",
    "SearchCount",
    "SearchVisibility",
    "SeedRecord",
    "SiteNotice",
    "Source",
    "SpellingWord",
    "SynonymGroup",
    "TaggedQuestion",
    "TaggedQuestionManager",
    "Topic",
    "fill_revision_snapshot",
    "index_fixture_load",
    "language_field",
    "remove_deleted_question_from_search",
    "render_answer_for_fixture_load",
    "revision_snapshot",
    "slug_from_text",
    "summarize",
    "translation_key_field",
    "validate_guide_slug",
]
