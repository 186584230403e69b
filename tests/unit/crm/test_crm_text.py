import pytest
from hypothesis import given
from hypothesis import strategies as st

from skailan.crm.values.text import MAX_NAME_KEYS, fold, name_search_keys, name_tokens, search_prefix


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("María José PÉREZ", "maria jose perez"),
        ("  Peña\t\n Núñez  ", "pena nunez"),
        ("Çağlar Ölçer", "caglar olcer"),
        ("Straße", "strasse"),
        ("Ｆｕｌｌ width", "full width"),
        ("İstanbul", "istanbul"),
        ("", ""),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


@given(st.text())
def test_fold_is_idempotent(text):
    assert fold(fold(text)) == fold(text)


def test_name_tokens_split_on_punctuation_and_join_apostrophes():
    assert name_tokens("Pérez-Gómez, O'Brien  Jr.") == ["perez", "gomez", "obrien", "jr"]


def test_name_search_keys_are_suffix_phrases_from_each_word():
    assert name_search_keys("María José Pérez") == ["maria jose perez", "jose perez", "perez"]
    assert name_search_keys("   ") == []
    assert name_search_keys("Ana Ana") == ["ana ana", "ana"]


@pytest.mark.parametrize("query", ["jos", "perez", "PÉREZ", "maria j", "María José P", "jose pe", "m"])
def test_a_person_is_found_by_a_prefix_of_the_name_or_of_any_word(query):
    keys = name_search_keys("María José Pérez")
    assert any(key.startswith(search_prefix(query)) for key in keys)


@pytest.mark.parametrize("query", ["perez maria", "ose", "marias"])
def test_infixes_and_reordered_words_are_not_found(query):
    keys = name_search_keys("María José Pérez")
    assert not any(key.startswith(search_prefix(query)) for key in keys)


def test_keys_have_no_hash_so_they_fit_in_a_sort_key():
    keys = name_search_keys("Ana #1 Pérez#Gómez")
    assert all("#" not in key for key in keys)
    assert search_prefix("  #  ") == ""


def test_keys_are_capped_per_person():
    keys = name_search_keys(" ".join(f"w{i}" for i in range(20)))
    assert len(keys) == MAX_NAME_KEYS
    assert len(name_search_keys("a" * 500)[0]) == 100


words = st.lists(st.text(alphabet="abcdeñáéíóúABCÑ", min_size=1, max_size=8), min_size=1, max_size=5)


@given(words=words, data=st.data())
def test_any_prefix_of_any_word_onward_is_found(words, data):
    name = " ".join(words)
    keys = name_search_keys(name)
    tokens = name_tokens(name)
    start = data.draw(st.integers(0, len(tokens) - 1))
    tail = " ".join(tokens[start:])
    cut = data.draw(st.integers(1, len(tail)))
    assert any(key.startswith(search_prefix(tail[:cut])) for key in keys)
