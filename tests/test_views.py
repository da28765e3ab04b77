from html.parser import HTMLParser

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from faq import suggest
from faq.models import Question, SiteNotice
from faq.search import plain_text
from faq.views import PAGE_SIZE

from .factories import get_counting_queries, make_guide, make_guide_with_questions, make_question


class PublicPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.guide, cls.questions = make_guide_with_questions(3)
        cls.draft = make_question(
            cls.guide,
            9,
            status=Question.Status.DRAFT,
            text="Secret draft question?",
            topics=["Privacy"],
        )
        cls.question = cls.questions[1]
        cls.question.answer.body = "Intro.\n\n1. First item.\n2. Second item."
        cls.question.answer.save()

    def test_home_lists_guides_by_category(self):
        response = self.client.get(reverse("faq:home"))
        self.assertTemplateUsed(response, "faq/home.html")
        self.assertContains(
            response, '<h2 id="category-federal">Federal Government</h2>', html=False
        )
        self.assertContains(response, self.guide.get_absolute_url())
        self.assertContains(response, "3 questions")

    def test_guide_shows_every_published_question_in_order_with_anchors(self):
        response = self.client.get(self.guide.get_absolute_url())
        self.assertTemplateUsed(response, "faq/guide_detail.html")
        body = response.content.decode()
        positions = [body.index(f'id="q{q.position}"') for q in self.questions]
        self.assertEqual(positions, sorted(positions))
        self.assertIn('href="#q2"', body)
        self.assertIn("<li>First item.</li>", body)
        self.assertNotIn("Secret draft question", body)

    def test_question_page_shows_answer_topics_and_last_updated(self):
        response = self.client.get(self.question.get_absolute_url())
        self.assertTemplateUsed(response, "faq/question_detail.html")
        self.assertContains(response, f"<h1>{self.question.text}</h1>", html=True)
        self.assertContains(response, "<li>Second item.</li>", html=True)
        self.assertContains(response, "Last updated")
        self.assertContains(response, reverse("faq:topic", args=["privacy"]))

    def test_topic_pages_list_only_published_questions(self):
        index = self.client.get(reverse("faq:topics"))
        self.assertTemplateUsed(index, "faq/topic_list.html")
        self.assertContains(index, "Illinois law")
        topic = self.client.get(reverse("faq:topic", args=["privacy"]))
        self.assertTemplateUsed(topic, "faq/topic_detail.html")
        self.assertContains(topic, self.questions[0].text)
        self.assertNotContains(topic, "Secret draft question")

    def test_drafts_are_not_found(self):
        response = self.client.get(self.draft.get_absolute_url())
        self.assertEqual(response.status_code, 404)
        self.assertTemplateUsed(response, "404.html")
        self.assertContains(response, "could not find that page", status_code=404)

    def test_an_unpublished_guide_and_its_questions_are_not_found(self):
        hidden = make_guide("hidden", is_published=False)
        question = make_question(hidden, 1, topics=["Hidden only"])
        self.assertEqual(self.client.get(hidden.get_absolute_url()).status_code, 404)
        self.assertEqual(self.client.get(question.get_absolute_url()).status_code, 404)
        self.assertEqual(
            self.client.get(reverse("faq:topic", args=["hidden-only"])).status_code, 404
        )
        self.assertNotContains(self.client.get(reverse("faq:home")), "Hidden")

    def test_server_error_page_renders_without_a_request_context(self):
        from django.views.defaults import server_error

        response = server_error(self.client.get("/").wsgi_request)
        self.assertEqual(response.status_code, 500)
        self.assertIn(b"Something went wrong", response.content)


