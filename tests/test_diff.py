"""The public change log's word diff: readable, announced to screen readers, always escaped."""

from django.test import SimpleTestCase
from django.utils.safestring import SafeString

from faq.diff import word_diff


class WordDiffTests(SimpleTestCase):
    def test_changed_words_are_marked_with_hidden_labels(self):
        html = word_diff("You may opt out by mail.", "You may opt out online or by mail.")
        self.assertIsInstance(html, SafeString)
        self.assertEqual(
            html,
            'You may opt out <ins><span class="visually-hidden">added: </span>online or </ins>'
            "by mail.",
        )

    def test_a_replaced_word_shows_removal_then_addition(self):
        html = word_diff("Renew every four years.", "Renew every eight years.")
        self.assertIn('<del><span class="visually-hidden">removed: </span>four</del>', html)
        self.assertIn('<ins><span class="visually-hidden">added: </span>eight</ins>', html)
        self.assertLess(html.index("<del>"), html.index("<ins>"))

    def test_identical_text_has_no_marks(self):
        self.assertEqual(word_diff("Same\n\ntext.", "Same\n\ntext."), "Same\n\ntext.")

    def test_text_is_escaped_on_both_sides(self):
        html = word_diff("<b>old</b> & co", '<script>alert("x")</script> & co')
        self.assertNotIn("<script", html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;script&gt;", html)
        self.assertIn("&lt;b&gt;old&lt;/b&gt;", html)

    def test_empty_and_missing_text(self):
        self.assertEqual(word_diff(None, ""), "")
        self.assertIn("added: </span>New", word_diff(None, "New"))
