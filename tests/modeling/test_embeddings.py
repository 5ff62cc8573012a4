"""The assistant's sentence vectors: the grader's frozen base encoder, unit length, in
input order, and shared by callers asking at the same time."""

from __future__ import annotations

import threading

import numpy as np

from modeling.api import embed_texts


def test_vectors_are_unit_length_in_input_order_and_close_for_close_meanings():
    vectors = embed_texts(
        ["what is a short circuit", "a battery wired to itself with no bulb", "I like pizza"]
    )

    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embed_texts([]).shape == (0, 384)


def test_callers_in_several_threads_each_get_their_own_vectors():
    texts = [f"question number {i} about bulbs" for i in range(8)]
    alone = embed_texts(texts)
    results: dict[int, np.ndarray] = {}

    def ask(i: int) -> None:
        results[i] = embed_texts([texts[i]])[0]

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    for i in range(8):
        assert np.allclose(results[i], alone[i], atol=1e-4)
