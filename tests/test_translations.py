"""The interface in Spanish: a complete catalogue in step with the code, every
public page type with no English interface text left, Spanish dates, and the
language chosen by the URL alone on public pages and by the browser in the admin."""

import datetime
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import polib
from django.conf import settings
from django.template import engines
from django.test import RequestFactory, TestCase, override_settings
from django.utils import translation
from django.utils.translation import gettext, ngettext

from faq import views
from faq.jinja import date as date_filter
from faq.management.commands.makemessages import as_python, is_jinja_template
from faq.models import Answer, Category, Question
from faq.revisions import revision_label

from .factories import make_guide, make_question, make_staff

PO_FILE = Path(settings.BASE_DIR) / "locale" / "es" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
# Where strings readers see come from; the rest of the catalogue is the admin's.
PUBLIC_PYTHON = {
    *(f"faq/views/{name}.py" for name in ("pages", "question_page", "changes", "search_page")),
    "faq/diff.py",
    "faq/feeds.py",
}


def catalogue():
    return polib.pofile(str(PO_FILE))


def translations(entry):
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def msgids(po):
    return {(entry.msgid, entry.msgid_plural) for entry in po if not entry.obsolete}


def fragments(message):
    """The words of a message between its placeholders and tags, long enough
    not to turn up by chance."""
    pieces = re.split(r"%\(\w+\)[sd]|<[^>]+>", message)
    stripped = (piece.strip(" \t\n:;,.()–·") for piece in pieces)
    return [piece for piece in stripped if len(piece) >= 4 and re.search(r"[A-Za-z]", piece)]


def words(text):
    return set(re.findall(r"[A-Za-z][A-Za-z’'-]{3,}", text))


def is_public(entry):
    return any(
        path in PUBLIC_PYTHON or (path.startswith("templates/") and is_jinja_template(path))
        for path, _line in entry.occurrences
    )


class ReadableText(HTMLParser):
    """What a reader (or a screen reader) gets from a page: its text and the
    attributes that are read out or shown (labels, titles, descriptions)."""

    READ_ATTRIBUTES = {"aria-label", "title", "alt", "placeholder", "value"}
    READ_META = {"description", "og:title", "og:description"}

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "meta" and {attributes.get("name"), attributes.get("property")} & self.READ_META:
            self.parts.append(attributes.get("content") or "")
        self.parts.extend(
            value
            for name, value in attrs
            if name in self.READ_ATTRIBUTES and value and not value.startswith(("http", "/", "?"))
        )

    def handle_data(self, data):
        self.parts.append(data)

    @classmethod
    def of(cls, html):
        return " ".join(cls.pieces(html))

    @classmethod
    def pieces(cls, html):
        parser = cls()
        parser.feed(html)
        return [" ".join(part.split()) for part in parser.parts if part.strip()]


class CatalogueTests(TestCase):
    def test_every_message_is_translated_and_none_is_fuzzy(self):
        """A string added to the code and extracted, but not translated, fails here."""
        po = catalogue()
        self.assertGreater(len(po), 100)
        for entry in po:
            with self.subTest(msgid=entry.msgid):
                self.assertFalse(entry.obsolete)
                self.assertNotIn("fuzzy", entry.flags)
                for text in translations(entry):
                    self.assertTrue(text.strip(), "no translation")
                    # The same placeholders, or formatting raises (or drops a value).
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(text)), sorted(PLACEHOLDER.findall(entry.msgid))
                    )

    def test_catalogue_language_and_plural_rule(self):
        po = catalogue()
        self.assertEqual(po.metadata["Language"], "es")
        self.assertIn("plural=n == 1 ? 0", po.metadata["Plural-Forms"])

    def test_catalogue_is_in_step_with_the_code(self):
        """Extraction run afresh on a copy of the project finds exactly the
        catalogue's messages: a new _() that nobody extracted fails here, and so
        does a translation left for a string the code no longer has."""
        tmp = Path(self._tmp_dir())
        project = Path(settings.BASE_DIR)
        copy = tmp / "project"
        shutil.copytree(
            project,
            copy,
            ignore=shutil.ignore_patterns(
                ".*", "__pycache__", "staticfiles", "db.sqlite3*", "*.mo", "node_modules",
                "fixtures", "tests", "bench", "test-results", "bench-results",
            ),
        )  # fmt: skip
        result = subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "es", "--verbosity", "0"],
            cwd=copy,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dmvpolicy.settings"},
            timeout=120,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        fresh = msgids(polib.pofile(str(copy / PO_FILE.relative_to(project))))
        committed = msgids(catalogue())
        self.assertEqual(
            fresh - committed, set(), "run `manage.py makemessages -l es` and translate these"
        )
        self.assertEqual(committed - fresh, set(), "strings the code no longer uses")

    def _tmp_dir(self):
        import tempfile

        directory = tempfile.mkdtemp(prefix="dmvpolicy-messages-")
        self.addCleanup(shutil.rmtree, directory, ignore_errors=True)
        return directory


