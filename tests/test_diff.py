"""The public change log's word diff: readable, announced to screen readers, always escaped."""

from django.test import SimpleTestCase
from django.utils.safestring import SafeString

from faq.diff import PLAIN, list_diff, word_diff


class WordDiffTests(SimpleTestCase):
    def test_changed_words_are_marked_with_hidden_labels(self):
        html = word_diff("You may opt out by mail.", "You may opt out online or by mail.")
        self.assertIsInstance(html, SafeString)
        self.assertEqual(
            html,
            'You may opt out <ins><span class="visually-hidden">added: </span>online or</ins> '
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

    def test_long_unchanged_text_is_shortened_around_changes_when_asked(self):
        words = [f"w{number}" for number in range(200)]
        old = " ".join(words)
        new = " ".join(words[:100] + ["NEW"] + words[100:])
        full = word_diff(old, new)
        self.assertIn("w0 ", full)
        self.assertNotIn("unchanged text", full)
        short = word_diff(old, new, context=5)
        self.assertEqual(short.count("[… unchanged text …]"), 2)
        self.assertIn("w95 w96 w97 w98 w99 <ins>", short)
        self.assertIn("</ins> w100 w101 w102 w103 w104", short)
        self.assertNotIn("w0 ", short)
        self.assertNotIn("w199", short)
        self.assertNotIn("w94 ", short)

    def test_short_unchanged_text_is_kept_whole(self):
        html = word_diff("a b c d e", "a b X d e", context=5)
        self.assertNotIn("unchanged text", html)
        self.assertTrue(html.startswith("a b "))


class PlainDiffTests(SimpleTestCase):
    """The same differences for a terminal (import_guide --dry-run): marks, no HTML."""

    def test_words_and_lists_are_marked_in_plain_text(self):
        text = word_diff("Renew every <four> years.", "Renew every eight years.", marks=PLAIN)
        self.assertEqual(text, "Renew every [-<four>-] {+eight+} years.")
        self.assertNotIsInstance(text, SafeString)
        self.assertEqual(list_diff(["A", "B"], ["B", "C"], marks=PLAIN), "B, [-A-], {+C+}")

    def test_long_unchanged_text_is_cut_to_an_ellipsis(self):
        words = [f"w{number}" for number in range(100)]
        text = word_diff(" ".join(words), " ".join(["NEW", *words]), context=3, marks=PLAIN)
        self.assertEqual(text, "{+NEW+} w0 w1 w2 … ")
