"""Spanish pages: URLs under /es/, the language switch, hreflang, Content-Language,
per-language lists, feeds, sitemap and the page cache (issue 10)."""

import datetime
import re
from xml.etree import ElementTree

from django.test import TestCase, override_settings
from django.urls import reverse

from faq import suggest, views
from faq.models import Answer, Question, SiteNotice, Topic
from faq.revisions import save_revision

from .factories import (
    get_counting_queries,
    make_guide,
    make_question,
    make_spanish_guide,
    make_translation,
)


def switch_links(response):
    """The language switch's links: [(href, lang, text)]."""
    html = response.content.decode()
    nav = re.search(r'<nav class="language-switch" aria-label="[^"]+">(.*?)</nav>', html, re.S)
    if nav is None:
        return []
    return re.findall(r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+">([^<]+)</a>', nav.group(1))


def alternates(response):
    """The page's hreflang alternates: {hreflang: href}."""
    html = response.content.decode()
    return dict(re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html))


class PairedContent(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv", title="DMV guide")
        cls.question = make_question(cls.guide, 1, text="Can ICE see my license?")
        cls.lonely = make_question(cls.guide, 2, text="Only in English?")
        cls.guide_es = make_spanish_guide(cls.guide, "dmv-es", title="Guía del DMV")
        cls.question_es = make_translation(
            cls.question, cls.guide_es, text="¿Puede ICE ver mi licencia?"
        )


class SpanishPageTests(PairedContent):
    def test_spanish_pages_live_under_es_with_spanish_route_words(self):
        self.assertEqual(self.guide_es.get_absolute_url(), "/es/dmv-es/")
        self.assertEqual(
            self.question_es.get_absolute_url(), f"/es/dmv-es/{self.question_es.slug}/"
        )
        self.assertEqual(reverse("faq:es_search"), "/es/buscar/")
        self.assertEqual(reverse("faq:es_topics"), "/es/temas/")
        self.assertEqual(reverse("faq:es_feed"), "/es/feeds/actualizaciones.atom")
        changes = reverse("faq:es_question_changes", args=["dmv-es", self.question_es.slug])
        self.assertTrue(changes.endswith("/cambios/"))
        for url in (self.guide_es.get_absolute_url(), self.question_es.get_absolute_url(), changes):
            self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_the_url_decides_the_language_of_the_content(self):
        """A Spanish guide is not found at an English address, nor the reverse."""
        self.assertEqual(self.client.get("/dmv-es/").status_code, 404)
        self.assertEqual(self.client.get("/es/dmv/").status_code, 404)
        english_slugs = f"/dmv/{self.question_es.slug}/"
        self.assertEqual(self.client.get(english_slugs).status_code, 404)

    def test_html_lang_and_content_language_follow_the_url_without_vary(self):
        for url, language in (
            (self.question.get_absolute_url(), "en"),
            (self.question_es.get_absolute_url(), "es"),
            ("/es/", "es"),
            ("/", "en"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url, headers={"accept-language": "fr, es;q=0.5"})
                self.assertContains(response, f'<html lang="{language}">')
                self.assertEqual(response["Content-Language"], language)
                self.assertNotIn("Accept-Language", response["Vary"])  # the URL decides

    def test_a_missing_spanish_page_is_a_spanish_404(self):
        response = self.client.get("/es/no-existe/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response["Content-Language"], "es")
        self.assertContains(response, '<html lang="es">', status_code=404)

    def test_spanish_pages_link_to_spanish_site_pages(self):
        response = self.client.get(self.question_es.get_absolute_url())
        self.assertContains(response, 'action="/es/buscar/"')
        self.assertContains(response, 'href="/es/temas/"')
        self.assertContains(response, 'href="/es/feeds/actualizaciones.atom"')
        self.assertContains(response, f'href="{reverse("faq:es_home")}"')

    def test_each_home_lists_only_its_own_languages_guides(self):
        english, spanish = self.client.get("/"), self.client.get("/es/")
        self.assertContains(english, "DMV guide")
        self.assertNotContains(english, "Guía del DMV")
        self.assertContains(spanish, "Guía del DMV")
        self.assertNotContains(spanish, "DMV guide")
        self.assertContains(spanish, "Gobierno federal")

    def test_topics_are_per_language(self):
        Topic.objects.create(name="Privacidad", slug="privacidad", language="es")
        self.question_es.tags.add("Privacidad")
        self.question.tags.add("Privacy")
        self.assertContains(self.client.get("/es/temas/"), "Privacidad")
        self.assertNotContains(self.client.get("/es/temas/"), "Privacy<")
        self.assertNotContains(self.client.get("/topics/"), "Privacidad")
        self.assertEqual(self.client.get("/es/temas/privacidad/").status_code, 200)
        self.assertEqual(self.client.get("/topics/privacidad/").status_code, 404)
        self.assertEqual(self.client.get("/es/temas/privacy/").status_code, 404)


class SiteNoticeLanguageTests(PairedContent):
    """A notice is written in one language. Each page shows the newest notice in
    its own language, else the other language's, marked with its lang."""

    def notice(self, url):
        html = self.client.get(url).content.decode()
        found = re.search(
            r'<aside class="site-notice"[^>]*>\s*<div class="wrap">(<p[^>]*>.*?</p>)', html
        )
        return found and found.group(1)

    def test_an_english_notice_on_a_spanish_page_is_marked_english(self):
        SiteNotice.objects.create(text="Offices are closed on Monday.")
        self.assertEqual(self.notice("/"), "<p>Offices are closed on Monday.</p>")
        self.assertEqual(self.notice("/es/"), '<p lang="en">Offices are closed on Monday.</p>')

    def test_each_language_shows_its_own_notice(self):
        SiteNotice.objects.create(text="Las oficinas cierran el lunes.", language="es")
        SiteNotice.objects.create(text="Offices are closed on Monday.")
        SiteNotice.objects.create(text="Old notice", is_active=False)
        self.assertEqual(self.notice("/"), "<p>Offices are closed on Monday.</p>")
        self.assertEqual(self.notice("/es/"), "<p>Las oficinas cierran el lunes.</p>")
        self.assertEqual(
            self.notice(self.question_es.get_absolute_url()),
            "<p>Las oficinas cierran el lunes.</p>",
        )
        self.assertEqual(
            get_counting_queries(self.client, "/es/temas/")[1],
            get_counting_queries(self.client, "/topics/")[1],
        )


class LanguageSwitchTests(PairedContent):
    def test_paired_pages_link_to_each_other_named_in_their_own_language(self):
        english = self.client.get(self.question.get_absolute_url())
        spanish = self.client.get(self.question_es.get_absolute_url())
        self.assertEqual(
            switch_links(english), [(self.question_es.get_absolute_url(), "es", "Español")]
        )
        self.assertEqual(
            switch_links(spanish), [(self.question.get_absolute_url(), "en", "English")]
        )
        for response in (english, spanish):
            self.assertContains(response, '<nav class="language-switch" aria-label=')

    def test_guides_and_change_logs_link_to_their_counterparts(self):
        self.assertEqual(switch_links(self.client.get("/dmv/")), [("/es/dmv-es/", "es", "Español")])
        self.assertEqual(switch_links(self.client.get("/es/dmv-es/")), [("/dmv/", "en", "English")])
        changes = reverse("faq:question_changes", args=["dmv", self.question.slug])
        changes_es = reverse("faq:es_question_changes", args=["dmv-es", self.question_es.slug])
        self.assertEqual(switch_links(self.client.get(changes)), [(changes_es, "es", "Español")])

    def test_no_switch_without_a_published_counterpart(self):
        self.assertEqual(switch_links(self.client.get(self.lonely.get_absolute_url())), [])
        self.question_es.status = Question.Status.DRAFT
        self.question_es.save()
        english = self.client.get(self.question.get_absolute_url())
        self.assertEqual(switch_links(english), [])
        self.assertEqual(alternates(english), {})

    def test_an_unpublished_spanish_guide_hides_every_switch_to_it(self):
        self.guide_es.is_published = False
        self.guide_es.save()
        for url in ("/", "/dmv/", self.question.get_absolute_url(), "/search/", "/topics/"):
            with self.subTest(url=url):
                self.assertEqual(switch_links(self.client.get(url)), [])

    def test_site_pages_switch_to_the_other_languages_site_pages(self):
        self.assertEqual(switch_links(self.client.get("/")), [("/es/", "es", "Español")])
        self.assertEqual(switch_links(self.client.get("/es/")), [("/", "en", "English")])
        self.assertEqual(
            switch_links(self.client.get("/search/?q=ice")), [("/es/buscar/", "es", "Español")]
        )
        self.assertEqual(
            switch_links(self.client.get("/es/temas/")), [("/topics/", "en", "English")]
        )

    def test_hreflang_alternates_point_at_each_other_with_english_as_default(self):
        base = "http://testserver"
        english_url = base + self.question.get_absolute_url()
        spanish_url = base + self.question_es.get_absolute_url()
        expected = {"en": english_url, "es": spanish_url, "x-default": english_url}
        self.assertEqual(alternates(self.client.get(self.question.get_absolute_url())), expected)
        self.assertEqual(alternates(self.client.get(self.question_es.get_absolute_url())), expected)
        self.assertContains(
            self.client.get(self.question_es.get_absolute_url()),
            f'<link rel="canonical" href="{spanish_url}">',
        )

    def test_search_pages_switch_but_claim_no_translation(self):
        """Another language's search page is not this one translated."""
        self.assertEqual(alternates(self.client.get("/search/?q=ice")), {})

    def test_topic_pages_switch_when_the_paired_topic_has_a_published_question(self):
        english = Topic.objects.create(name="Privacy", slug="privacy")
        Topic.objects.create(
            name="Privacidad",
            slug="privacidad",
            language="es",
            translation_key=english.translation_key,
        )
        self.question.tags.add("Privacy")
        self.assertEqual(switch_links(self.client.get("/topics/privacy/")), [])
        self.question_es.tags.add("Privacidad")
        self.assertEqual(
            switch_links(self.client.get("/topics/privacy/")),
            [("/es/temas/privacidad/", "es", "Español")],
        )


class OriginalUpdatedNoticeTests(PairedContent):
    """The Spanish page says when its English original changed since it was translated."""

    def notice(self):
        html = self.client.get(self.question_es.get_absolute_url()).content.decode()
        found = re.search(r'<p class="meta translation-notice">(.*?)</p>', html, re.S)
        return found and found.group(1)

    def test_no_notice_while_the_translation_is_current(self):
        self.assertIsNone(self.notice())

    def test_a_notable_english_change_is_announced_with_its_date(self):
        answer = self.question.answer
        answer.body = "A new paragraph about a 2026 ruling."
        answer.change_note = "Added the 2026 ruling."
        save_revision(answer, None)
        notice = self.notice()
        self.assertIsNotNone(notice)
        self.assertIn(f'href="{self.question.get_absolute_url()}"', notice)
        self.assertIn(answer.notable_change_at.strftime("%Y"), notice)
        self.assertNotIn(
            self.notice() and "translation-notice", self.client.get("/dmv/").content.decode()
        )

    def test_the_notice_reads_as_spanish_with_a_spanish_date(self):
        """The date is written as the rest of the Spanish page writes dates
        ("5 de marzo de 2030"), not in the English order ("marzo 5, 2030")."""
        answer = self.question.answer
        answer.body = "A new paragraph about a 2026 ruling."
        answer.change_note = "Added the 2026 ruling."
        save_revision(answer, None)
        # Noon in Chicago, so the day is the same in the site's zone and in UTC.
        changed_at = datetime.datetime(2030, 3, 5, 18, 0, tzinfo=datetime.UTC)
        Answer.objects.filter(pk=answer.pk).update(notable_change_at=changed_at)
        self.assertEqual(
            re.sub(r"\s*<a .*", "", self.notice(), flags=re.S),
            "La versión en inglés se actualizó el 5 de marzo de 2030.",
        )

    def test_a_minor_english_fix_is_not_announced(self):
        answer = self.question.answer
        answer.body += " (typo fixed)"
        answer.is_minor = True
        save_revision(answer, None)
        self.assertIsNone(self.notice())


class SpanishFeedAndSitemapTests(PairedContent):
    ATOM = {"a": "http://www.w3.org/2005/Atom"}

    def titles(self, url):
        root = ElementTree.fromstring(self.client.get(url).content)
        return root, [
            e.findtext("a:title", namespaces=self.ATOM) for e in root.findall("a:entry", self.ATOM)
        ]

    def test_each_feed_lists_only_its_languages_answers(self):
        root, spanish = self.titles(reverse("faq:es_feed"))
        self.assertEqual(spanish, ["¿Puede ICE ver mi licencia?"])
        self.assertEqual(root.get("{http://www.w3.org/XML/1998/namespace}lang"), "es")
        _root, english = self.titles(reverse("faq:feed"))
        self.assertEqual(sorted(english), ["Can ICE see my license?", "Only in English?"])

    def test_sitemap_lists_spanish_pages_with_their_alternates(self):
        root = ElementTree.fromstring(self.client.get("/sitemap.xml").content)
        ns = {
            "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
            "x": "http://www.w3.org/1999/xhtml",
        }
        entries = {
            url.findtext("s:loc", namespaces=ns): {
                link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)
            }
            for url in root.findall("s:url", ns)
        }
        base = "http://testserver"
        english, spanish = (base + q.get_absolute_url() for q in (self.question, self.question_es))
        pair = {"en": english, "es": spanish, "x-default": english}
        self.assertEqual(entries[english], pair)
        self.assertEqual(entries[spanish], pair)
        self.assertEqual(entries[base + self.lonely.get_absolute_url()], {})
        self.assertEqual(entries[base + "/es/"]["en"], base + "/")
        self.assertEqual(entries[base + "/es/dmv-es/"]["en"], base + "/dmv/")

    def test_spanish_guide_has_faqpage_microdata_with_its_own_address(self):
        from .test_views import Microdata

        parser = Microdata()
        parser.feed(self.client.get("/es/dmv-es/").content.decode())
        (page,) = parser.items
        self.assertEqual(page["url"], ["http://testserver/es/dmv-es/"])
        self.assertEqual(page["mainEntity"][0]["name"], ["¿Puede ICE ver mi licencia?"])
        self.assertEqual(page["mainEntity"][0]["url"], [self.question_es.get_absolute_url()])


class SpanishPageCacheTests(PairedContent):
    """A Spanish page is cached like any page, keyed by its URL, and a Spanish
    edit is seen at once."""

    def test_spanish_pages_are_cached_and_a_spanish_edit_invalidates_them(self):
        url = self.question_es.get_absolute_url()
        first, queries = get_counting_queries(self.client, url)
        self.assertGreater(queries, 0)
        cached, queries = get_counting_queries(self.client, url)
        self.assertEqual(queries, 0)
        self.assertEqual(cached["Content-Language"], "es")
        self.assertEqual(cached.content, first.content)
        answer = self.question_es.answer
        answer.body = "Una respuesta corregida."
        save_revision(answer, None)
        fresh, queries = get_counting_queries(self.client, url)
        self.assertGreater(queries, 0)
        self.assertContains(fresh, "Una respuesta corregida.")

    def test_english_and_spanish_pages_are_separate_cache_entries(self):
        self.client.get("/")
        spanish, _queries = get_counting_queries(self.client, "/es/")
        self.assertContains(spanish, "Guía del DMV")
        self.assertNotContains(spanish, "DMV guide")


@override_settings(PAGE_CACHE_SECONDS=0)
class SpanishQueryCountTests(PairedContent):
    """Each Spanish page type makes as many queries as its English twin."""

    def test_spanish_pages_make_the_same_queries_as_english_ones(self):
        Topic.objects.create(name="Privacy", slug="privacy")
        Topic.objects.create(name="Privacidad", slug="privacidad", language="es")
        self.question.tags.add("Privacy")
        self.question_es.tags.add("Privacidad")
        pairs = {
            "home": ("/", "/es/"),
            "guide": ("/dmv/", "/es/dmv-es/"),
            "question": (self.question.get_absolute_url(), self.question_es.get_absolute_url()),
            "changes": (
                reverse("faq:question_changes", args=["dmv", self.question.slug]),
                reverse("faq:es_question_changes", args=["dmv-es", self.question_es.slug]),
            ),
            "topics": ("/topics/", "/es/temas/"),
            "topic": ("/topics/privacy/", "/es/temas/privacidad/"),
            "search": ("/search/?q=license", "/es/buscar/?q=licencia"),
            # Spelling help shows the correction's results: the same path in both.
            "search, misspelt": ("/search/?q=licence", "/es/buscar/?q=licensia"),
            "feed": (reverse("faq:feed"), reverse("faq:es_feed")),
        }
        for language in ("en", "es"):
            suggest.rebuild_vocabulary(language)
        for name, (english, spanish) in pairs.items():
            with self.subTest(page=name):
                english_response, english_count = get_counting_queries(self.client, english)
                spanish_response, spanish_count = get_counting_queries(self.client, spanish)
                self.assertEqual(english_response.status_code, 200)
                self.assertEqual(spanish_response.status_code, 200)
                self.assertEqual(spanish_count, english_count)
                if name == "search, misspelt":
                    self.assertContains(spanish_response, "Se muestran resultados para “licencia”")
                    self.assertContains(english_response, "Showing results for “license”")
        self.assertEqual(
            get_counting_queries(self.client, self.question_es.get_absolute_url())[1], 6
        )


@override_settings(PAGE_CACHE_SECONDS=0)
class SpanishQueryCountGrowthTests(TestCase):
    """Each Spanish page type makes as many queries with 1 Spanish question as
    with 60 (two guide and topic pages, one answer with 60 revisions): the
    20-to-10,000 test in test_views.py grows only the English content."""

    def counts_for(self, count):
        english = make_guide(f"guide-{count}")
        spanish = make_spanish_guide(english, f"guia-{count}")
        questions = [
            make_translation(
                make_question(english, position, topics=["Privacy"]),
                spanish,
                text=f"¿Pregunta {position} sobre la licencia?",
                topics=["Privacidad", "Licencias"],
            )
            for position in range(1, count + 1)
        ]
        middle = questions[len(questions) // 2]
        answer = middle.answer
        for number in range(count):
            answer.body = f"Texto de la respuesta, revisión {number}."
            answer.change_note = f"Revisión {number}."
            save_revision(answer, None)
        last_page = (count - 1) // views.pages.PAGE_SIZE + 1
        urls = {
            "home": "/es/",
            "guide": spanish.get_absolute_url(),
            "guide, last page": f"{spanish.get_absolute_url()}?page={last_page}",
            "question": middle.get_absolute_url(),
            "changes": reverse("faq:es_question_changes", args=[spanish.slug, middle.slug]),
            "topics": "/es/temas/",
            "topic": "/es/temas/privacidad/",
            "topic, last page": f"/es/temas/privacidad/?page={last_page}",
            "search": "/es/buscar/?q=licencia",
            "feed": reverse("faq:es_feed"),
        }
        counts = {}
        for name, url in urls.items():
            response, counts[name] = get_counting_queries(self.client, url)
            self.assertEqual(response.status_code, 200, url)
        return counts

    def test_spanish_query_counts_do_not_grow_with_spanish_content(self):
        few = self.counts_for(1)
        self.assertEqual(self.counts_for(60), few)
