"""Highlights drawn in the API: words as the standard analyzer cuts them, AUTO fuzziness, whole short values."""

import pytest

from query_api.highlighting import (
    allowed_edits,
    drawn_highlights,
    edit_distance,
    field_values,
    mark,
    matching_names,
    query_words,
    words,
)

FIELDS = ["customer.name", "notes"]


@pytest.mark.parametrize(("text", "expected"), [
    ("karen.perlman.13848@example.com", ["karen.perlman", "13848", "example.com"]),
    ("O'Neil's 3.5kg box, 1,000 units; 12:30 rue d'Arc",
     ["o'neil's", "3.5kg", "box", "1,000", "units", "12", "30", "rue", "d'arc"]),
    ("東京都 ひらがな カタカナ x_y foo-bar", ["東", "京", "都", "ひ", "ら", "が", "な", "カタカナ", "x_y", "foo", "bar"]),
    ("Ünïcödé STRASSE café", ["ünïcödé", "strasse", "café"]),
    ("  ...  ", []),
])
def test_words_are_cut_as_the_standard_analyzer_cuts_them(text: str, expected: list[str]) -> None:
    assert query_words(text) == expected


def test_words_carry_their_offsets_in_the_original_text() -> None:
    assert words("Rugged Scanner") == [(0, 6, "rugged"), (7, 14, "scanner")]


@pytest.mark.parametrize(("term", "edits"), [("ab", 0), ("abc", 1), ("abcde", 1), ("abcdef", 2), ("scanner", 2)])
def test_auto_fuzziness_allows_edits_by_length(term: str, edits: int) -> None:
    assert allowed_edits(term) == edits


@pytest.mark.parametrize(("term", "word", "limit", "expected"), [
    ("scanner", "scanner", 2, 0),
    ("scnner", "scanner", 2, 1),            # a letter left out
    ("sacnner", "scanner", 2, 1),           # neighbours swapped: one edit
    ("scannre", "scanner", 2, 1),
    ("scxnnxr", "scanner", 2, 2),
    ("sxxnnxr", "scanner", 2, None),        # three substitutions
    ("lamp", "lamps", 0, None),
    ("lamp", "lamb", 1, 1),
    ("ab", "abcd", 1, None),                # lengths differ by more than the limit
])
def test_edit_distance_counts_a_swap_of_neighbours_as_one(term: str, word: str, limit: int, expected: int | None) -> None:
    assert edit_distance(term, word, limit) == expected


def test_mark_wraps_each_matching_word_and_keeps_the_rest() -> None:
    assert mark("Park Avenue, parc", ["park"]) == "<em>Park</em> Avenue, <em>parc</em>"
    assert mark("Silent Microphone", ["lamp"]) is None


def test_field_values_reach_through_lists() -> None:
    source = {"customer": {"name": "Ada"}, "items": [{"product_name": "Desk Lamp"}, {"product_name": "Cable"}, {}]}
    assert field_values(source, "customer.name") == ["Ada"]
    assert field_values(source, "items.product_name") == ["Desk Lamp", "Cable"]
    assert field_values(source, "notes") == []


def test_item_names_must_hold_every_word_and_rank_closest_then_shortest() -> None:
    names = ["Solar Chair", "Modular Charger", "Charger", "Desk Lamp"]
    assert matching_names(names, ["chargr"]) == ["Charger", "Modular Charger", "Solar Chair"]
    assert matching_names(["Desk Lamp", "Desk Mouse"], ["desk", "lamp"]) == ["Desk Lamp"]


def test_drawn_highlights_name_each_field_with_a_match() -> None:
    source = {"customer": {"name": "Karen Lamport"}, "notes": "call first",
              "items": [{"product_name": "Desk Lamp"}, {"product_name": "Cable"}]}
    assert drawn_highlights(source, "Lamp", FIELDS) == {"items.product_name": ["Desk <em>Lamp</em>"]}
    assert drawn_highlights(source, "Karen", FIELDS) == {"customer.name": ["<em>Karen</em> Lamport"]}
    assert drawn_highlights(source, "nothing", FIELDS) == {}


def test_a_matching_value_longer_than_a_fragment_is_left_to_elasticsearch() -> None:
    long_note = "Please call first. " * 10
    assert drawn_highlights({"notes": long_note}, "call", FIELDS) is None
    assert drawn_highlights({"notes": long_note}, "door", FIELDS) == {}
