"""Class mapping through the one class table, and the image check carried to validation."""

from __future__ import annotations

import numpy as np
import pytest

from curation.images import inspect_image, near_identical_pairs
from rswk.core.landmark_classes import OTHER_CLASS, most_specific, rswk_class_of
from tests.curation.records import image_record, textured


@pytest.mark.parametrize(
    ("classes", "rswk_class", "fine"),
    [
        (["Q11303", "Q570116"], "Tower", "skyscraper"),  # Burj Khalifa: generic loses
        (["Q9259"], "Historic Site", "World Heritage Site"),
        # Two generic classes tie; the earlier row (tourist attraction, no class) wins: Other.
        (["Q570116", "Q9259"], OTHER_CLASS, "tourist attraction"),
        (["Q2977", "Q16970"], "Church", "cathedral"),  # the finer class wins
        (["Q32815"], "Church", "mosque"),  # places of worship of every faith
        (["Q40080"], "Beach", "beach"),
        (["Q133215"], "Casino", "casino"),
        (["Q2416723"], "Amusement Park", "theme park"),
        (["Q543654"], "Government Building", "town hall"),
        (["Q16560"], "Mansion", "palace"),
        (["Q4421"], "Forest", "forest"),
        (["Q174782"], OTHER_CLASS, "square"),  # in the table, no RSWK class: Other
        (["Q570116"], OTHER_CLASS, "tourist attraction"),
        (["Q999999999"], OTHER_CLASS, None),  # unknown class
        ([], OTHER_CLASS, None),
    ],
)
def test_class_mapping(classes: list[str], rswk_class: str, fine: str | None) -> None:
    assert rswk_class_of(classes) == rswk_class
    assert rswk_class_of(list(reversed(classes))) == rswk_class  # order never matters
    best = most_specific(classes)
    assert (best.label if best else None) == fine


def test_image_check_decodes_once_and_reports_why() -> None:
    good = inspect_image(image_record("Q1", "FR", textured(1)))
    assert good.check == "ok" and good.phash is not None and len(good.phash) == 16
    blank = inspect_image(image_record("Q2", "FR", np.full((64, 64, 3), 128)))
    assert blank.check == "blank"
    wrong_size = inspect_image(image_record("Q3", "FR", textured(2), width=128))
    assert wrong_size.check == "size_mismatch"
    broken = image_record("Q4", "FR", textured(3))
    truncated = broken.model_copy(update={"image": broken.image[:40]})
    assert inspect_image(truncated).check == "undecodable"


def test_near_identical_images_by_perceptual_hash() -> None:
    base = textured(7)
    brighter = np.clip(base.astype(int) + 6, 0, 255)
    hashes = {
        "a": inspect_image(image_record("Q1", "FR", base)).phash,
        "b": inspect_image(image_record("Q2", "FR", brighter)).phash,
        "c": inspect_image(image_record("Q3", "FR", textured(8))).phash,
    }
    pairs = near_identical_pairs({k: v for k, v in hashes.items() if v})
    assert [(a, b) for a, b, _ in pairs] == [("a", "b")]


@pytest.mark.parametrize("block_elements", [1, 7, 64, 1 << 20])
def test_near_identical_pairs_are_the_same_whatever_the_block(block_elements: int) -> None:
    # The block bounds memory (rows x every hash); it must not change which pairs are found,
    # their bits or their order (decisions.json is byte-identical whatever the run's size).
    rng = np.random.default_rng(3)
    values = [int(v) for v in rng.integers(0, 2**63, size=40, dtype=np.int64)]
    for i in range(0, 40, 5):  # plant near twins: flip 0-4 bits of every fifth hash
        flips = rng.choice(64, size=(i // 5) % 5, replace=False)
        values.append(values[i] ^ sum(1 << int(b) for b in flips))
    hashes = {f"k{i:02d}": f"{v:016x}" for i, v in enumerate(values)}
    keys = sorted(hashes)
    expected = [
        (a, b, bits)
        for x, a in enumerate(keys)
        for b in keys[x + 1 :]
        if (bits := bin(int(hashes[a], 16) ^ int(hashes[b], 16)).count("1")) <= 4
    ]
    assert len(expected) >= 8
    assert near_identical_pairs(hashes, 4, block_elements=block_elements) == expected
