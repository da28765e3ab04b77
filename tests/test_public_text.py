"""Topics, guides, categories and the site notice are public text: what readers
see changes only by a publisher, and every change is a history row with its
user (issue 12: an Editor could rename a live topic, unrecorded)."""

from django.test import TestCase
from django.urls import reverse

from faq.models import Category, Guide, Question, SiteNotice, Topic

from .factories import make_guide, make_question, make_staff
from .test_permissions import FormFields


class PublicTopicTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = make_staff("eddie", "Editors")
        cls.publisher = make_staff("pat", "Editors", "Publishers")
        guide = make_guide()
        make_question(guide, 1, topics=["Privacy"])
        make_question(guide, 2, status=Question.Status.DRAFT, topics=["Not yet public"])
        cls.live = Topic.objects.get(name="Privacy")
        cls.unused = Topic.objects.get(name="Not yet public")

    def rename(self, user, topic, name):
        self.client.force_login(user)
        url = reverse("admin:faq_topic_change", args=[topic.pk])
        data = {"name": name, "slug": topic.slug, "description": "", "language": topic.language}
        return self.client.post(url, data)

    def test_an_editor_sees_a_live_topic_read_only(self):
        self.client.force_login(self.editor)
        page = self.client.get(reverse("admin:faq_topic_change", args=[self.live.pk]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, 'name="name"')
        self.assertContains(page, "Privacy")

    def test_an_editor_cannot_rename_a_live_topic(self):
        rows = Topic.history.filter(id=self.live.pk).count()
        response = self.rename(self.editor, self.live, "Renamed by an editor")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(Topic.objects.get(pk=self.live.pk).name, "Privacy")
        self.assertEqual(Topic.history.filter(id=self.live.pk).count(), rows)
        # The public page still shows the name.
        self.client.logout()
        self.assertContains(self.client.get(self.live.get_absolute_url()), "Privacy")

    def test_an_editor_may_fix_a_topic_no_reader_sees_yet(self):
        response = self.rename(self.editor, self.unused, "Not public yet")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Topic.objects.get(pk=self.unused.pk).name, "Not public yet")

    def test_a_publisher_renames_a_live_topic_and_the_history_says_who(self):
        response = self.rename(self.publisher, self.live, "Data privacy")
        self.assertEqual(response.status_code, 302)
        row = Topic.history.filter(id=self.live.pk).latest()
        self.assertEqual(
            (row.name, row.history_user, row.history_type), ("Data privacy", self.publisher, "~")
        )
        self.client.logout()
        self.assertContains(self.client.get(self.live.get_absolute_url()), "Data privacy")

    def test_the_topic_history_screen_lists_the_change(self):
        self.rename(self.publisher, self.live, "Data privacy")
        self.client.force_login(self.editor)
        page = self.client.get(reverse("admin:faq_topic_history", args=[self.live.pk]))
        self.assertContains(page, "pat")


class PublicTextHistoryTests(TestCase):
    """Every save of public text, admin or not, leaves one row with its user."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Editors", "Publishers")
        cls.editor = make_staff("eddie", "Editors")

    def test_a_site_notice_change_is_recorded_with_its_publisher(self):
        self.client.force_login(self.publisher)
        self.client.post(
            reverse("admin:faq_sitenotice_add"),
            {"text": "General information.", "language": "en", "is_active": "on"},
        )
        notice = SiteNotice.objects.get()
        url = reverse("admin:faq_sitenotice_change", args=[notice.pk])
        self.client.post(url, {"text": "Not legal advice.", "language": "en", "is_active": "on"})
        rows = SiteNotice.history.filter(id=notice.pk).order_by("history_date")
        self.assertEqual(
            [(r.text, r.history_user, r.history_type) for r in rows],
            [
                ("General information.", self.publisher, "+"),
                ("Not legal advice.", self.publisher, "~"),
            ],
        )

    def test_editors_cannot_touch_guides_categories_or_notices(self):
        guide = make_guide("a-guide")
        notice = SiteNotice.objects.create(text="Shown.")
        self.client.force_login(self.editor)
        for url, data in [
            (reverse("admin:faq_guide_change", args=[guide.pk]), {"title": "Changed"}),
            (reverse("admin:faq_category_change", args=[guide.category.pk]), {"name": "Changed"}),
            (reverse("admin:faq_sitenotice_change", args=[notice.pk]), {"text": "Changed"}),
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertEqual(Guide.objects.get().title, guide.title)
        self.assertEqual(Category.objects.get().name, guide.category.name)
        self.assertEqual(SiteNotice.objects.get().text, "Shown.")

    def test_guides_and_categories_keep_their_history(self):
        guide = make_guide("a-guide")
        guide.title = "A better title"
        guide.save()
        self.assertEqual(
            list(Guide.history.filter(id=guide.pk).values_list("title", "history_type")),
            [("A better title", "~"), ("A Guide", "+")],
        )
        self.assertEqual(Category.history.filter(id=guide.category_id).count(), 1)


class PublisherChangesGuidesTests(TestCase):
    """README "Roles" and "Who may change public text": publishers change live guides
    and categories. The Publishers group only had view on them, so a guide's web
    address or title could be changed by the operator's superuser alone."""

    @classmethod
    def setUpTestData(cls):
        cls.publisher = make_staff("pat", "Editors", "Publishers")
        cls.guide = make_guide("dmv-data-sharing-with-ice-illinois")
        make_question(cls.guide, 1)

    def save(self, url, **changes):
        self.client.force_login(self.publisher)
        page = self.client.get(url)
        self.assertEqual(page.status_code, 200)
        model = page.context["opts"].model_name
        parser = FormFields(f"{model}_form")
        parser.feed(page.content.decode())
        return self.client.post(url, {**parser.data, **changes, "_save": "Save"})

    def test_a_publisher_gives_a_live_guide_a_shorter_web_address(self):
        url = reverse("admin:faq_guide_change", args=[self.guide.pk])
        response = self.save(url, slug="dmv-ice-illinois")
        self.assertEqual(response.status_code, 302)
        row = Guide.history.filter(id=self.guide.pk).latest()
        self.assertEqual((row.slug, row.history_user), ("dmv-ice-illinois", self.publisher))
        self.client.logout()
        self.assertEqual(self.client.get("/dmv-ice-illinois/").status_code, 200)

    def test_a_publisher_renames_a_live_category(self):
        url = reverse("admin:faq_category_change", args=[self.guide.category_id])
        response = self.save(url, name="Federal agencies")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Category.objects.get().name, "Federal agencies")
