"""Token ids for (question, reference answers, student answer), and length-bucketed batches.

Layout: ``[CLS] question [SEP] reference(s) [SEP] student answer [SEP]``, the first segment
with token type 0 and the student answer with type 1.

Truncation never cuts the student answer to nothing. The student answer keeps all its
tokens when they fit; when they do not, the question goes first (its opening words, which
are mostly context: the asking sentence comes last), then the references (their end:
Beetle lists the best references first), and only then the student answer, which always
keeps at least ``min_student_tokens`` (or half the room, if that is less).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import torch

REFERENCE_MODES = ("joined", "each")


@dataclass(frozen=True)
class EncodingSpec:
    max_length: int = 128
    min_student_tokens: int = 32
    # 0: the question takes whatever room the references and the answer leave.
    max_question_tokens: int = 0
    # "joined": one pair per answer with every reference in the first segment;
    # "each": one pair per reference, the answer graded against the one it fits best.
    references: str = "joined"

    def __post_init__(self) -> None:
        if self.max_length < 16:
            raise ValueError(f"max_length must be at least 16 tokens, not {self.max_length}.")
        if self.min_student_tokens < 1:
            raise ValueError("min_student_tokens must be at least 1.")
        if self.references not in REFERENCE_MODES:
            raise ValueError(f"references must be one of {REFERENCE_MODES}, not {self.references!r}.")


Encoded = tuple[list[int], list[int]]  # input ids, token type ids


class PairEncoder:
    """Encodes grading pairs with a BERT tokenizer according to an EncodingSpec."""

    def __init__(self, tokenizer, spec: EncodingSpec) -> None:
        self.tokenizer = tokenizer
        self.spec = spec
        self.cls_id = tokenizer.cls_token_id
        self.sep_id = tokenizer.sep_token_id
        self.pad_id = tokenizer.pad_token_id
        self.reference_separator = tokenizer.convert_tokens_to_ids(";")

    def token_ids(self, texts: Sequence[str], *, keep_end: bool = False) -> dict[str, list[int]]:
        """Word-piece ids of each distinct text (questions and references repeat a lot)."""
        unique = list(dict.fromkeys(texts))
        if not unique:
            return {}
        # A word piece spans a few characters: this many keep every token that can fit,
        # and an answer pasted a thousand times over costs no more to tokenize.
        limit = 16 * self.spec.max_length
        clipped = [
            text if len(text) <= limit else (text[-limit:] if keep_end else text[:limit]) for text in unique
        ]
        ids = self.tokenizer(clipped, add_special_tokens=False, verbose=False)["input_ids"]
        return dict(zip(unique, ids, strict=True))

    def budget(self, n_question: int, n_reference: int, n_student: int) -> tuple[int, int, int]:
        """How many question, reference and student tokens fit in ``max_length``."""
        if self.spec.max_question_tokens:
            n_question = min(n_question, self.spec.max_question_tokens)
        keep = self._share(n_question, n_reference, n_student)
        if n_question and not keep[0]:
            keep = self._share(0, n_reference, n_student)  # no question: its [SEP] is room too
        return keep

    def _share(self, n_question: int, n_reference: int, n_student: int) -> tuple[int, int, int]:
        specials = 3 + (1 if n_question else 0)
        room = self.spec.max_length - specials
        floor = min(n_student, self.spec.min_student_tokens, room // 2)
        keep_student = min(n_student, max(floor, room - n_reference - n_question))
        keep_reference = min(n_reference, room - keep_student)
        keep_question = min(n_question, room - keep_student - keep_reference)
        return keep_question, keep_reference, keep_student

    def assemble(
        self, question: list[int], reference: list[int], student: list[int], *, swap: bool = False
    ) -> Encoded:
        """The ids and token types of one pair, truncated by the rule in the module docstring."""
        n_q, n_r, n_s = self.budget(len(question), len(reference), len(student))
        first = (question[len(question) - n_q :] + [self.sep_id] if n_q else []) + reference[:n_r]
        second = student[:n_s]
        if swap:
            first, second = second, first
        ids = [self.cls_id, *first, self.sep_id, *second, self.sep_id]
        types = [0] * (len(first) + 2) + [1] * (len(second) + 1)
        return ids, types

    def join_references(self, references: Sequence[list[int]]) -> list[int]:
        joined: list[int] = []
        for ref in references:
            if joined:
                joined.append(self.reference_separator)
            joined.extend(ref)
        return joined

    def encode(
        self,
        triples: Sequence[tuple[str, Sequence[str], str]],
        *,
        swap: bool = False,
    ) -> tuple[list[Encoded], list[tuple[int, int]]]:
        """Encoded pairs for (question, references, student answer) triples.

        Returns the pairs and, for each, (triple index, reference index); in "joined" mode
        there is one pair per triple and the reference index is -1.
        """
        texts: list[str] = []
        for _, references, student in triples:
            texts.extend(references)
            texts.append(student)
        ids = self.token_ids(texts)
        question_ids = self.token_ids([question for question, _, _ in triples], keep_end=True)
        pairs: list[Encoded] = []
        owners: list[tuple[int, int]] = []
        for index, (question, references, student) in enumerate(triples):
            q, s = question_ids[question], ids[student]
            if self.spec.references == "joined":
                reference = self.join_references([ids[r] for r in references])
                pairs.append(self.assemble(q, reference, s, swap=swap))
                owners.append((index, -1))
            else:
                for ref_index, ref in enumerate(references):
                    pairs.append(self.assemble(q, ids[ref], s, swap=swap))
                    owners.append((index, ref_index))
        return pairs, owners


def collate(pairs: Sequence[Encoded], pad_id: int) -> dict[str, torch.Tensor]:
    """A padded batch (dynamic padding: to the longest pair in the batch)."""
    width = max(len(ids) for ids, _ in pairs)
    input_ids = torch.full((len(pairs), width), pad_id, dtype=torch.long)
    token_type_ids = torch.zeros((len(pairs), width), dtype=torch.long)
    attention_mask = torch.zeros((len(pairs), width), dtype=torch.long)
    for row, (ids, types) in enumerate(pairs):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        token_type_ids[row, : len(types)] = torch.tensor(types)
        attention_mask[row, : len(ids)] = 1
    return {"input_ids": input_ids, "token_type_ids": token_type_ids, "attention_mask": attention_mask}


def inference_batches(lengths: Sequence[int], max_batch_size: int, max_tokens: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, longest first, within a token budget."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for index in order:
        width = lengths[current[0]] if current else lengths[index]
        if current and (len(current) >= max_batch_size or width * (len(current) + 1) > max_tokens):
            batches.append(current)
            current = []
        current.append(index)
    if current:
        batches.append(current)
    return batches


def training_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar length: shuffle, sort within pools of 50 batches, cut, shuffle.

    Sorting only within pools keeps the batches random while padding stays small.
    """
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches
