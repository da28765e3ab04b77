from django.test import SimpleTestCase

from faq.markdown import render_markdown


class RenderMarkdownTests(SimpleTestCase):
    def test_numbered_lines_become_an_ordered_list(self):
        html = render_markdown("Intro:\n\n1. First point.\n2. Second point.")
        self.assertIn("<p>Intro:</p>", html)
        self.assertIn("<ol>", html)
        self.assertEqual(html.count("<li>"), 2)

    def test_a_list_can_start_at_another_number(self):
        self.assertIn('<ol start="3">', render_markdown("3. Third.\n4. Fourth."))

    def test_raw_html_is_shown_as_text_not_run(self):
        html = render_markdown('<script>alert("x")</script> and <b onclick="x()">bold</b>')
        self.assertNotIn("<script", html)
        self.assertNotIn("<b", html)
        self.assertIn("&lt;script&gt;", html)

    def test_links_keep_safe_urls_and_drop_javascript(self):
        html = render_markdown("[law](https://example.org/law) and [bad](javascript:alert(1))")
        self.assertIn('href="https://example.org/law"', html)
        self.assertIn('rel="noopener noreferrer"', html)
        self.assertNotIn('href="javascript', html)
        self.assertNotIn('<a href="javascript', render_markdown("<javascript:alert(1)>"))

    def test_headings_start_below_the_pages_own_h1(self):
        html = render_markdown("# Heading")
        self.assertIn("<h2>Heading</h2>", html)
        self.assertNotIn("<h1>", html)

    def test_typographic_quotes_are_kept(self):
        self.assertIn("State’s office", render_markdown("State’s office"))
