"""Chunking keeps every sentence, stays within CLIP's context, and numbers pieces per kind."""

from __future__ import annotations

import random
import re

import open_clip
import pytest

from indexing.chunking import Segment, chunk_landmark, landmark_segments, pack_sentences
from indexing.encoders import count_clip_tokens
from tests.indexing.conftest import BuiltIndex

MAX_TOKENS = 75  # 77 minus CLIP's start and end tokens
WORDS = ("tower", "bridge", "river", "stone", "century", "built", "king", "garden", "museum")


def fits_clip_context(text: str) -> bool:
    """Independent check with open_clip's own tokenizer: with start and end, at most 77 tokens."""
    tokens = open_clip.tokenize([text], context_length=400)[0].tolist()
    return sum(1 for t in tokens if t != 0) <= 77


def no_space(text: str) -> str:
    return re.sub(r"\s", "", text)


def generated_text(seed: int) -> str:
    """Seeded sentences of 3-40 words, one of 120 words, and a CJK run with no spaces."""
    rng = random.Random(seed)
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 40))).capitalize() + "."
        for _ in range(12)
    ]
    sentences.insert(5, " ".join(rng.choice(WORDS) for _ in range(120)) + ".")
    sentences.append("故宫位于北京中轴线的中心是明清两代的皇家宫殿" * 4 + "。")
    return " ".join(sentences)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_text_keeps_every_sentence_within_the_context(seed: int) -> None:
    text = generated_text(seed)
    pieces = pack_sentences([Segment(text, "en", None)], count_clip_tokens, MAX_TOKENS)
    texts = [piece for piece, _ in pieces]
    assert all(fits_clip_context(piece) for piece in texts)
    assert no_space("".join(texts)) == no_space(text)
    # A sentence that fits is never cut: it lies whole inside one piece.
    for sentence in re.split(r"(?<=\.)\s+", text):
        if fits_clip_context(sentence) and not sentence.startswith("故宫"):
            assert any(sentence in piece for piece in texts), sentence


def test_sample_world_chunks_keep_all_text_and_provenance(built_index: BuiltIndex) -> None:
    for landmark in built_index.landmarks:
        chunks = chunk_landmark(landmark, count_clip_tokens, MAX_TOKENS)
        by_kind: dict[str, list[str]] = {}
        for chunk in chunks:
            assert chunk.qid == landmark.qid and chunk.name == landmark.name
            assert chunk.provenance, (chunk.kind, chunk.text)
            assert fits_clip_context(chunk.text), chunk.text
            by_kind.setdefault(chunk.kind, []).append(chunk.text)
        for kind, segments in landmark_segments(landmark).items():
            source = " ".join(segment.text for segment in segments)
            assert no_space("".join(by_kind[kind])) == no_space(source), (landmark.qid, kind)
            numbers = [c.number for c in chunks if c.kind == kind]
            assert numbers == list(range(len(numbers)))


def test_knowledge_and_attributes_reach_their_kinds(built_index: BuiltIndex) -> None:
    landmark = next(
        lm
        for lm in built_index.landmarks
        if lm.knowledge and lm.knowledge.historical_background and lm.attributes
    )
    assert landmark.knowledge and landmark.attributes and landmark.knowledge.historical_background
    chunks = chunk_landmark(landmark, count_clip_tokens, MAX_TOKENS)
    text_of = {
        kind: " ".join(c.text for c in chunks if c.kind == kind)
        for kind in {c.kind for c in chunks}
    }
    history = landmark.knowledge.historical_background.value.split(".")[0]
    assert no_space(history) in no_space(text_of["basic_info_and_history"])
    month = next(m for m in landmark.attributes.monthly if m.ndvi_mean is not None)
    assert month.ndvi_mean is not None
    assert (
        f"In {month.month} within {landmark.attributes.buffer_m:g} m: mean NDVI "
        f"{month.ndvi_mean:.2f}" in text_of["monthly_expert_knowledge"]
    )
    assert landmark.attributes.image_description.split(":")[0] in text_of["image_description"]
    assert landmark.name in text_of["caption"]
