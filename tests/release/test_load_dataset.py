"""`datasets.load_dataset` on the sample release: every config and split, declared features,
decoded images, and values that match the sample world's landmarks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PIL import Image

from rswk.core.records.landmark import SPLITS
from rswk.release.assemble import CONFIGS, ReleaseResult, all_features

datasets = pytest.importorskip("datasets")


@pytest.fixture(scope="module")
def path(sample_release: ReleaseResult) -> Path:
    assert sample_release.path is not None
    return sample_release.path


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_and_split_loads_with_declared_features(path: Path, config: str) -> None:
    loaded = datasets.load_dataset(str(path), config)
    assert sorted(loaded) == sorted(SPLITS)
    declared = all_features()[config]
    for split in SPLITS:
        assert loaded[split].features == declared, (config, split)
        assert len(loaded[split]) > 0, (config, split)
        if "image" in declared:
            image = loaded[split][0]["image"]
            assert isinstance(image, Image.Image) and image.size[0] > 0


def test_the_default_config_is_landmarks(path: Path) -> None:
    default = datasets.load_dataset(str(path), split="validation")
    assert default.features == all_features()["landmarks"]


def test_landmark_rows_carry_the_sample_worlds_facts(path: Path) -> None:
    rows = {
        row["qid"]: row
        for split in SPLITS
        for row in datasets.load_dataset(str(path), "landmarks", split=split)
    }
    eiffel = rows["Q243"]
    # The bundled world's Eiffel Tower: Paris, 330 m, a tower, at 48.858 N 2.294 E.
    assert eiffel["rswk_class"] == "Tower"
    assert eiffel["knowledge"]["city"]["value"] == "Paris"
    assert eiffel["knowledge"]["height_m"] == pytest.approx(330)
    assert eiffel["lat"] == pytest.approx(48.858, abs=0.01)
    assert eiffel["image"].size == (eiffel["image_info"]["width"], eiffel["image_info"]["height"])
    assert eiffel["knowledge"]["historical_background"]["provenance"]["licence"] == "CC-BY-SA-4.0"
    assert eiffel["location"]["provenance"]["licence"] == "CC0-1.0"
    assert isinstance(eiffel["attributes"]["monthly"], list) and eiffel["attributes"]["monthly"]


def test_task_views_answer_from_the_fields(path: Path) -> None:
    classification = datasets.load_dataset(str(path), "classification", split="train")
    names = classification.features["label"].names
    assert len(names) == 17 and names[-1] == "Other"
    eiffel = next(r for r in classification if r["qid"] == "Q243")
    assert names[eiffel["label"]] == "Tower"
    vqa = datasets.load_dataset(str(path), "vqa", split="train")
    eiffel_qa = {q["template"]: q for q in next(r for r in vqa if r["qid"] == "Q243")["questions"]}
    assert eiffel_qa["country"]["answer"] == "France"
    assert eiffel_qa["city"]["answer"] == "Paris"
    assert eiffel_qa["height"]["answer"] == "330 m"
    assert {q["question_type"] for q in eiffel_qa.values()} == {"world_knowledge", "remote_sensing"}
    landmarks = datasets.load_dataset(str(path), "landmarks", split="train")
    attrs = next(r for r in landmarks if r["qid"] == "Q243")["attributes"]
    assert eiffel_qa["ndvi_annual"]["answer"] == f"{attrs['ndvi_mean_annual']:.2f}"


def test_card_yaml_parses_and_each_configs_entry_loads(path: Path) -> None:
    from huggingface_hub import DatasetCard

    text = (path / "README.md").read_text()
    assert text.startswith("---\n")
    front = yaml.safe_load(text.split("---\n")[1])
    card = DatasetCard.load(path / "README.md")
    assert card.data.pretty_name == front["pretty_name"]
    assert {"cc-by-sa-4.0", "cc0-1.0"} <= set(front["license"])
    assert front["size_categories"] == ["n<1K"]
    assert "visual-question-answering" in front["task_categories"]
    assert sorted(c["config_name"] for c in front["configs"]) == sorted(CONFIGS)
    infos = {info["config_name"]: info for info in front["dataset_info"]}
    from datasets.info import DatasetInfosDict

    parsed = DatasetInfosDict.from_dataset_card_data(card.data)
    for entry in front["configs"]:
        files = {
            f["split"]: sorted(str(p) for p in path.glob(f["path"])) for f in entry["data_files"]
        }
        loaded = datasets.load_dataset("parquet", data_files=files)
        name = entry["config_name"]
        declared = parsed[name].features
        assert declared == all_features()[name], name
        for split in files:
            assert loaded[split].features == declared, (name, split)
            split_info = next(s for s in infos[name]["splits"] if s["name"] == split)
            assert split_info["num_examples"] == len(loaded[split])
    body = text.split("---\n", 2)[2]
    for needle in ("2504.04988", "CC BY-SA 4.0", "Copernicus Sentinel", "## Known limitations"):
        assert needle in body
