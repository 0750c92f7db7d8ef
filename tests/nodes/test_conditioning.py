"""Conditioning: the deterministic text embedding, concatenation, weighted combine, similarity."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from image_harness import Harness, graph

from nodeeditor.core.errors import LocatedError
from nodeeditor.nodes.conditioning import MAX_TOKENS, POSITION_WEIGHT, WIDTH, embed, tokenize


@pytest.fixture
def h(tmp_path):
    return Harness(tmp_path)


def test_tokenize_lower_cases_words_and_splits_punctuation():
    assert tokenize("A Red-Cat, sitting!") == ["a", "red", "-", "cat", ",", "sitting", "!"]


def test_text_to_conditioning_is_77_by_256_float32(h):
    out = h.run("text_to_conditioning", text="a photo of a cat")
    array = h.conditioning(out.conditioning)
    assert array.shape == (MAX_TOKENS, WIDTH) == (77, 256) and array.dtype == np.float32
    assert out.tokens == 5 and out.rows == 77


def test_same_text_gives_the_same_array_and_other_text_another(h):
    first = h.conditioning(h.run("text_to_conditioning", text="a cat").conditioning)
    again = h.conditioning(h.run("text_to_conditioning", text="A  CAT").conditioning)
    other = h.conditioning(h.run("text_to_conditioning", text="a dog").conditioning)
    assert np.array_equal(first, again) and not np.array_equal(first, other)
    assert np.array_equal(first[0], other[0])


def test_token_vectors_follow_the_documented_hash_scheme():
    digest = hashlib.blake2b(b"cat", digest_size=8, person=b"nodeeditor-tok").digest()
    vector = np.random.default_rng(int.from_bytes(digest, "little")).standard_normal(WIDTH)
    vector /= np.linalg.norm(vector)
    position = np.zeros(WIDTH)
    position[1::2] = POSITION_WEIGHT / np.sqrt(WIDTH / 2)  # sin(0) = 0, cos(0) = 1
    assert np.allclose(embed("cat")[0], vector + position, atol=1e-6)


def test_rows_after_the_last_token_are_zero_padding():
    array = embed("one two three")
    assert np.all(np.any(array[:3] != 0, axis=1))
    assert not array[3:].any()
    assert not embed("").any()


def test_text_longer_than_77_tokens_is_truncated(h):
    text = " ".join(f"w{i}" for i in range(100))
    out = h.run("text_to_conditioning", text=text)
    assert out.tokens == 100
    assert np.array_equal(h.conditioning(out.conditioning), embed(" ".join(f"w{i}" for i in range(77))))


def test_concat_stacks_rows_in_order(h):
    a = h.run("text_to_conditioning", text="a cat").conditioning
    b = h.run("text_to_conditioning", text="a dog").conditioning
    out = h.run("concat_conditioning", conditionings=[a, b])
    array = h.conditioning(out.conditioning)
    assert array.shape == (154, 256) and out.rows == 154
    assert np.array_equal(array[:77], embed("a cat")) and np.array_equal(array[77:], embed("a dog"))


def test_combine_is_a_weighted_sum(h):
    a = h.put_conditioning(np.full((2, 3), 1.0))
    b = h.put_conditioning(np.full((2, 3), 5.0))
    out = h.run("combine_conditioning", conditionings=[a, b], weights=[3, 1])
    assert np.allclose(h.conditioning(out.conditioning), 2.0)
    raw = h.run("combine_conditioning", conditionings=[a, b], weights=[1, 1], normalize=False)
    assert np.allclose(h.conditioning(raw.conditioning), 6.0)


def test_combine_pads_shorter_conditionings_with_zero_rows(h):
    short = h.put_conditioning(np.ones((1, 2)))
    long = h.put_conditioning(np.ones((3, 2)))
    out = h.run("combine_conditioning", conditionings=[short, long], normalize=False)
    assert np.allclose(h.conditioning(out.conditioning), [[1, 1], [0.5, 0.5], [0.5, 0.5]])


def test_combine_refuses_different_widths(h):
    with pytest.raises(LocatedError, match=r"field 'conditionings\[1\]'"):
        h.run("combine_conditioning", conditionings=[h.put_conditioning(np.ones((1, 2))),
                                                     h.put_conditioning(np.ones((1, 3)))])


def test_similarity_of_a_text_with_itself_is_one(h):
    a = h.run("text_to_conditioning", text="a red cat").conditioning
    for method in ("pooled", "tokens"):
        assert h.run("conditioning_similarity", a=a, b=a, method=method).similarity == pytest.approx(1.0)


def test_texts_sharing_words_are_more_similar(h):
    def cond(text):
        return h.run("text_to_conditioning", text=text).conditioning

    base = cond("a red cat on a mat")
    close = h.run("conditioning_similarity", a=base, b=cond("a red cat on a rug")).similarity
    far = h.run("conditioning_similarity", a=base, b=cond("quantum tax forms tomorrow")).similarity
    assert close > 0.6 > far


def test_similarity_of_opposite_conditionings_is_minus_one(h):
    a = h.put_conditioning(np.array([[1.0, 2.0]]))
    b = h.put_conditioning(np.array([[-1.0, -2.0]]))
    assert h.run("conditioning_similarity", a=a, b=b, method="tokens").similarity == pytest.approx(-1.0)


def test_similarity_with_empty_text_is_zero(h):
    a = h.run("text_to_conditioning", text="").conditioning
    b = h.run("text_to_conditioning", text="cat").conditioning
    assert h.run("conditioning_similarity", a=a, b=b).similarity == 0.0


def test_similarity_graph_runs_through_the_runner(h):
    workflow = graph({
        "a": ("text_to_conditioning", {"text": "sunset over the sea"}),
        "b": ("text_to_conditioning", {"text": "sunset over the sea"}),
        "sim": ("conditioning_similarity", {}),
    }, [("a", "conditioning", "sim", "a"), ("b", "conditioning", "sim", "b")])
    result = h.run_graph(workflow)
    assert result.status == "completed", result.error
    assert result.outputs["sim"][()]["similarity"] == pytest.approx(1.0)
