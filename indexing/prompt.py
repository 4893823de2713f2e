"""The knowledge-augmented prompt: task instruction, then the retrieved landmarks' chunks.

Landmarks come in score order, each landmark's chunks in their own order (best match first), each
chunk with the landmark's name, class and the source it came from, as RS-RAG prefixes the model's
prompt with retrieved knowledge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from indexing.retriever import LandmarkHit
from rswk.core.errors import RSWKError
from rswk.core.landmark_classes import OTHER_CLASS, RSWK_CLASSES

Task = Literal["caption", "classify", "vqa"]
TASKS: tuple[Task, ...] = ("caption", "classify", "vqa")


def instruction(task: str, question: str | None) -> str:
    """What the model is asked to do with the image."""
    if task == "caption":
        return (
            "Describe this remote-sensing image in one paragraph. Use the retrieved knowledge "
            "below where it fits what the image shows."
        )
    if task == "classify":
        classes = ", ".join([*RSWK_CLASSES, OTHER_CLASS])
        return (
            "Which class does the landmark in this remote-sensing image belong to? Answer with "
            f"exactly one of: {classes}."
        )
    if task == "vqa":
        if not question:
            raise RSWKError("--task vqa needs --question TEXT")
        return f"Answer the question about this remote-sensing image: {question}"
    raise RSWKError(f"--task {task!r}: use one of {', '.join(TASKS)}")


def knowledge_block(hits: Sequence[LandmarkHit]) -> str:
    """The retrieved context, one numbered line per chunk, landmarks in score order."""
    lines = []
    number = 0
    for hit in hits:
        for chunk in hit.chunks:
            number += 1
            source = f" (source: {chunk.source})" if chunk.source else ""
            lines.append(
                f"[{number}] {hit.name} ({hit.rswk_class}, {hit.qid}) - {chunk.kind}: "
                f"{chunk.text}{source}"
            )
    return "\n".join(lines)


def build_prompt(task: str, question: str | None, hits: Sequence[LandmarkHit]) -> str:
    """Instruction, the retrieved knowledge, and the question again when there is one."""
    parts = [instruction(task, question)]
    if hits:
        parts.append("Retrieved knowledge, most relevant landmark first:\n" + knowledge_block(hits))
    if question and task != "vqa":
        parts.append(f"Question: {question}")
    return "\n\n".join(parts)
