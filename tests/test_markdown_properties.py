"""Hostile Markdown, proved by properties (hypothesis): whatever an editor, a
fixture or an attacker writes, the HTML render_markdown() stores

1. parsed as HTML (html.parser, as a browser tokenises it, not a regex) holds
   only ALLOWED_TAGS, each with only its ALLOWED_ATTRIBUTES (plus the rel nh3
   adds to links), no comment, doctype or processing instruction, and no URL
   whose scheme is outside ALLOWED_URL_SCHEMES, after the unescaping and the
   tab/newline/control stripping a browser applies to a URL;
2. is a fixed point of the sanitiser: sanitize(html) == html. That is the
   idempotence that matters here: stored HTML run through the sanitiser again
   (a re-save, a migration, a second line of defence at render) changes not
   one byte, so nothing depends on how many times it was cleaned.

3,000 examples of a Markdown grammar built from known attack fragments, and
1,000 of arbitrary text.
"""

import re
from html.parser import HTMLParser

from django.test import SimpleTestCase
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faq.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    render_markdown,
    sanitize,
)

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "cite", "poster"}
# WHATWG URL parsing: leading/trailing C0 controls and spaces go, tabs and
# newlines anywhere go; what is left before the first ":" is the scheme.
SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
STRIP = "".join(chr(code) for code in range(0x21))

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=//evil.example>",
    "<style>*{}</style>",
    "<a href='javascript:alert(1)'>x</a>",
    "<!-- comment -->",
    "<![CDATA[x]]>",
    "<?xml version='1.0'?>",
    "<!DOCTYPE html>",
    "[a](javascript:alert(1))",
    "[a](JaVaScRiPt:alert(1))",
    "[a](java\tscript:alert(1))",
    "[a](java%0ascript:alert(1))",
    "[a](&#106;avascript:alert(1))",
    "[a](&#x6A;avascript:alert(1))",
    "[a](\x01javascript:alert(1))",
    "[a]( javascript:alert(1))",
    "[a](data:text/html;base64,PHNjcmlwdD4=)",
    "[a](vbscript:msgbox(1))",
    "[a](file:///etc/passwd)",
    "[a](<javascript:alert(1)>)",
    '[a](https://x.example "t" onclick="y")',
    "[a](https://x.example'onmouseover='y)",
    "[a](//evil.example)",
    "[a](/relative?x=<b>)",
    "[t](tel:+1-312-555-0100)",
    "[m](mailto:x@y.example?subject=<b>)",
    "<javascript:alert(1)>",
    "<https://a.example/c>",
    "<mailto:a@b.example>",
    "[x][r]\n\n[r]: javascript:alert(1)\n",
    "[x][r]\n\n[r]: https://ok.example 'title\"><script>'\n",
    "![i](https://x.example/y.png)",
    "![i](javascript:alert(1))",
    "`<b onclick=x>`",
    "```\n<script>alert(1)</script>\n```\n",
    "    <script>indented</script>\n",
    "&lt;script&gt;",
    "&#0;",
    "&#x110000;",
    "&amp;#106;",
    "\x00",
    "\u2028",
    "\ufeff",
]
MARKUP = ["\n", "\n\n", " ", "> ", "1. ", "3. ", "* ", "- ", "# ", "###### ", "---\n"]
MARKUP += ["**", "_", "`", "[", "]", "(", ")", "<", ">", '"', "'", "\\", "|", "&", "=", ":"]
markdown = st.lists(
    st.one_of(st.sampled_from(ATTACKS), st.sampled_from(MARKUP), st.text(max_size=12)),
    max_size=25,
).map("".join)


class AllowlistParser(HTMLParser):
    """Collects everything in the HTML outside the allowlist."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set())
        for name, value in attrs:
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "rel" and value != "noopener noreferrer":
                self.problems.append(f"rel={value!r}")
            if name in URL_ATTRIBUTES:
                url = (value or "").strip(STRIP).replace("\t", "").replace("\n", "")
                url = url.replace("\r", "")
                scheme = SCHEME.match(url)
                if scheme and scheme.group(1).lower() not in ALLOWED_URL_SCHEMES:
                    self.problems.append(f"URL scheme {scheme.group(1)!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data):
        self.problems.append("comment")

    def handle_decl(self, decl):
        self.problems.append("declaration")

    def handle_pi(self, data):
        self.problems.append("processing instruction")

    def unknown_decl(self, data):
        self.problems.append("unknown declaration")


def problems(html):
    parser = AllowlistParser()
    parser.feed(html)
    parser.close()
    return parser.problems


PROPERTY_SETTINGS = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.too_slow],
}


class MarkdownPropertyTests(SimpleTestCase):
    @settings(max_examples=3000, **PROPERTY_SETTINGS)
    @given(markdown)
    def test_hostile_markdown_renders_only_allowed_html_and_is_a_fixed_point(self, source):
        html = render_markdown(source)
        self.assertEqual(problems(html), [], html)
        self.assertEqual(sanitize(html), html)

    @settings(max_examples=1000, **PROPERTY_SETTINGS)
    @given(st.text(max_size=300))
    def test_any_text_renders_only_allowed_html_and_is_a_fixed_point(self, source):
        html = render_markdown(source)
        self.assertEqual(problems(html), [], html)
        self.assertEqual(sanitize(html), html)

    def test_the_checker_catches_what_it_must(self):
        """The properties above can fail: the checker sees each forbidden thing."""
        self.assertEqual(problems('<p><a href="https://x" rel="noopener noreferrer">x</a></p>'), [])
        self.assertEqual(problems('<ol start="2"><li>x</li></ol><a href="tel:1">t</a>'), [])
        for html in (
            "<script>x</script>",
            '<p onclick="x">x</p>',
            '<a href="javascript:alert(1)">x</a>',
            '<a href="&#106;avascript:x">x</a>',
            '<a href="java&#9;script:x">x</a>',
            '<a href=" \x01JAVASCRIPT:x">x</a>',
            '<a href="data:text/html,x">x</a>',
            '<img src="x">',
            "<!-- x -->",
            "<!DOCTYPE html>",
            '<a rel="opener" href="https://x">x</a>',
        ):
            with self.subTest(html=html):
                self.assertNotEqual(problems(html), [])
