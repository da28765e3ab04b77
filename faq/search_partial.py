"""Which answers a partial-match search shows, when some of the reader's words are common.

A search finds the answers with every word of a query, and when there are
none, the answers with any of them (faq/search.py). A word found in more than
COMMON_MATCHES answers says little about which answer a reader means, so,
as Lucene's common terms query does:

- while one of the reader's other words matches at most that many answers,
  those words decide what matches, and the common ones only order the
  matches (tiers and relevance count every word);
- when every word that matches anything is common, the answers with all of
  those words are shown, ranked as an every-word search; only if no answer
  has them all does any one of them make a match.

Readers are better served ("can ice see my adress" finds the answers about
ICE, not every answer that says "see"), and what such a search reads is
bounded by COMMON_MATCHES, where it was every answer with the common word:
all 10,020 demo answers through "see" alone.
"""

from django.db import connection

from .search import is_postgresql

COMMON_MATCHES = 1000


class PartialMatching:
    """A mixin of search_matches.Matches: the slots that decide its matches."""

    # Worked out on first use (_plan()), once per search.
    _member_slots = None
    _together = None

    def member_slots(self):
        """The slots an answer needs one of: all of them, unless some match
        between 1 and COMMON_MATCHES answers in a partial-match search."""
        self._plan()
        return self._member_slots

    def common_together(self):
        """The every-word Matches of the common slots, in a partial-match
        search where no other slot matches anything; else None."""
        self._plan()
        return self._together

    def common_apart(self):
        """No answer has all the common slots: any one of them makes a match."""
        self._together = None

    def _plan(self):
        if self._member_slots is not None:
            return
        if self.match_all or len(self.slots) < 2:
            self._member_slots = self.slots
            return
        counts = self._slot_matches(COMMON_MATCHES + 1)
        found = list(zip(self.slots, counts, strict=True))
        telling = [slot for slot, count in found if 0 < count <= COMMON_MATCHES]
        common = [slot for slot, count in found if count > COMMON_MATCHES]
        self._member_slots = telling or self.slots
        if common and not telling:
            self._together = type(self)(common, match_all=True, phrase=self.phrase)

    def _slot_matches(self, limit):
        """How many visible answers each slot matches, counted to `limit` at
        most, in one statement."""
        from .search_matches import visible_sql

        counts, params = [], []
        for slot in self.slots:
            if is_postgresql():
                # where() reads its tsquery from the search's CTE; this one is inline.
                tsquery, slot_params = self.slot_tsquery(slot)
                test = f"document @@ {tsquery} AND {visible_sql(f'{self.table}.question_id')}"
                slot_params = [*slot_params, self.language]
            else:
                test, slot_params = self.where([slot])
            counts.append(
                f"(SELECT COUNT(*) FROM (SELECT 1 FROM {self.table} WHERE {test} LIMIT %s) AS s)"
            )
            params += [*slot_params, limit]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(counts)}", params)
            return cursor.fetchone()
