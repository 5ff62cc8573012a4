"""The similarity features: the frozen base model's cosines, lexical coverage, and a grader
trained and served with them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
import torch

from modeling.grader import similarity
from modeling.grader.engine import Grader, GradingInput
from modeling.grader.errors import GraderError
from modeling.grader.training import TrainConfig, train
from tests.modeling.conftest import TINY

QUESTION = "Why does the bulb light up when the switch is closed?"
REFERENCES = (
    "The switch closes the circuit so current flows through the bulb.",
    "A closed path lets current flow.",
)


@pytest.fixture(scope="module")
def embedder() -> similarity.SentenceEmbedder:
    return similarity.SentenceEmbedder()


def _features(embedder, answer: str) -> dict[str, float]:
    row = similarity.features(embedder, [(QUESTION, REFERENCES, answer)])[0]
    return dict(zip(similarity.FEATURE_NAMES, row.tolist(), strict=True))


def test_a_paraphrase_is_closer_to_the_references_than_an_unrelated_answer(embedder):
    paraphrase = _features(
        embedder, "Closing the switch completes the circuit, so current goes through the bulb."
    )
    unrelated = _features(embedder, "Plants need sunlight and water to grow.")

    assert paraphrase["cos_best_reference"] > unrelated["cos_best_reference"] + 0.3
    assert paraphrase["cos_mean_reference"] > unrelated["cos_mean_reference"]
    assert -1.0 <= unrelated["cos_best_reference"] <= 1.0


def test_lexical_coverage_counts_the_references_terms_and_the_answers_new_words(embedder):
    everything = _features(embedder, "The switch closes the circuit so current flows through the bulb.")
    nothing = _features(embedder, "Magnets attract iron.")

    assert everything["reference_terms_covered"] == pytest.approx(1.0)
    assert everything["answer_terms_known"] == pytest.approx(1.0)
    assert everything["log_length_ratio"] == pytest.approx(0.0)
    assert nothing["reference_terms_covered"] == 0.0
    assert nothing["answer_terms_known"] == 0.0


def test_questions_and_references_are_encoded_once_then_cached(embedder, monkeypatch):
    similarity.features(embedder, [(QUESTION, REFERENCES, "a first answer")])
    encoded: list[str] = []
    original = embedder._encode

    def spy(texts, **kwargs):
        encoded.extend(texts)
        return original(texts, **kwargs)

    monkeypatch.setattr(embedder, "_encode", spy)

    similarity.features(embedder, [(QUESTION, REFERENCES, "a second answer")])

    assert encoded == ["a second answer"]


def test_a_training_embedder_keeps_the_answers_too_so_validation_encodes_them_once(embedder, monkeypatch):
    # given an embedder that keeps answers, as training's does
    keeper = similarity.SentenceEmbedder(cache_answers=True)
    triples = [(QUESTION, REFERENCES, "the circuit is closed"), (QUESTION, REFERENCES, "no idea")]
    first = similarity.features(keeper, triples)
    encoded: list[str] = []
    original = keeper._encode

    def spy(texts, **kwargs):
        encoded.extend(texts)
        return original(texts, **kwargs)

    monkeypatch.setattr(keeper, "_encode", spy)

    again = similarity.features(keeper, triples)

    assert encoded == []
    np.testing.assert_allclose(again, first)
    np.testing.assert_allclose(first, similarity.features(embedder, triples), atol=1e-5)


def test_features_do_not_depend_on_the_batch_they_come_in(embedder):
    answers = ["current flows", "the bulb is bright because the circuit is closed", "no idea"]
    together = similarity.features(embedder, [(QUESTION, REFERENCES, a) for a in answers])
    alone = np.concatenate([similarity.features(embedder, [(QUESTION, REFERENCES, a)]) for a in answers])

    np.testing.assert_allclose(together, alone, atol=1e-5)


@pytest.fixture(scope="module")
def featured_folder(tmp_path_factory, data_files):
    folder = tmp_path_factory.mktemp("featured") / "model"
    config = TrainConfig(data=data_files, similarity_features=True, **TINY)
    train(config, folder, version="featured", progress=False, write=lambda _: None)
    return folder


def test_a_grader_trained_with_features_records_them_and_grades_with_them(featured_folder):
    grader_config = json.loads((featured_folder / "grader.json").read_text())
    assert grader_config["similarity_features"] == list(similarity.FEATURE_NAMES)

    grader = Grader.from_folder(featured_folder, version="featured")
    assert grader.embedder is not None and grader.network.feature_head is not None
    results = grader.grade(
        [
            GradingInput(QUESTION, REFERENCES, "The circuit is closed so current flows."),
            GradingInput(QUESTION, REFERENCES, ""),
        ]
    )
    assert results[0].model_version == "featured"
    assert sum(results[0].probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert results[1].label_5way == "non_domain"


def test_the_features_move_the_grade(featured_folder):
    # given the trained feature head with its last layer made to favour "correct" strongly
    grader = Grader.from_folder(featured_folder, version="featured")
    item = GradingInput(QUESTION, REFERENCES, "The circuit is closed so current flows.")
    before = grader.grade([item])[0].probabilities["correct"]
    with torch.no_grad():
        last = grader.network.feature_head[2]
        last.bias[0] += 20.0

    after = grader.grade([item])[0].probabilities["correct"]

    assert after > before and after > 0.99


def test_a_version_trained_with_other_features_is_refused_by_name(featured_folder, tmp_path):
    folder = tmp_path / "other"
    shutil.copytree(featured_folder, folder)
    config_file = folder / "grader.json"
    grader_config = json.loads(config_file.read_text())
    grader_config["similarity_features"] = ["cos_best_reference", "word_mover_distance"]
    config_file.write_text(json.dumps(grader_config))

    with pytest.raises(GraderError, match="word_mover_distance"):
        Grader.from_folder(folder, version="other")


def test_a_version_trained_on_another_base_checkpoint_is_refused(featured_folder, tmp_path):
    folder = tmp_path / "other-base"
    shutil.copytree(featured_folder, folder)
    config_file = folder / "grader.json"
    grader_config = json.loads(config_file.read_text())
    grader_config["base_weights_sha256"] = "0" * 64
    config_file.write_text(json.dumps(grader_config))

    with pytest.raises(GraderError, match="different base checkpoint"):
        Grader.from_folder(folder, version="other-base")


def test_a_network_with_a_feature_head_refuses_to_run_without_features(featured_folder):
    grader = Grader.from_folder(featured_folder, version="featured")
    ids = torch.tensor([[101, 2023, 102]])

    with pytest.raises(GraderError, match="similarity features"):
        grader.network(
            input_ids=ids, attention_mask=torch.ones_like(ids), token_type_ids=torch.zeros_like(ids)
        )


def test_a_version_trained_without_features_is_served_without_the_sentence_encoder(tmp_path, data_files):
    config = TrainConfig(data=data_files, similarity_features=False, **TINY)
    train(config, tmp_path / "plain", version="plain", progress=False, write=lambda _: None)

    grader = Grader.from_folder(tmp_path / "plain", version="plain")

    assert "similarity_features" not in json.loads((tmp_path / "plain" / "grader.json").read_text())
    assert grader.embedder is None and grader.network.feature_head is None
    assert grader.grade([GradingInput(QUESTION, REFERENCES, "current flows")])[0].model_version == "plain"


def test_the_question_side_features_tell_copies_lists_and_negations(embedder):
    copy = _features(embedder, QUESTION)
    listed = _features(embedder, "bulb current switch circuit closes flows")
    negated = _features(embedder, "The switch does not close the circuit so current flows through the bulb.")
    paraphrase = _features(embedder, "Closing the switch lets current flow through the bulb.")

    assert copy["question_copy_ratio"] == pytest.approx(1.0)
    assert copy["answer_terms_from_question"] == pytest.approx(1.0)
    assert copy["new_reference_terms_covered"] < paraphrase["new_reference_terms_covered"]
    assert listed["function_word_share"] == 0.0 < paraphrase["function_word_share"]
    assert negated["polarity_flip"] > 0.9 and paraphrase["polarity_flip"] == 0.0


def test_a_version_trained_with_the_first_seven_features_is_served_with_them(featured_folder, tmp_path):
    # given a version as trained before the question-side features: seven inputs to its head
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "seven"
    shutil.copytree(featured_folder, folder)
    weights = load_file(str(folder / "model.safetensors"))
    weights["feature_head.0.weight"] = weights["feature_head.0.weight"][:, :7].contiguous()
    save_file(weights, str(folder / "model.safetensors"), metadata={"format": "pt"})
    config_file = folder / "grader.json"
    grader_config = json.loads(config_file.read_text())
    grader_config["similarity_features"] = list(similarity.FEATURE_NAMES_V1)
    del grader_config["calibration"]
    config_file.write_text(json.dumps(grader_config))

    # when it is loaded and grades
    grader = Grader.from_folder(folder, version="seven")
    (result,) = grader.grade([GradingInput(QUESTION, REFERENCES, "The circuit is closed so current flows.")])

    # then it computes its own seven features, uncalibrated
    assert grader.feature_names == similarity.FEATURE_NAMES_V1 and grader.temperature == 1.0
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert similarity.features(
        grader.embedder, [(QUESTION, REFERENCES, "x")], grader.feature_names
    ).shape == (1, 7)
