"""Conditioning: a deterministic text embedding, 77 x 256 float32, made without any model.

The scheme, fixed so that the same text gives the same array on every machine:
- tokens: the lower-cased text split into words (runs of letters, digits, underscore) and single
  punctuation marks; white space separates and is dropped.
- token vector: 256 standard normal values from numpy's default_rng seeded with the first 8 bytes
  (little-endian) of BLAKE2b(token as UTF-8, person=b"nodeeditor-tok"), scaled to unit length.
- positional term: sinusoidal, p(i)[2k] = sin(i / 10000^(2k/256)), p(i)[2k+1] = cos(same), scaled
  to length POSITION_WEIGHT; row i is token vector + p(i).
- the first 77 tokens are kept; rows after the last token are zero (padding), so padding adds
  nothing to dot products and similarities.
Concatenation stacks rows (77 per text), so concatenated conditioning has 77 * n rows.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from typing import Literal

import numpy as np

from nodeeditor.core.context import InvocationContext
from nodeeditor.core.errors import LocatedError
from nodeeditor.core.fields import ConditioningField
from nodeeditor.core.node import BaseNode, BaseOutput, InputField, InputKind, OutputField, Widget, node

from ._imaging import load_array, weights_for
from ._outputs import ConditioningOutput

MAX_TOKENS = 77
WIDTH = 256
POSITION_WEIGHT = 0.25
TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


@lru_cache(maxsize=4096)
def token_vector(token: str) -> np.ndarray:
    digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8, person=b"nodeeditor-tok").digest()
    vector = np.random.default_rng(int.from_bytes(digest, "little")).standard_normal(WIDTH)
    vector /= np.linalg.norm(vector)
    vector.setflags(write=False)
    return vector


def positional_terms(count: int) -> np.ndarray:
    positions = np.arange(count, dtype=np.float64)[:, None]
    rates = 10000.0 ** (-np.arange(0, WIDTH, 2, dtype=np.float64) / WIDTH)
    terms = np.empty((count, WIDTH))
    terms[:, 0::2] = np.sin(positions * rates)
    terms[:, 1::2] = np.cos(positions * rates)
    return terms * (POSITION_WEIGHT / np.sqrt(WIDTH / 2))


def embed(text: str) -> np.ndarray:
    """The (77, 256) float32 embedding of `text`, as the module docstring describes."""
    tokens = tokenize(text)[:MAX_TOKENS]
    out = np.zeros((MAX_TOKENS, WIDTH), dtype=np.float32)
    if tokens:
        out[: len(tokens)] = np.stack([token_vector(t) for t in tokens]) + positional_terms(len(tokens))
    return out


def conditioning_output(context: InvocationContext, array: np.ndarray) -> ConditioningOutput:
    name = context.artifacts.save_tensor(np.ascontiguousarray(array, dtype=np.float32), kind="conditioning",
                                         session_id=context.session_id, node_id=context.node_id)
    context.progress(1.0)
    return ConditioningOutput(conditioning=ConditioningField(conditioning_name=name), rows=array.shape[0])


def load_conditioning(context: InvocationContext, field: str, ref: ConditioningField) -> np.ndarray:
    array = load_array(context, field, ref.conditioning_name)
    if array.ndim != 2:
        raise LocatedError(f"conditioning must be shaped (rows, width), got {array.shape}", field=field)
    return array


def load_all(context: InvocationContext, refs: list[ConditioningField]) -> list[np.ndarray]:
    """Load every item of a collection input; all must share the embedding width."""
    arrays = []
    for index, ref in enumerate(refs):
        context.progress(index / len(refs))
        array = load_conditioning(context, f"conditionings[{index}]", ref)
        if arrays and array.shape[1] != arrays[0].shape[1]:
            raise LocatedError(f"width {array.shape[1]} differs from the first item's {arrays[0].shape[1]}",
                               field=f"conditionings[{index}]")
        arrays.append(array)
    return arrays


def pad_rows(array: np.ndarray, rows: int) -> np.ndarray:
    """Zero rows appended up to `rows` (zero rows are padding in this scheme)."""
    return np.pad(array, ((0, rows - array.shape[0]), (0, 0)))


class TextConditioningOutput(ConditioningOutput):
    tokens: int = OutputField(description="tokens in the text (only the first 77 are embedded)")


@node("text_to_conditioning", title="Text to Conditioning", category="conditioning",
      tags=("prompt", "embed", "encode", "text"))
class TextToConditioningInvocation(BaseNode):
    """Embeds text into a 77 x 256 array by hashing each token (deterministic, no model)."""

    text: str = InputField("", description="The prompt", widget=Widget.MULTILINE)

    def invoke(self, context: InvocationContext) -> TextConditioningOutput:
        array = embed(self.text)
        base = conditioning_output(context, array)
        return TextConditioningOutput(conditioning=base.conditioning, rows=base.rows,
                                      tokens=len(tokenize(self.text)))


_MANY = dict(input=InputKind.CONNECTION, min_length=1)


@node("concat_conditioning", title="Concatenate Conditioning", category="conditioning",
      tags=("join", "append", "stack"))
class ConcatConditioningInvocation(BaseNode):
    """Stacks the rows of several conditionings, in order (77 rows per text)."""

    conditionings: list[ConditioningField] = InputField(description="Conditionings to join", **_MANY)

    def invoke(self, context: InvocationContext) -> ConditioningOutput:
        return conditioning_output(context, np.concatenate(load_all(context, self.conditionings)))


@node("combine_conditioning", title="Combine Conditioning", category="conditioning",
      tags=("weighted", "mix", "blend", "average"))
class CombineConditioningInvocation(BaseNode):
    """Weighted sum of conditionings; shorter ones are padded with zero rows to the longest."""

    conditionings: list[ConditioningField] = InputField(description="Conditionings to combine", **_MANY)
    weights: list[float] = InputField(default_factory=list, description="One weight per item; none = equal")
    normalize: bool = InputField(True, description="Scale the weights to sum to 1")

    def invoke(self, context: InvocationContext) -> ConditioningOutput:
        weights = weights_for(len(self.conditionings), self.weights, self.normalize)
        arrays = load_all(context, self.conditionings)
        rows = max(a.shape[0] for a in arrays)
        total = sum(pad_rows(a, rows).astype(np.float64) * w for a, w in zip(arrays, weights))
        return conditioning_output(context, np.asarray(total, dtype=np.float32))


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.dot(a, b) / norms) if norms > 0 else 0.0


def pooled(array: np.ndarray) -> np.ndarray:
    """Mean of the non-padding rows (zero when every row is padding)."""
    used = array[np.any(array != 0, axis=1)].astype(np.float64)
    return used.mean(axis=0) if len(used) else np.zeros(array.shape[1])


class SimilarityOutput(BaseOutput):
    similarity: float = OutputField(description="cosine similarity, -1..1 (1 = same direction)")


@node("conditioning_similarity", title="Conditioning Similarity", category="conditioning",
      tags=("cosine", "compare", "distance"))
class ConditioningSimilarityInvocation(BaseNode):
    """Cosine similarity of two conditionings: of their mean token vectors ("pooled", close for
    texts sharing words) or of the token rows position by position ("tokens")."""

    a: ConditioningField = InputField(description="First conditioning", input=InputKind.CONNECTION)
    b: ConditioningField = InputField(description="Second conditioning", input=InputKind.CONNECTION)
    method: Literal["pooled", "tokens"] = InputField("pooled", description="What is compared")

    def invoke(self, context: InvocationContext) -> SimilarityOutput:
        a = load_conditioning(context, "a", self.a)
        b = load_conditioning(context, "b", self.b)
        if a.shape[1] != b.shape[1]:
            raise LocatedError(f"width {b.shape[1]} differs from a's {a.shape[1]}", field="b")
        if self.method == "pooled":
            return SimilarityOutput(similarity=cosine(pooled(a), pooled(b)))
        rows = max(a.shape[0], b.shape[0])
        flat_a, flat_b = (pad_rows(x, rows).astype(np.float64).ravel() for x in (a, b))
        return SimilarityOutput(similarity=cosine(flat_a, flat_b))