class JinjaExtractionTests(TestCase):
    """Django's own makemessages misses most of these; faq's override must not."""

    def test_finds_every_kind_of_call_on_its_line(self):
        source = (
            '{{ meta(request, title=_("Policy guides")) }}\n'
            "\n"
            '<p>{{ _("Page %(number)s of %(pages)s", number=1, pages=2) }}</p>\n'
            '{{ ngettext("%(num)s question", "%(num)s questions", count) }}'
            '{{ _("Next page") }}\n'
            "{% trans %}Block text{% endtrans %}\n"
            "{{ _(variable) }}\n"
        )
        lines = as_python(source).splitlines()
        self.assertEqual(lines[0], "gettext('Policy guides')")
        self.assertEqual(lines[1], "")
        self.assertEqual(lines[2], "gettext('Page %(number)s of %(pages)s')")
        self.assertEqual(
            lines[3], "ngettext('%(num)s question', '%(num)s questions', n); gettext('Next page')"
        )
        self.assertEqual(lines[4], "gettext('Block text')")
        self.assertEqual(len(lines), 5)  # _(variable) has nothing to extract

    def test_quotes_and_non_ascii_survive(self):
        source = """{{ _("Search results for “%(query)s” — it's \\"here\\"", query=q) }}"""
        (line,) = as_python(source).splitlines()
        namespace = {"gettext": lambda message: message}
        self.assertEqual(eval(line, namespace), 'Search results for “%(query)s” — it\'s "here"')

    def test_admin_templates_are_left_to_django(self):
        base = Path(settings.BASE_DIR) / "templates"
        self.assertTrue(is_jinja_template(base / "faq" / "home.html"))
        self.assertTrue(is_jinja_template(base / "base.html"))
        self.assertFalse(is_jinja_template(base / "admin" / "index.html"))
        self.assertFalse(is_jinja_template(Path(settings.BASE_DIR) / "faq" / "views" / "pages.py"))


LONG_BODY = " ".join(f"palabra{n}" for n in range(120))


# These tests switch the interface language themselves (translation.override);
# which URL activates which language is tested in tests/test_languages.py.
WITHOUT_URL_LANGUAGE = [
    name for name in settings.MIDDLEWARE if name != "faq.languages.LanguageFromURLMiddleware"
]


