from django.urls import path

from . import views
from .feeds import AnswerUpdatesFeed

app_name = "faq"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.search_view, name="search"),
    path("feeds/updates.atom", AnswerUpdatesFeed(), name="feed"),
    path("healthz", views.healthz, name="healthz"),
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
