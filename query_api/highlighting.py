"""Search highlights drawn from the hits' own text, as Elasticsearch's highlighter would mark them.

Why not Elasticsearch's highlighter: a typo-tolerant term of six letters or more may be two edits away, and the
highlighter builds a Levenshtein automaton for it again for every hit and every field. That was most of a search's
time (about 1 ms per hit). Marking the words of 20 short values here costs a few microseconds each. Values longer
than one fragment or one sentence are left to Elasticsearch (``needs_fragments``), which cuts them into sentences.

Words follow Elasticsearch's `standard` analyzer (Unicode word boundaries, then lower case) for the text orders
hold: letters and digits, joined by ``.`` ``'`` ``:`` between letters and by ``.`` ``,`` ``;`` ``'`` between
digits; each Han or Hiragana character is a word of its own. A word matches a query word within the edits that
``fuzziness: AUTO`` allows (0 up to 2 characters, 1 up to 5, else 2; a swap of neighbours is one edit).
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

PRE, POST = "<em>", "</em>"
# Elasticsearch's default fragment size: a value up to this long is one fragment, the whole value.
FRAGMENT_SIZE = 100
MAX_FRAGMENTS = 5
SENTENCE_END = re.compile(r"[!?\u3002\uff01\uff1f][\"')\]\u2019\u201d]*\s*\S|[.\u2026][\"')\]\u2019\u201d]*\s+\S"
                          r"|[\n\r\u0085\u2028\u2029]")
ITEM_NAMES = "items.product_name"
_SINGLE = r"[\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_JOINED = r"(?:(?<=[^\W\d_])[.:'\u2019](?=[^\W\d_])|(?<=\d)[.,;'\u2019](?=\d))"
_WORD_CHAR = rf"(?:(?!{_SINGLE})\w)"
WORD = re.compile(rf"{_SINGLE}|{_WORD_CHAR}+(?:{_JOINED}{_WORD_CHAR}+)*")


def words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased word) of each word of ``text``."""
    return [(match.start(), match.end(), match.group().lower()) for match in WORD.finditer(text)]


def query_words(text: str) -> list[str]:
    return [word for _, _, word in words(text)]


def allowed_edits(term: str) -> int:
    """What ``fuzziness: AUTO`` allows for a query word of this length."""
    return 0 if len(term) < 3 else 1 if len(term) < 6 else 2


def edit_distance(term: str, word: str, limit: int) -> int | None:
    """Insertions, deletions, substitutions and neighbour swaps from ``term`` to ``word``; ``None`` past ``limit``."""
    if abs(len(term) - len(word)) > limit:
        return None
    if limit == 0 or term == word:
        return 0 if term == word else None
    before: list[int] = []
    previous = list(range(len(word) + 1))
    for i, term_char in enumerate(term, 1):
        current = [i] + [0] * len(word)
        for j, word_char in enumerate(word, 1):
            cost = 0 if term_char == word_char else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and term_char == word[j - 2] and term[i - 2] == word_char:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return None
        before, previous = previous, current
    return previous[-1] if previous[-1] <= limit else None


def closest(term: str, candidates: Iterable[str]) -> int | None:
    """The fewest edits from ``term`` to one of ``candidates`` within what AUTO allows; ``None`` when none is."""
    found = [edits for word in candidates if (edits := edit_distance(term, word, allowed_edits(term))) is not None]
    return min(found, default=None)


def matches(terms: Sequence[str], word: str) -> bool:
    return any(closest(term, [word]) is not None for term in terms)


def mark(value: str, terms: Sequence[str]) -> str | None:
    """``value`` with each matching word wrapped in ``<em>``; ``None`` when no word matches."""
    parts: list[str] = []
    end = 0
    for start, stop, word in words(value):
        if matches(terms, word):
            parts += [value[end:start], PRE, value[start:stop], POST]
            end = stop
    return "".join([*parts, value[end:]]) if parts else None


def needs_fragments(value: str) -> bool:
    """Whether Elasticsearch would cut the value: longer than a fragment, or more than one sentence (it returns only
    the sentences holding a match). Cautious: any terminator followed by more text counts as a sentence end."""
    return len(value) > FRAGMENT_SIZE or SENTENCE_END.search(value) is not None


def field_values(source: dict[str, Any], path: str) -> list[str]:
    """The text values at a dotted path of a document, through lists (``items.product_name``)."""
    found: list[Any] = [source]
    for key in path.split("."):
        found = [each.get(key) for value in found for each in (value if isinstance(value, list) else [value])
                 if isinstance(each, dict)]
    return [value for value in found if isinstance(value, str)]


def matching_names(names: Iterable[str], terms: Sequence[str]) -> list[str]:
    """The names holding every query word (the nested query's ``operator: and``), closest and shortest first as
    their scores would rank them."""
    ranked: list[tuple[int, int, int, str]] = []
    for position, name in enumerate(names):
        name_words = [word for _, _, word in words(name)]
        edits = [closest(term, name_words) for term in terms]
        if all(each is not None for each in edits):
            ranked.append((sum(each or 0 for each in edits), len(name_words), position, name))
    return [name for *_, name in sorted(ranked)]


def drawn_highlights(source: dict[str, Any], text: str, fields: Sequence[str]) -> dict[str, list[str]] | None:
    """The highlights of an order document for the search ``text``: ``fields`` whole, and the names of the items
    that match every word (the nested query's ``operator: and``); ``None`` when a matching value is longer than one
    fragment, which Elasticsearch has to cut."""
    terms = query_words(text)
    candidates = {field: field_values(source, field) for field in fields}
    candidates[ITEM_NAMES] = matching_names(field_values(source, ITEM_NAMES), terms)
    drawn: dict[str, list[str]] = {}
    for field, values in candidates.items():
        marked = [(value, marked) for value in values if (marked := mark(value, terms)) is not None][:MAX_FRAGMENTS]
        if any(needs_fragments(value) for value, _ in marked):
            return None
        if marked:
            drawn[field] = [each for _, each in marked]
    return drawn
