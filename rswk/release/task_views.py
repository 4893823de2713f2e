"""Task views of the landmarks: classification, captioning and VQA, sharing the landmarks' splits.

Each view holds one row per landmark that has an image (a task without its image is no task),
with the image embedded, so a model team loads one config and trains.
"""

from __future__ import annotations

from typing import Any

from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES
from rswk.core.records.landmark import CuratedLandmark
from rswk.release.landmark_rows import image_cell
from rswk.release.vqa_templates import questions_for

CLASS_NAMES: tuple[str, ...] = (*RSWK_CLASSES, OTHER_CLASS)
VIEW_NAMES = ("classification", "captioning", "vqa")
CAPTION_PROMPT = "Describe this remote sensing image."


def view_features(view: str) -> Any:
    """Features of the task view `view`."""
    from datasets import ClassLabel, Features, Image, List, Value

    text = Value("string")
    if view == "classification":
        return Features(
            {
                "qid": text,
                "image": Image(),
                "label": ClassLabel(names=list(CLASS_NAMES)),
                "fine_class": text,
                "country": text,
                "continent": text,
            }
        )
    if view == "captioning":
        return Features(
            {
                "qid": text,
                "image": Image(),
                "caption": text,
                "remote_sensing_caption": text,
                "language": text,
            }
        )
    if view == "vqa":
        qa = {"template": text, "question_type": text, "question": text, "answer": text}
        return Features({"qid": text, "image": Image(), "name": text, "questions": List(qa)})
    raise ValueError(f"unknown task view {view!r}; views are {', '.join(VIEW_NAMES)}")


def class_label(rswk_class: str) -> int:
    """Index of a landmark's class among the 16 RSWK classes + Other (unknown -> Other)."""
    return CLASS_NAMES.index(rswk_class) if rswk_class in CLASS_NAMES else len(RSWK_CLASSES)


def caption_of(lm: CuratedLandmark) -> str:
    """A one-paragraph description of the landmark in the image, from its curated fields."""
    kind = lm.fine_class or lm.rswk_class
    k = lm.knowledge
    place = k.country_name.value if k is not None else lm.country
    if k is not None and k.city is not None:
        place = f"{k.city.value}, {place}"
    parts = [f"A remote sensing image of {lm.name}, a {kind} in {place}."]
    if k is not None and k.construction_period is not None:
        parts.append(f"It dates from {k.construction_period.value}.")
    if lm.attributes is not None and lm.attributes.image_description:
        parts.append(lm.attributes.image_description)
    return " ".join(parts)


def view_row(view: str, lm: CuratedLandmark) -> dict[str, Any] | None:
    """The row of `view` for landmark `lm` (None when it has no image)."""
    image = image_cell(lm.image, lm.qid)
    if image is None:
        return None
    if view == "classification":
        return {
            "qid": lm.qid,
            "image": image,
            "label": class_label(lm.rswk_class),
            "fine_class": lm.fine_class,
            "country": lm.country,
            "continent": lm.continent,
        }
    if view == "captioning":
        rs = lm.attributes.rs_description if lm.attributes is not None else ""
        return {
            "qid": lm.qid,
            "image": image,
            "caption": caption_of(lm),
            "remote_sensing_caption": rs or None,
            "language": "en",
        }
    if view == "vqa":
        questions = [qa.__dict__ for qa in questions_for(lm)]
        return {"qid": lm.qid, "image": image, "name": lm.name, "questions": questions}
    raise ValueError(f"unknown task view {view!r}; views are {', '.join(VIEW_NAMES)}")
