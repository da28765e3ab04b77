from django.urls import path

from . import views
from .feeds import AnswerUpdatesFeed, SpanishAnswerUpdatesFeed
from .languages import SPANISH

app_name = "faq"

# Spanish pages: /es/ with Spanish route words and the Spanish guides' own
# slugs. Each has the name of its English twin with "es_" before it
# (faq/languages.py); the `language` argument tells the view which content to show.
ES = {"language": SPANISH}
spanish_patterns = [
    path("es/", views.HomeView.as_view(), ES, name="es_home"),
    path("es/buscar/", views.search_view, ES, name="es_search"),
    path("es/feeds/actualizaciones.atom", SpanishAnswerUpdatesFeed(), name="es_feed"),
    path("es/temas/", views.TopicListView.as_view(), ES, name="es_topics"),
    path("es/temas/<str:topic_slug>/", views.TopicDetailView.as_view(), ES, name="es_topic"),
    path("es/<slug:guide_slug>/", views.GuideDetailView.as_view(), ES, name="es_guide"),
    path(
        "es/<slug:guide_slug>/<slug:question_slug>/",
        views.QuestionDetailView.as_view(),
        ES,
        name="es_question",
    ),
    path(
        "es/<slug:guide_slug>/<slug:question_slug>/cambios/",
        views.question_changes,
        ES,
        name="es_question_changes",
    ),
]

urlpatterns = [
    *spanish_patterns,
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search_view, name="search"),
    path("feeds/updates.atom", AnswerUpdatesFeed(), name="feed"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/schedules", views.healthz_schedules, name="healthz_schedules"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<str:topic_slug>/", views.TopicDetailView.as_view(), name="topic"),
    path("<slug:guide_slug>/", views.GuideDetailView.as_view(), name="guide"),
    path(
        "<slug:guide_slug>/<slug:question_slug>/",
        views.QuestionDetailView.as_view(),
        name="question",
    ),
    path(
        "<slug:guide_slug>/<slug:question_slug>/changes/",
        views.question_changes,
        name="question_changes",
    ),
]
