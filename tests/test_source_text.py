"""Tests of saelib.source_text (chapter 21): the corpus, the vocabulary, the labels."""

import io
import tokenize

import numpy as np
import pytest

from saelib.source_text import (
    CONCEPTS,
    HELDOUT_MODULES,
    LABEL_NAMES,
    OTHER,
    TRAIN_MODULES,
    VOCAB_SIZE,
    VOCABULARY,
    decode_text,
    encode_text,
    read_stdlib,
    source_labels,
)


def marked(text, labels, name):
    """The characters of ``text`` that carry the boolean label ``name``."""
    return "".join(c for c, flag in zip(text, labels[name], strict=True) if flag)


def test_vocabulary_is_printable_ascii_newline_and_other():
    assert VOCAB_SIZE == 97 and OTHER == 96 and len(VOCABULARY) == 96
    assert VOCABULARY[0] == " " and VOCABULARY[94] == "~" and VOCABULARY[95] == "\n"
    text = "def f(x):\n\treturn 'é' ~ x\n"
    codes = encode_text(text)
    assert codes.dtype == np.int64 and codes.shape == (len(text),)
    expected = [VOCABULARY.index(c) if c in VOCABULARY else OTHER for c in text]
    assert codes.tolist() == expected
    assert decode_text(codes) == text.replace("\t", "\ufffd").replace("é", "\ufffd")
    assert encode_text("").shape == (0,)


def test_encode_and_decode_refuse_bad_input():
    with pytest.raises(TypeError, match="text"):
        encode_text(b"x = 1")
    with pytest.raises(ValueError, match="vocabulary"):
        decode_text(np.array([0, VOCAB_SIZE]))
    with pytest.raises(TypeError, match="codes"):
        decode_text(np.array([0.0, 1.0]))


def test_read_stdlib_reads_the_fixed_lists():
    assert not set(TRAIN_MODULES) & set(HELDOUT_MODULES)
    texts = read_stdlib(HELDOUT_MODULES)
    assert list(texts) == list(HELDOUT_MODULES)
    assert all(isinstance(t, str) and len(t) > 1000 for t in texts.values())
    assert "def " in texts["textwrap"] and "\r" not in texts["textwrap"]
    with pytest.raises(ValueError, match="identifier"):
        read_stdlib(["../etc/passwd"])
    with pytest.raises(ValueError, match="single-file module"):
        read_stdlib(["no_such_module_here"])
    with pytest.raises(TypeError, match="sequence"):
        read_stdlib("textwrap")


def test_fstring_is_one_string_token_in_python_311():
    text = 'x = f"{a + b!r:>{w}}" + name\n'
    labels = source_labels(text)
    assert marked(text, labels, "string") == 'f"{a + b!r:>{w}}"'
    assert marked(text, labels, "name") == "xname"
    assert marked(text, labels, "operator") == "=+"
    assert labels["bracket"].max() == 0  # the braces are inside the string


def test_multiline_string_covers_its_newlines():
    text = 's = """one\ntwo (\nthree"""\nt = 1\n'
    labels = source_labels(text)
    assert marked(text, labels, "string") == '"""one\ntwo (\nthree"""'
    assert labels["bracket"].max() == 0  # "(" inside a string is no bracket
    assert np.flatnonzero(labels["line_start"]).tolist() == [0, 11, 17, 26]
    assert marked(text, labels, "number") == "1"


def test_comment_after_code_and_comment_only_lines():
    text = "if x:  # why\n    # note\n    y = 2  # two\nz = 3\n"
    labels = source_labels(text)
    assert marked(text, labels, "comment") == "# why# note# two"
    assert marked(text, labels, "keyword") == "if"
    starts = np.cumsum([0] + [len(r) + 1 for r in text.split("\n")[:3]])
    ends = starts + [len(r) for r in text.split("\n")[:4]]
    depth_per_line = [
        set(labels["indent"][a : b + 1].tolist())
        for a, b in zip(starts, ends, strict=True)
    ]
    assert depth_per_line == [{0}, {0}, {1}, {0}]


def test_nested_brackets_across_lines():
    text = "f(a, [b,\n   {c: (d)}],\n  e)\n"
    labels = source_labels(text)
    depth = {c: int(labels["bracket"][i]) for i, c in enumerate(text) if c.isalpha()}
    assert depth == {"f": 0, "a": 1, "b": 2, "c": 3, "d": 4, "e": 1}
    # a bracket belongs to the pair it opens or closes
    assert labels["bracket"][text.index("(")] == 1
    assert labels["bracket"][text.index("{")] == 3
    assert labels["bracket"][text.rindex(")")] == 1
    assert labels["bracket"][-1] == 0
    assert labels["indent"].max() == 0  # continuation lines are no blocks


def test_numbers_keywords_soft_keywords_and_operators():
    text = "match = 0x1F + 1_000 ** 2.5e-3j\nlambda: None\nw = (x := y)\n"
    labels = source_labels(text)
    assert marked(text, labels, "number") == "0x1F1_0002.5e-3j"
    assert marked(text, labels, "keyword") == "lambdaNone"
    assert marked(text, labels, "name") == "matchwxy"  # a soft keyword is a name
    assert marked(text, labels, "operator") == "=+**:=(:=)"


def test_indentation_depth_of_nested_blocks():
    text = "def f():\n    if a:\n        b\n    c\nd\n"
    labels = source_labels(text)
    rows = text.split("\n")[:-1]
    starts = np.cumsum([0] + [len(r) + 1 for r in rows[:-1]])
    assert [int(labels["indent"][s]) for s in starts] == [0, 1, 2, 1, 0]
    assert labels["indent"][len(rows[0])] == 0  # the newline ends line 0


def test_classes_are_exclusive_and_match_tokenize_on_a_real_module():
    text = read_stdlib(["shlex"])["shlex"]
    labels = source_labels(text)
    assert set(labels) == set(LABEL_NAMES)
    stacked = np.stack([labels[name] for name in CONCEPTS])
    assert stacked.sum(axis=0).max() == 1
    # an independent reference: offsets from splitlines, strings from the tokens
    lines = io.StringIO(text).readlines()
    offsets = np.concatenate([[0], np.cumsum([len(line) for line in lines])])
    comments = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        start = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        assert text[start:end] == token.string
        if token.type == tokenize.COMMENT:
            comments.append(token.string)
        if token.type == tokenize.STRING:
            assert labels["string"][start:end].all()
    assert marked(text, labels, "comment") == "".join(comments)
    assert labels["bracket"].min() == 0 and labels["bracket"][-1] == 0
    assert labels["line_start"].sum() == text.count("\n")


def test_edge_cases_empty_and_no_final_newline():
    empty = source_labels("")
    assert all(v.shape == (0,) for v in empty.values())
    labels = source_labels("x = (1)")
    assert marked("x = (1)", labels, "operator") == "=()"
    assert labels["bracket"].tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_bad_input():
    with pytest.raises(TypeError, match="str"):
        source_labels(b"x = 1\n")
    with pytest.raises(ValueError, match="tokenize"):
        source_labels('s = """never closed\n')
    with pytest.raises(ValueError, match="tokenize"):
        source_labels("f(1,\n")
    with pytest.raises(ValueError, match="tokenize"):
        source_labels("if x:\n        a\n    b\n")
