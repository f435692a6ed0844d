"""A small sentence embedding that ships inside its wheel and runs offline.

wordllama's 256-d `l2_supercat` model is a bag of token embeddings: cheap (tens of microseconds
a sentence), 16 MB, and installed from the package index with no download at run time. Its own
loader looks for the tokenizer under `tokenizer/` while the wheel holds `tokenizers/` and would
otherwise try the network, so the two files are opened directly.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from wordllama.inference import WordLlamaInference

DIMENSIONS = 256
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


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


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length embeddings, one row per text (an empty text gives a zero row)."""
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors: np.ndarray = _model().embed([t if t.strip() else "." for t in texts])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
    vectors[[not t.strip() for t in texts]] = 0.0
    return vectors