@override_settings(MIDDLEWARE=WITHOUT_URL_LANGUAGE)
class SpanishPageTests(TestCase):
    """Each public page type rendered with Spanish active (as the Spanish URLs
    activate it) shows the Spanish interface and no English one. The
    content is Spanish, so any English left on the page is interface text."""

    @classmethod
    def setUpTestData(cls):
        category = Category.objects.create(name="Gobierno federal", slug="gobierno-federal")
        cls.guide = make_guide("guia-de-prueba", title="Guía de prueba", category=category)
        cls.questions = [
            make_question(
                cls.guide,
                position,
                text=f"¿Cómo renuevo la licencia número {position}?",
                body=f"Respuesta sobre la licencia número {position}. {LONG_BODY}",
                topics=["Licencias"],
            )
            for position in range(1, 6)
        ]
        answer = cls.questions[0].answer
        answer.body = answer.body.replace("palabra100", "palabra-nueva")
        answer.change_note = "Se corrigió una palabra."
        answer.save()

    def setUp(self):
        po = catalogue()
        self.public = [entry for entry in po if is_public(entry)]
        self.assertGreater(len(self.public), 50)
        self.by_msgid = {entry.msgid: entry for entry in po}

    def english_left(self, text):
        found = []
        for entry in self.public:
            spanish = " ".join(translations(entry))
            for fragment in fragments(entry.msgid) + fragments(entry.msgid_plural or ""):
                if fragment in text and fragment not in spanish:
                    found.append(fragment)
        return found

    def render(self, url, status=200):
        """The page's readable text in Spanish, after checking that no word of
        the English page is left in it but the content's and the Spanish
        catalogue's: this catches English that was never wrapped in _() at all."""
        with self.settings(PAGE_CACHE_SECONDS=0):
            with translation.override("en"):
                english = self.client.get(url)
            with translation.override("es"):
                response = self.client.get(url)
        self.assertEqual(response.status_code, status)
        text = ReadableText.of(response.content.decode())
        shared = words(ReadableText.of(english.content.decode())) & words(text)
        self.assertEqual(shared - self.allowed_words(), set())
        return text

    def allowed_words(self):
        """Words that may appear in both languages: the (Spanish) content, the
        site's name, and words the Spanish translations use themselves."""
        content = [settings.SITE_NAME, "Gobierno federal", "Licencias", "Se corrigió una palabra."]
        content += Question.objects.values_list("text", flat=True)
        content += Answer.objects.values_list("body", flat=True)
        content += [self.guide.title, "licencia zzzqqq"]
        content += [text for entry in catalogue() for text in translations(entry)]
        return words(" ".join(content))

    def assert_spanish(self, text, *msgids):
        self.assertEqual(self.english_left(text), [])
        for msgid in ("Skip to main content", "Search the answers", *msgids):
            entry = self.by_msgid[msgid]
            for fragment in fragments(entry.msgstr or entry.msgstr_plural[0]):
                self.assertIn(fragment, text, msgid)

    def test_home(self):
        text = self.render("/")
        self.assert_spanish(
            text, "Policy guides", "This site gives general information, not legal advice."
        )
        self.assertIn("5 preguntas", text)

    def test_guide_and_its_second_page(self):
        text = self.render("/guia-de-prueba/")
        self.assert_spanish(text, "Questions in this guide", "Back to the list of questions")
        self.assertIn("Última actualización: ", text)
        views_page_size = views.pages.PAGE_SIZE
        views.pages.PAGE_SIZE = 2
        self.addCleanup(setattr, views.pages, "PAGE_SIZE", views_page_size)
        text = self.render("/guia-de-prueba/?page=2")
        self.assert_spanish(text, "Previous page", "Next page", "Pages of this guide")
        self.assertIn("Página 2 de 3 (preguntas 3–4 de 5)", text)
        self.assertIn("Guía de prueba (página 2) · ", text)

    def test_question(self):
        question = self.questions[1]
        text = self.render(question.get_absolute_url())
        self.assert_spanish(text, "Related questions", "Previous question", "Next question")
        self.assertIn("Ver qué cambió en la respuesta a “¿Cómo renuevo", text)

    def test_change_log(self):
        question = self.questions[0]
        text = self.render(f"{question.get_absolute_url()}changes/")
        self.assert_spanish(
            text, "Changes to this answer", "What changed:", "%(date)s: first published"
        )
        for words in (
            "[… texto sin cambios …]",
            "eliminado: palabra100",
            "agregado: palabra-nueva",
        ):
            self.assertIn(words, text)

    def test_topics_and_topic(self):
        text = self.render("/topics/")
        self.assert_spanish(text, "Topics")
        text = self.render("/topics/licencias/")
        self.assert_spanish(text, "Guides")
        self.assertIn("Tema: Licencias", text)

    def test_search_with_results_and_pages(self):
        page_size = views.search_page.SEARCH_PAGE_SIZE
        views.search_page.SEARCH_PAGE_SIZE = 2
        self.addCleanup(setattr, views.search_page, "SEARCH_PAGE_SIZE", page_size)
        text = self.render("/search/?q=licencia&page=2")
        self.assert_spanish(text, "Pages of search results", "Previous page")
        self.assertIn("Resultados de la búsqueda de “licencia”", text)
        self.assertIn("Se encontraron 5 respuestas; se muestran de la 3 a la 4.", text)
        text = self.render("/search/?q=licencia+zzzqqq")
        self.assert_spanish(text, "No answer has all of your words, so these have some of them.")

    def test_search_without_results_and_without_words(self):
        text = self.render("/search/?q=zzzqqq")
        self.assert_spanish(text, "No answers found.", "Suggestions")
        text = self.render("/search/")
        self.assert_spanish(
            text,
            "Type a few words in the search box above, such as “opt out” or “driver’s "
            "license”, then press Search.",
        )

    def test_not_found(self):
        text = self.render("/no-hay-tal-pagina/", status=404)
        self.assert_spanish(text, "We could not find that page", "Go to all guides")

    def test_server_error(self):
        from django.views.defaults import server_error

        with translation.override("es"):
            response = server_error(RequestFactory().get("/"))
        text = ReadableText.of(response.content.decode())
        self.assert_spanish(text, "Something went wrong on our side")

    def test_feed(self):
        with translation.override("es"):
            content = self.client.get("/feeds/updates.atom").content.decode()
        self.assertIn("<title>DMV Policy FAQ: respuestas actualizadas</title>", content)
        self.assertIn("&lt;strong&gt;Qué cambió:&lt;/strong&gt; Se corrigió una palabra.", content)
        self.assertNotIn("updated answers", content)
        # xml:lang names the answers' language: the Spanish feed's are Spanish.
        spanish_feed = self.client.get("/es/feeds/actualizaciones.atom").content.decode()
        self.assertIn('xml:lang="es"', spanish_feed)
        self.assertIn('xml:lang="en"', content)


