"""Search is bounded: a query is cut to a few words, each tested once over an Arrow index."""

from __future__ import annotations

import time

import pytest

from atlas.service import MAX_SEARCH_CHARS, MAX_SEARCH_WORDS


def test_search_finds_names_codes_and_accents(service):
    code = service.codes("qpv")[0]
    assert service.search(code, limit=3)[0].code == code
    name = service.territory("qpv", code)["name"]
    assert code in [h.code for h in service.search(name.upper(), limit=50)]
    assert service.search("") == [] and service.search("   ") == []


def test_search_words_are_cut_and_deduplicated(service):
    assert service.search_words("Saint saint SAINT denis") == ["saint", "denis"]
    assert len(service.search_words("a b c d e f g h i j")) == MAX_SEARCH_WORDS
    assert service.search_words("x" * (MAX_SEARCH_CHARS + 50)) == ["x" * MAX_SEARCH_CHARS]


@pytest.mark.parametrize("query", ["x " * 500_000, "é" * 1_000_000, "QN" * 400_000])
def test_a_huge_search_query_is_cut_to_a_few_words(service, query):
    assert len(service.search_words(query)) <= MAX_SEARCH_WORDS
    start = time.perf_counter()
    service.search(query, limit=8)
    assert time.perf_counter() - start < 1.0  # was 24 s for 1 MB; a generous bound, not a benchmark