@override_settings(PAGE_CACHE_SECONDS=0)  # count the queries of rendering, not of a cache hit
class QueryCountTests(TestCase):
    """Every public page makes the same number of queries for 20 or 300 questions
    (the benchmark covers 10,000), including the last page of a long guide."""

    def count_queries(self, url):
        response, queries = get_counting_queries(self.client, url)
        self.assertEqual(response.status_code, 200, url)
        return queries

    def counts_for(self, question_count):
        Question.objects.all().delete()
        guide, questions = make_guide_with_questions(
            question_count,
            slug=f"guide-{question_count}",
            topics=("Privacy", "Illinois law", "ICE"),
        )
        last_page = (question_count - 1) // PAGE_SIZE + 1
        SiteNotice.objects.create(text="General information, not legal advice.")
        middle = questions[len(questions) // 2]
        for number in range(question_count):
            middle.answer.body = f"Answer text, revision {number}."
            middle.answer.change_note = f"Revision {number}."
            middle.answer.save()
        urls = {
            "home": reverse("faq:home"),
            "guide": guide.get_absolute_url(),
            "question": middle.get_absolute_url(),
            "guide, last page": f"{guide.get_absolute_url()}?page={last_page}",
            "topic, last page": reverse("faq:topic", args=["privacy"]) + f"?page={last_page}",
            "health": reverse("faq:healthz"),
            "changes": reverse("faq:question_changes", args=[guide.slug, middle.slug]),
            "topics": reverse("faq:topics"),
            "topic": reverse("faq:topic", args=["privacy"]),
            "search": reverse("faq:search") + "?q=question+dmv",
            "search, some words": reverse("faq:search") + "?q=question+zebra",
            "feed": reverse("faq:feed"),
            "sitemap": reverse("sitemap"),
        }
        return {name: self.count_queries(url) for name, url in urls.items()}

    def test_query_counts_do_not_grow_with_content(self):
        """1 question with 1 revision against 60 and 260 questions (several guide and
        topic pages), one of them with as many revisions."""
        few = self.counts_for(1)
        self.assertEqual(few, self.counts_for(60))
        self.assertEqual(few, self.counts_for(260))

    def test_query_counts_are_the_same_at_20_and_at_10000_questions(self):
        """The seed guide alone, then with generate_demo_data's 10,000 questions in
        50 guides (the benchmark's dataset), on every public page type."""
        from django.core.management import call_command

        call_command("seed_content", verbosity=0)
        guide = Question.objects.published().filter(language="en").first().guide
        question = Question.objects.published().filter(guide=guide).order_by("position")[10]
        spanish = Question.objects.get(language="es", translation_key=question.translation_key)
        urls = {
            "home": reverse("faq:home"),
            "guide": guide.get_absolute_url(),
            "question": question.get_absolute_url(),
            "changes": reverse("faq:question_changes", args=[guide.slug, question.slug]),
            "topics": reverse("faq:topics"),
            "topic": question.tags.first().get_absolute_url(),
            "search": reverse("faq:search") + "?q=license+data",
            # Spelling help on: a correction's results shown, and a "Did you mean".
            "search, misspelt": reverse("faq:search") + "?q=imigration+licence",
            "search, did you mean": reverse("faq:search") + "?q=can+ice+see+my+adress",
            "feed": reverse("faq:feed"),
            "sitemap": reverse("sitemap"),
            # The Spanish translation of the seed guide: every Spanish page type.
            "es home": reverse("faq:es_home"),
            "es guide": spanish.guide.get_absolute_url(),
            "es question": spanish.get_absolute_url(),
            "es changes": reverse(
                "faq:es_question_changes", args=[spanish.guide.slug, spanish.slug]
            ),
            "es topics": reverse("faq:es_topics"),
            "es topic": spanish.tags.first().get_absolute_url(),
            "es search": reverse("faq:es_search") + "?q=licencia+datos",
            "es search, misspelt": reverse("faq:es_search") + "?q=imigrantes+licensia",
            "es feed": reverse("faq:es_feed"),
        }
        for language in ("en", "es"):
            suggest.rebuild_vocabulary(language)
        seed = {name: self.count_queries(url) for name, url in urls.items()}
        self.assertContains(self.client.get(urls["es search, misspelt"]), "Se muestran resultados")
        call_command("generate_demo_data", questions=10_000, guides=50, force=True, verbosity=0)
        for language in ("en", "es"):
            suggest.rebuild_vocabulary(language)
        self.assertEqual(Question.objects.published().count(), 10_040)
        large = {name: self.count_queries(url) for name, url in urls.items()}
        self.assertEqual(large, seed)
        demo_guide = Question.objects.exclude(guide__in=[guide, spanish.guide]).first().guide
        last_page = (demo_guide.questions.count() - 1) // PAGE_SIZE + 1
        self.assertGreater(last_page, 1)
        self.assertEqual(
            self.count_queries(f"{demo_guide.get_absolute_url()}?page={last_page}"), seed["guide"]
        )

    def test_question_page_makes_six_queries(self):
        """The page renders on every cache miss: the question with its answer and
        neighbours' ids, topics, sources, the neighbours, related questions and the
        site notice. A template reading a field the loader did not fetch adds one."""
        _guide, questions = make_guide_with_questions(3)
        self.assertEqual(self.count_queries(questions[1].get_absolute_url()), 6)


class ChangeLogTests(TestCase):
    """The public change log lists published, non-minor changes with a diff, and no names."""

    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth import get_user_model

        cls.guide = make_guide("dmv")
        cls.question = make_question(cls.guide, 1, body="Renew every four years.")
        cls.editor = get_user_model().objects.create_user("jsmith", first_name="Jane")
        answer = cls.question.answer
        for body, note, minor in [
            ("Renew every eight years.", "New renewal period from the 2025 law.", False),
            ("Renew every eight years!", "Typo fix nobody needs to see.", True),
            ("Renew every eight years!", "Only the note changed.", False),
            ("Renew online every eight years!", "Online renewal added.", False),
        ]:
            answer.body, answer.change_note, answer.is_minor = body, note, minor
            answer._history_user = cls.editor
            answer.save()
        cls.url = reverse("faq:question_changes", args=[cls.guide.slug, cls.question.slug])

    def test_lists_public_changes_newest_first_with_notes_and_diffs(self):
        response = self.client.get(self.url)
        self.assertTemplateUsed(response, "faq/question_changes.html")
        body = response.content.decode()
        notes = ["Online renewal added.", "New renewal period from the 2025 law."]
        self.assertLess(body.index(notes[0]), body.index(notes[1]))
        self.assertIn('<ins><span class="visually-hidden">added: </span>online</ins>', body)
        self.assertIn('<del><span class="visually-hidden">removed: </span>four</del>', body)
        self.assertIn("first published", body)
        self.assertEqual(body.count('<li class="change">'), 3)

    def test_minor_changes_and_unchanged_text_are_left_out(self):
        response = self.client.get(self.url)
        self.assertNotContains(response, "Typo fix nobody needs to see.")
        self.assertNotContains(response, "Only the note changed.")

    def test_editors_are_never_named(self):
        response = self.client.get(self.url)
        self.assertNotContains(response, "jsmith")
        self.assertNotContains(response, "Jane")

    def test_question_pages_link_last_updated_to_the_change_log(self):
        for url in (self.question.get_absolute_url(), self.guide.get_absolute_url()):
            with self.subTest(url=url):
                self.assertContains(self.client.get(url), f'<a href="{self.url}">See what changed')

    def test_edits_made_while_a_draft_are_not_listed(self):
        draft = make_question(self.guide, 3, status=Question.Status.DRAFT, body="Draft one.")
        answer = draft.answer
        answer.body, answer.change_note = "Draft two, still private.", "Private rewrite."
        answer.save()
        draft.status = Question.Status.PUBLISHED
        draft.save()
        answer.body, answer.change_note = "Public text.", "First public correction."
        answer.save()
        url = reverse("faq:question_changes", args=[self.guide.slug, draft.slug])
        body = self.client.get(url).content.decode()
        self.assertEqual(body.count('<li class="change">'), 2)
        self.assertIn("first published", body)
        self.assertIn("First public correction.", body)
        self.assertNotIn("Private rewrite.", body)
        self.assertNotIn("Draft one.", body)
        self.assertIn(
            '<del><span class="visually-hidden">removed: </span>Draft two, still private.</del>',
            body,
        )

    def test_a_draft_has_no_public_change_log(self):
        draft = make_question(self.guide, 2, status=Question.Status.DRAFT)
        url = reverse("faq:question_changes", args=[self.guide.slug, draft.slug])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_long_logs_are_paginated(self):
        answer = self.question.answer
        for number in range(25):
            answer.body = f"Version {number}."
            answer.save()
        first, second = self.client.get(self.url), self.client.get(self.url, {"page": 2})
        self.assertEqual(first.content.decode().count('<li class="change">'), 20)
        self.assertContains(first, "Page 1 of 2")
        self.assertEqual(second.content.decode().count('<li class="change">'), 8)
        self.assertContains(second, "first published")


class NavigationTests(TestCase):
    """Related questions, previous and next, breadcrumbs, sources and the site notice."""

    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv", title="DMV guide")
        cls.other_guide = make_guide("courts", title="Courts guide")
        cls.q1 = make_question(cls.guide, 1, topics=["Privacy", "ICE"], text="First?")
        cls.draft = make_question(
            cls.guide, 2, topics=["Privacy", "ICE"], text="Draft?", status="draft"
        )
        cls.q3 = make_question(cls.guide, 3, topics=["Privacy"], text="Third?")
        cls.q4 = make_question(cls.guide, 4, topics=["Privacy", "ICE"], text="Fourth?")
        cls.q5 = make_question(cls.guide, 5, topics=["Parking"], text="Fifth?")
        cls.elsewhere = make_question(
            cls.other_guide, 1, topics=["Privacy", "ICE"], text="Elsewhere?"
        )
        for position in range(2, 8):
            make_question(cls.other_guide, position, topics=["ICE"], text=f"Court {position}?")

    def test_related_questions_share_topics_same_guide_first_at_most_five(self):
        from faq.views import related_questions

        related = [question.text for question in related_questions(self.q1)]
        self.assertEqual(related[:3], ["Fourth?", "Third?", "Elsewhere?"])
        self.assertEqual(len(related), 5)
        self.assertNotIn("Draft?", related)
        self.assertNotIn("First?", related)
        self.assertNotIn("Fifth?", related)

    def test_question_page_shows_related_previous_next_and_breadcrumbs(self):
        response = self.client.get(self.q3.get_absolute_url())
        self.assertContains(response, '<h2 id="related-heading">Related questions</h2>')
        self.assertContains(response, "in Courts guide")
        self.assertContains(
            response,
            f'<a href="{self.q1.get_absolute_url()}" rel="prev">'
            '<span class="pager-label">Previous question</span> First?</a>',
        )
        self.assertContains(
            response,
            f'<a href="{self.q4.get_absolute_url()}" rel="next">'
            '<span class="pager-label">Next question</span> Fourth?</a>',
        )
        self.assertContains(response, 'aria-label="Breadcrumb"')
        self.assertContains(response, f'<a href="{self.guide.get_absolute_url()}">DMV guide</a>')

    def test_first_and_last_questions_have_one_neighbour(self):
        first = self.client.get(self.q1.get_absolute_url())
        self.assertNotContains(first, 'rel="prev"')
        last = self.client.get(self.q5.get_absolute_url())
        self.assertNotContains(last, 'rel="next"')

    def test_sources_are_listed_under_the_answer(self):
        self.q1.answer.sources.create(title="5 ILCS 805", url="https://example.org/law")
        response = self.client.get(self.q1.get_absolute_url())
        self.assertContains(response, '<h2 id="sources-heading">Sources</h2>')
        self.assertContains(response, '<a href="https://example.org/law">5 ILCS 805</a>')

    def test_the_active_site_notice_shows_on_every_public_page(self):
        from faq.models import SiteNotice

        SiteNotice.objects.create(text="Old notice", is_active=False)
        SiteNotice.objects.create(text="General information, <not> legal advice.")
        urls = [
            reverse("faq:home"),
            self.guide.get_absolute_url(),
            self.q1.get_absolute_url(),
            reverse("faq:question_changes", args=[self.guide.slug, self.q1.slug]),
            reverse("faq:topics"),
            reverse("faq:topic", args=["privacy"]),
            reverse("faq:search") + "?q=first",
            "/no-such-page/",
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response,
                    "General information, &lt;not&gt; legal advice.",
                    status_code=response.status_code,
                )
                self.assertNotContains(response, "Old notice", status_code=response.status_code)
                self.assertContains(
                    response,
                    '<form class="site-search" role="search" action="/search/" method="get">',
                    status_code=response.status_code,
                )
                self.assertContains(
                    response,
                    '<label for="site-search-q">Search the answers</label>',
                    status_code=response.status_code,
                )


class Microdata(HTMLParser):
    """The top-level schema.org microdata items of a page, as dicts of property
    name to values (text, href or content; a nested item is a dict), per the
    HTML microdata rules this site uses."""

    VOID_ELEMENTS = {"meta", "link", "br", "img", "input", "hr", "source", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.items, self.open_elements = [], []

    def innermost_item(self):
        for element in reversed(self.open_elements):
            if element["item"] is not None:
                return element["item"]
        return None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        names = (attrs.get("itemprop") or "").split()
        parent = self.innermost_item()
        item = {"type": attrs.get("itemtype")} if "itemscope" in attrs else None
        if item is not None and not names:
            self.items.append(item)
        value = item
        if item is None and tag in ("a", "link"):
            value = attrs.get("href")
        elif item is None and tag == "meta":
            value = attrs.get("content")
        element = {"tag": tag, "names": names, "item": item, "parent": parent}
        element.update(value=value, text=[])
        if tag in self.VOID_ELEMENTS:
            self.add_property(element)
        else:
            self.open_elements.append(element)

    def handle_data(self, data):
        for element in self.open_elements:
            element["text"].append(data)

    def handle_endtag(self, tag):
        while self.open_elements:
            element = self.open_elements.pop()
            self.add_property(element)
            if element["tag"] == tag:
                break

    @staticmethod
    def add_property(element):
        if not element["names"] or element["parent"] is None:
            return
        value = element["value"]
        if value is None:
            value = " ".join("".join(element["text"]).split())
        for name in element["names"]:
            element["parent"].setdefault(name, []).append(value)


class DiscoverabilityTests(TestCase):
    """Structured data, meta tags, sitemap, robots.txt and the feed show only public content."""

    @classmethod
    def setUpTestData(cls):
        cls.guide = make_guide("dmv", title="DMV guide", summary="What the DMV shares.")
        cls.questions = [
            make_question(cls.guide, position, body=f"Answer **{position}** & more.")
            for position in (1, 2, 3)
        ]
        cls.draft = make_question(cls.guide, 4, status="draft", text="Secret draft?")
        hidden = make_guide("hidden", is_published=False)
        cls.hidden = make_question(hidden, 1, text="Hidden guide question?")

    def microdata(self, response):
        parser = Microdata()
        parser.feed(response.content.decode())
        return parser.items

    def test_guide_microdata_lists_every_published_question_as_shown(self):
        response = self.client.get(self.guide.get_absolute_url())
        (page,) = self.microdata(response)
        self.assertEqual(page["type"], "https://schema.org/FAQPage")
        self.assertEqual(page["name"], ["DMV guide"])
        self.assertEqual(page["url"], [f"http://testserver{self.guide.get_absolute_url()}"])
        entities = page["mainEntity"]
        names = [entity["name"] for entity in entities]
        self.assertEqual(names, [[question.text] for question in self.questions])
        for question, entity in zip(self.questions, entities, strict=True):
            question.answer.refresh_from_db()
            (answer,) = entity["acceptedAnswer"]
            self.assertEqual(answer["type"], "https://schema.org/Answer")
            shown = " ".join(plain_text(question.answer.body_html).split())
            self.assertEqual(answer["text"], [shown])
            self.assertEqual(entity["url"], [question.get_absolute_url()])

    def test_guide_page_carries_each_answer_once(self):
        """Structured data marks up the visible answers instead of repeating them."""
        response = self.client.get(self.guide.get_absolute_url())
        for question in self.questions:
            question.answer.refresh_from_db()
            self.assertContains(response, question.answer.body_html, count=1)
        self.assertNotContains(response, "application/ld+json")

    def test_markup_in_a_question_is_text_in_the_structured_data(self):
        question = self.questions[0]
        question.text = "Is </span><script>alert(1)</script> safe?"
        question.save()
        response = self.client.get(self.guide.get_absolute_url())
        (page,) = self.microdata(response)
        self.assertEqual(page["mainEntity"][0]["name"], [question.text])
        self.assertNotContains(response, "<script>alert(1)")

    def test_pages_have_canonical_description_open_graph_and_feed_links(self):
        question = self.questions[0]
        pages = {
            self.guide.get_absolute_url(): "What the DMV shares.",
            question.get_absolute_url(): "Answer 1 &amp; more.",
            reverse("faq:home"): "Plain answers",
        }
        for url, description in pages.items():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertContains(
                    response, f'<link rel="canonical" href="http://testserver{url}">'
                )
                self.assertContains(
                    response, f'<meta property="og:url" content="http://testserver{url}">'
                )
                self.assertContains(response, f'<meta name="description" content="{description}')
                self.assertContains(response, '<meta property="og:title"')
                self.assertContains(
                    response,
                    '<link rel="alternate" type="application/atom+xml" title="Updated answers" '
                    f'href="{reverse("faq:feed")}">',
                )

    def test_sitemap_lists_only_published_pages_with_lastmod_from_the_answer(self):
        from xml.etree import ElementTree

        response = self.client.get("/sitemap.xml")
        namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
        root = ElementTree.fromstring(response.content)
        entries = {
            url.findtext("s:loc", namespaces=namespace): url.findtext(
                "s:lastmod", namespaces=namespace
            )
            for url in root.findall("s:url", namespace)
        }
        question = self.questions[0]
        question.answer.refresh_from_db()
        question_url = f"http://testserver{question.get_absolute_url()}"
        self.assertEqual(
            entries[question_url], timezone.localdate(question.answer.updated_at).isoformat()
        )
        self.assertIn(f"http://testserver{self.guide.get_absolute_url()}", entries)
        self.assertIn("http://testserver/", entries)
        self.assertEqual(len(entries), 2 + 1 + 3)
        self.assertFalse(any("secret" in url or "hidden" in url for url in entries))

    def test_robots_txt_points_to_the_sitemap(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn(
            "Sitemap: http://testserver/sitemap.xml", response.content.decode().splitlines()
        )

    def test_feed_parses_and_lists_only_published_answers(self):
        from xml.etree import ElementTree

        answer = self.questions[1].answer
        answer.body += "\n\nA 2025 ruling changed this."
        answer.change_note = "Added the 2025 ruling."
        answer.save()
        response = self.client.get(reverse("faq:feed"))
        self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
        atom = {"a": "http://www.w3.org/2005/Atom"}
        root = ElementTree.fromstring(response.content)
        titles = [
            entry.findtext("a:title", namespaces=atom) for entry in root.findall("a:entry", atom)
        ]
        self.assertEqual(titles[0], self.questions[1].text)
        self.assertEqual(sorted(titles), sorted(q.text for q in self.questions))
        summary = root.find("a:entry", atom).findtext("a:summary", namespaces=atom)
        self.assertIn("Added the 2025 ruling.", summary)


class TopicOrderTests(TestCase):
    def test_a_questions_topics_are_listed_by_name_on_every_page(self):
        """taggit's prefetch has no ORDER BY, so PostgreSQL returned a question's
        topics in whatever order its rows lay, and a cached guide page could
        differ from a fresh render of the same content (found by EditSequences)."""
        question = make_question(make_guide("ordered"), topics=["Privacy", "Courts"])
        for url in (question.guide.get_absolute_url(), question.get_absolute_url()):
            with self.subTest(url):
                page = self.client.get(url).content.decode()
                self.assertLess(page.index(">Courts</a>"), page.index(">Privacy</a>"))


class EmptyFeedDateTests(TestCase):
    def feed_updated(self):
        from xml.etree import ElementTree

        root = ElementTree.fromstring(self.client.get(reverse("faq:feed")).content)
        return root.findtext("{http://www.w3.org/2005/Atom}updated")

    def test_an_empty_feed_is_dated_by_the_last_change_not_by_the_clock(self):
        """Django dates an empty feed "now": each render differed, so no cached
        copy ever equalled a fresh one (found by EditSequences)."""
        import datetime

        question = make_question(make_guide("emptied"))
        with override_settings(PAGE_CACHE_SECONDS=0):
            question.status = Question.Status.DRAFT
            question.save()  # the feed's last entry leaves
            rendered_after = timezone.now()
            updated = self.feed_updated()
            self.assertLessEqual(datetime.datetime.fromisoformat(updated), rendered_after)
            self.assertEqual(self.feed_updated(), updated)


class PublicDatesTests(TestCase):
    """Readers are told an answer changed only when its public text changed."""

    @classmethod
    def setUpTestData(cls):
        cls.guide, (cls.first, cls.second) = make_guide_with_questions(2)

    def feed_titles(self):
        from xml.etree import ElementTree

        atom = {"a": "http://www.w3.org/2005/Atom"}
        root = ElementTree.fromstring(self.client.get(reverse("faq:feed")).content)
        return [
            entry.findtext("a:title", namespaces=atom) for entry in root.findall("a:entry", atom)
        ]

    def shown_date(self, answer):
        answer.refresh_from_db()
        return answer.text_updated_at, answer.notable_change_at

    def test_saves_that_leave_the_text_alone_change_no_public_date(self):
        answer = self.first.answer
        before = self.shown_date(answer)
        answer.draft_body, answer.draft_change_note = "A private draft.", "Drafting."
        answer.save()
        answer.last_reviewed = answer.created_at.date()
        answer.change_note = "Marked as reviewed."
        answer.save()
        self.assertEqual(self.shown_date(answer), before)
        self.assertEqual(self.feed_titles()[0], self.second.text)

    def test_a_minor_fix_updates_last_updated_but_not_the_feed(self):
        answer = self.first.answer
        _, notable_before = self.shown_date(answer)
        answer.body, answer.change_note, answer.is_minor = "Answer number 1!", "Typo.", True
        answer.save()
        text_after, notable_after = self.shown_date(answer)
        self.assertGreater(text_after, notable_before)
        self.assertEqual(notable_after, notable_before)
        self.assertEqual(self.feed_titles()[0], self.second.text)
        self.assertNotIn("Typo.", self.client.get(reverse("faq:feed")).content.decode())

    def test_a_notable_change_moves_the_answer_to_the_top_of_the_feed(self):
        answer = self.first.answer
        answer.body, answer.change_note = "Answer number one, rewritten.", "Rewritten."
        answer.save()
        self.assertEqual(self.feed_titles()[0], self.first.text)
        page = self.client.get(self.first.get_absolute_url())
        changed = timezone.localtime(self.shown_date(answer)[0])
        self.assertContains(page, f'datetime="{changed:%Y-%m-%dT%H:%M:%S}')


class LinkTests(TestCase):
    """Links and dates are remembered per process (faq/links.py, faq/jinja.py);
    what they depend on besides their arguments must be part of what is remembered."""

    def test_links_are_what_reverse_gives(self):
        guide = make_guide("dmv")
        question = make_question(guide, 1, topics=["Privacy"])
        topic = question.tags.get()
        expected = {
            guide.get_absolute_url(): reverse("faq:guide", args=["dmv"]),
            question.get_absolute_url(): reverse("faq:question", args=["dmv", question.slug]),
            topic.get_absolute_url(): reverse("faq:topic", args=[topic.slug]),
        }
        for link, reversed_path in expected.items():
            self.assertEqual(link, reversed_path)

    def test_a_site_served_under_a_path_prefix_gets_prefixed_links(self):
        from django.urls import set_script_prefix

        from faq.links import url

        self.assertEqual(url("faq:guide", "dmv"), "/dmv/")
        set_script_prefix("/policy/")
        try:
            self.assertEqual(url("faq:guide", "dmv"), "/policy/dmv/")
        finally:
            set_script_prefix("/")
        self.assertEqual(url("faq:guide", "dmv"), "/dmv/")

    def test_another_urlconf_gets_its_own_links(self):
        from faq.links import url

        self.assertEqual(url("faq:home"), "/")
        with override_settings(ROOT_URLCONF="tests.urls_under_guides"):
            self.assertEqual(url("faq:home"), "/guides/")
        self.assertEqual(url("faq:home"), "/")

    def test_static_addresses_are_what_static_gives(self):
        from django.templatetags.static import static

        from faq.links import static_url

        self.assertEqual(static_url("css/site.css"), static("css/site.css"))

    def test_dates_are_shown_in_the_active_time_zone(self):
        """The same instant formats differently in two zones: the zone is part of
        what the date filter remembers."""
        from faq.jinja import date

        instant = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
        with timezone.override("UTC"):
            in_utc = date(instant, "H:i")
        with timezone.override("America/Chicago"):
            in_chicago = date(instant, "H:i")
        self.assertEqual(in_utc, "12:00")
        self.assertIn(in_chicago, {"06:00", "07:00"})  # CST or CDT