class TemplateGettextTests(TestCase):
    """The site's one-call _() and ngettext() (faq/jinja.py) must render exactly
    what Jinja2's own newstyle gettext renders: escaping, %% and placeholders."""

    SNIPPETS = (
        '{{ _("Sources") }}',
        '{{ _("in %(guide)s", guide=name) }}',
        '{{ _("100%% of <b>%(guide)s</b>", guide=name) }}',
        '{{ ngettext("%(num)s question", "%(num)s questions", 1) }}',
        '{{ ngettext("%(num)s question", "%(num)s questions", count) }} {{ name }}',
        '{% autoescape false %}{{ _("in %(guide)s", guide=name) }}{% endautoescape %}',
    )

    def test_renders_as_jinjas_newstyle_gettext(self):
        reference = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
        reference.install_gettext_callables(gettext, ngettext, newstyle=True)
        site = engines["jinja2"].env
        context = {"name": "Fish & <Chips>", "count": 3}
        for language in ("en", "es"):
            for snippet in self.SNIPPETS:
                with (
                    self.subTest(language=language, snippet=snippet),
                    translation.override(language),
                ):
                    expected = reference.from_string(snippet).render(context)
                    self.assertEqual(site.from_string(snippet).render(context), expected)
        with translation.override("es"):  # the catalogue is used, not the English text
            self.assertEqual(site.from_string(self.SNIPPETS[0]).render(), "Fuentes")


class DateTests(TestCase):
    moment = datetime.datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("UTC"))

    def test_long_date_in_each_language(self):
        """The memo of formatted dates is keyed by language too: the same
        instant alternates between languages without one answering for the other."""
        for _round in range(2):
            with translation.override("en"):
                self.assertEqual(date_filter(self.moment), "December 1, 2026")
            with translation.override("es"):
                self.assertEqual(date_filter(self.moment), "1 de diciembre de 2026")

    def test_explicit_formats_name_months_in_the_active_language(self):
        with translation.override("es"):
            self.assertEqual(date_filter(self.moment, "F Y"), "diciembre 2026")
        self.assertEqual(date_filter(self.moment, "F Y"), "December 2026")

    def test_revision_labels(self):
        with translation.override("es"):
            self.assertEqual(revision_label(self.moment), "1 de diciembre de 2026, 12:00")
        self.assertEqual(revision_label(self.moment), "1 December 2026, 12:00")


