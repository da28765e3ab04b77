"""The public site's views, by page; every name is importable from faq.views.

Tests that change a page size set it on the module that reads it
(faq.views.pages.PAGE_SIZE, faq.views.search_page.SEARCH_PAGE_SIZE).
"""

from .changes import (
    CHANGES_PAGE_SIZE,
    DIFF_CONTEXT_WORDS,
    Change,
    first_published,
    public_changes,
    question_changes,
)
from .health import (
    HEALTH_CHECK_TIMEOUT_MS,
    database_writable,
    healthz,
    logger,
    robots_txt,
    set_sqlite_busy_timeout,
)
from .pages import (
    PAGE_SIZE,
    GuideDetailView,
    HomeView,
    TopicDetailView,
    TopicListView,
    paginate,
    published_questions,
)
from .question_page import (
    QUESTION_LINK_FIELDS,
    RELATED_CANDIDATES,
    RELATED_LIMIT,
    QuestionDetailView,
    answer_sources,
    build_related_questions,
    fields_in_row,
    linked_question,
    load_question_page,
    model_from_row,
    neighbouring_question,
    question_page_row,
    question_topics,
    questions_by_id,
    related_question_rows,
    related_questions,
)
from .search_page import MAX_QUERY_DISPLAY, SEARCH_PAGE_SIZE, clean_query, page_number, search_view

__all__ = [
    "CHANGES_PAGE_SIZE",
    "DIFF_CONTEXT_WORDS",
    "HEALTH_CHECK_TIMEOUT_MS",
    "MAX_QUERY_DISPLAY",
    "PAGE_SIZE",
    "QUESTION_LINK_FIELDS",
    "RELATED_CANDIDATES",
    "RELATED_LIMIT",
    "SEARCH_PAGE_SIZE",
    "Change",
    "GuideDetailView",
    "HomeView",
    "QuestionDetailView",
    "TopicDetailView",
    "TopicListView",
    "answer_sources",
    "build_related_questions",
    "clean_query",
    "database_writable",
    "fields_in_row",
    "first_published",
    "healthz",
    "linked_question",
    "load_question_page",
    "logger",
    "model_from_row",
    "neighbouring_question",
    "page_number",
    "paginate",
    "public_changes",
    "published_questions",
    "question_changes",
    "question_page_row",
    "question_topics",
    "questions_by_id",
    "related_question_rows",
    "related_questions",
    "robots_txt",
    "search_view",
    "set_sqlite_busy_timeout",
]
