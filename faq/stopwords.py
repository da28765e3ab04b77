"""Words too common to say what a reader is looking for, per language.

Readers type questions ("can ICE see my address"); in such a query "can" and
"my" are rare in the answers' text and so would outweigh "address" in the
ranking. They are left out of the words matched (not of the phrase that ranks
an exact match first) unless the query has no other word. PostgreSQL's
'english' configuration drops its own list; this one is for both databases.
"""

from .search_models import DEFAULT_LANGUAGE

STOPWORDS = {
    "en": frozenset(
        [
            "a",
            "about",
            "am",
            "an",
            "and",
            "are",
            "as",
            "at",
            "be",
            "been",
            "being",
            "but",
            "by",
            "can",
            "could",
            "did",
            "do",
            "does",
            "doing",
            "for",
            "from",
            "had",
            "has",
            "have",
            "having",
            "he",
            "her",
            "here",
            "hers",
            "him",
            "his",
            "how",
            "i",
            "if",
            "in",
            "into",
            "is",
            "it",
            "its",
            "me",
            "my",
            "myself",
            "of",
            "on",
            "or",
            "our",
            "ours",
            "she",
            "should",
            "so",
            "than",
            "that",
            "the",
            "their",
            "theirs",
            "them",
            "then",
            "there",
            "these",
            "they",
            "this",
            "those",
            "to",
            "too",
            "very",
            "was",
            "we",
            "were",
            "what",
            "when",
            "where",
            "which",
            "while",
            "who",
            "whom",
            "why",
            "will",
            "with",
            "would",
            "you",
            "your",
            "yours",
        ]
    ),
}


def content_words(tokens, language=DEFAULT_LANGUAGE):
    """The tokens less stop words, or all of them if nothing else is left."""
    stopwords = STOPWORDS.get(language, frozenset())
    return [token for token in tokens if token not in stopwords] or list(tokens)
