"""A small sentence embedding that ships inside its wheel and runs offline.

wordllama's 256-d `l2_supercat` model is a bag of token embeddings: cheap (tens of microseconds
a sentence), 16 MB, and installed from the package index with no download at run time. Its own
loader looks for the tokenizer under `tokenizer/` while the wheel holds `tokenizers/` and would
otherwise try the network, so the two files are opened directly.

The vectors are the model's own (the mean of the text's token rows), computed here without its
per-call batching, padding and `Encoding` objects: the normaliser only puts "▁" for spaces and in
front, and no token crosses the start of a word, so a text's ids are its words' ids in a row, and
each word is tokenised once (the bit-for-bit equality with `WordLlamaInference.embed` is tested).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from wordllama.inference import WordLlamaInference

DIMENSIONS = 256
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WORD = re.compile("▁+[^▁]*")  # the pre-tokenizer's split, below
# the tokenizer's added tokens: it reads them before normalising, so a text holding one takes its whole path
_SPECIAL = ("<unk>", "<s>", "</s>")
_WORDS_KEPT = 100_000
_word_ids: dict[str, tuple[int, ...]] = {}


@cache
def _model() -> WordLlamaInference:
    from safetensors import safe_open
    from tokenizers import Regex, Tokenizer, pre_tokenizers
    from wordllama.inference import WordLlamaInference

    package = files("wordllama")
    tokenizer = Tokenizer.from_file(str(package.joinpath(_TOKENIZER)))
    # The file has no pre-tokenizer, so BPE merges a whole reply as one "word" (slow on long replies).
    # No vocabulary entry has "▁" (the space) after another character, so no merge crosses the
    # start of a word: splitting there gives the same ids (benchmarks/assess_snapshot.py checks).
    tokenizer.pre_tokenizer = pre_tokenizers.Split(Regex("▁+[^▁]*"), behavior="isolated")
    with safe_open(str(package.joinpath(_WEIGHTS)), framework="np", device="cpu") as weights:
        table = weights.get_tensor("embedding.weight")
    return WordLlamaInference(table, tokenizer)


def _ids(text: str) -> list[int]:
    """The tokenizer's ids for the text, from each word's ids (kept, as the tokenizer's own BPE cache keeps them)."""
    model = _model()
    if any(special in text for special in _SPECIAL):
        ids: list[int] = model.tokenizer.encode(text, add_special_tokens=False).ids
        return ids
    ids = []
    for word in _WORD.findall("▁" + text.replace(" ", "▁")):
        known = _word_ids.get(word)
        if known is None:
            if len(_word_ids) >= _WORDS_KEPT:
                _word_ids.clear()
            known = _word_ids[word] = tuple(token.id for token in model.tokenizer.model.tokenize(word))
        ids.extend(known)
    return ids


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (an empty text gives a zero row)."""
    import numpy as np

    table: np.ndarray = _model().embedding
    last_row = table.shape[0] - 1
    vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for row, text in enumerate(texts):
        ids = np.array(_ids(text if text.strip() else "."), dtype=np.intp)
        if ids.size and ids.max() > last_row:
            np.clip(ids, 0, last_row, out=ids)  # as the model does
        # summed in float32 in token order, then divided by the count: the model's own rounding
        vectors[row] = table[ids].sum(axis=0, dtype=np.float32) / np.float32(max(ids.size, 1))
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    unit[[not t.strip() for t in texts]] = 0.0
    return unit