class LanguageChoiceTests(TestCase):
    """Public pages: the URL alone decides (no Accept-Language, no cookie), so
    the page cache keeps one copy per URL. The admin: the editor's browser."""

    @classmethod
    def setUpTestData(cls):
        guide = make_guide()
        cls.question = make_question(guide, 1)

    def test_public_pages_ignore_the_browser_language(self):
        for url in ("/", self.question.get_absolute_url(), "/search/?q=DMV"):
            with self.subTest(url=url), self.settings(PAGE_CACHE_SECONDS=0):
                plain = self.client.get(url)
                spanish = self.client.get(url, headers={"accept-language": "es-MX,es;q=0.9"})
                self.client.cookies["django_language"] = "es"
                with_cookie = self.client.get(url)
                del self.client.cookies["django_language"]
                self.assertEqual(spanish.content, plain.content)
                self.assertEqual(with_cookie.content, plain.content)
                self.assertIn("Skip to main content", plain.content.decode())
                for response in (plain, spanish, with_cookie):
                    self.assertNotIn("Accept-Language", response.get("Vary", ""))
                    self.assertEqual(
                        response.get("Content-Language"), plain.get("Content-Language")
                    )

    def test_admin_answers_in_the_editors_language(self):
        self.client.force_login(make_staff("alice", "Editors"))
        spanish = self.client.get("/admin/", headers={"accept-language": "es-MX,es;q=0.9"})
        self.assertContains(spanish, "Cerrar sesión")  # Django's own catalogue
        self.assertContains(spanish, "1 respuesta pendiente de revisión")  # ours
        self.assertEqual(spanish["Content-Language"], "es")
        self.assertIn("Accept-Language", spanish["Vary"])
        english = self.client.get("/admin/", headers={"accept-language": "fr, en;q=0.5"})
        self.assertContains(english, "Log out")
        self.assertContains(english, "1 answer due for review")
        self.assertEqual(english["Content-Language"], "en")

    def test_admin_edit_screen_and_messages_in_spanish(self):
        self.client.force_login(make_staff("bob", "Editors", "Publishers"))
        answer = self.question.answer
        es = {"accept-language": "es"}
        response = self.client.get(f"/admin/faq/answer/{answer.pk}/change/", headers=es)
        for spanish in ("Flujo de publicación", "Guardar como borrador", "Sobre este cambio"):
            self.assertContains(response, spanish)
        response = self.client.post(
            "/admin/faq/answer/",
            {"action": "mark_as_reviewed", "_selected_action": [answer.pk]},
            headers=es,
            follow=True,
        )
        self.assertContains(response, "Se marcó 1 respuesta como revisada.")
        row = answer.history.earliest("history_date")
        response = self.client.get(f"/admin/faq/answer/{answer.pk}/revert/{row.pk}/", headers=es)
        self.assertContains(response, "Sí, restaurar")
        saved_on = re.search(r"guardada el (\d+ de \w+ de \d{4}, \d\d:\d\d)", response.text)
        self.assertIsNotNone(saved_on, "a Spanish date in the revert confirmation")

    def test_history_screens_are_titled_in_spanish(self):
        """simple-history titles its history screens "View history: …", which has
        no Spanish translation; every history screen here has a title of ours."""
        self.client.force_login(make_staff("erin", "Editors", "Publishers"))
        answer, guide = self.question.answer, self.question.guide
        for url, title in (
            (f"/admin/faq/answer/{answer.pk}/history/", "Historial: Respuesta a “"),
            (f"/admin/faq/question/{self.question.pk}/history/", "Historial: "),
            (f"/admin/faq/guide/{guide.pk}/history/", f"Historial: {guide}"),
        ):
            with self.subTest(url=url):
                html = self.client.get(url, headers={"accept-language": "es"}).text
                self.assertIn(f"<h1>{title}", html)
                self.assertNotIn("View history", html)

    def test_the_admins_language_does_not_leak_into_the_next_public_page(self):
        """The same thread serves the admin and then a reader: the reader's page is English."""
        self.client.force_login(make_staff("carol", "Editors"))
        self.client.get("/admin/", headers={"accept-language": "es"})
        self.client.logout()
        self.assertEqual(translation.get_language(), settings.LANGUAGE_CODE)
        response = self.client.get("/")
        self.assertContains(response, "Skip to main content")
        self.assertNotContains(response, "Saltar al contenido principal")

    def test_preview_shows_the_page_in_the_contents_language(self):
        self.client.force_login(make_staff("dana", "Editors"))
        answer = self.question.answer
        from .factories import answer_form_data

        response = self.client.post(
            f"/admin/faq/answer/{answer.pk}/preview/",
            answer_form_data(answer),
            headers={"accept-language": "es"},
        )
        self.assertContains(response, "Preview, not saved.")
        self.assertContains(response, "Skip to main content")
        self.assertNotContains(response, "Vista previa, sin guardar.")
