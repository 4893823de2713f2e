"""Index-stage encoding throughput against the raw open_clip forward; prints one JSON object.

    .venv/bin/python bench/bench_index_encoding.py [--model ViT-B-32] [--images 128] [--batch 32]
                                                   [--rounds 2] [--device auto]

On the same batches of the same seeded 512 px JPEG images, in one run, the two alternating for
`--rounds` rounds:
- `raw_images_per_s`: `model.encode_image` alone on tensors preprocessed beforehand (untimed);
- `stage_images_per_s`: the stage's path (`indexing.embedding.embed_images`: JPEG decode and
  preprocess on loader threads, two batches ahead, then the same forward);
- `ratio` = stage / raw (goal >= 0.9: the stage must not starve the model);
- `raw_texts_per_s` for chunk-sized texts (the text tower is the other half of the stage's work).
Weights are a random init of the named architecture: the same compute as trained weights.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from PIL import Image

from indexing.embedding import decode_image, embed_images
from indexing.encoders import load_image_encoder
from rswk.core.index_config import EncoderConfig


def seeded_jpegs(count: int, size: int = 512, seed: int = 0) -> list[bytes]:
    """Textured JPEGs (smooth colour fields + noise), like overhead tiles in size and entropy."""
    rng = np.random.default_rng(seed)
    images = []
    for _ in range(count):
        base = rng.integers(0, 255, size=(8, 8, 3), dtype=np.uint8)
        field = np.asarray(Image.fromarray(base).resize((size, size), Image.Resampling.BILINEAR))
        noisy = np.clip(field + rng.normal(0, 12, field.shape), 0, 255).astype(np.uint8)
        buffer = io.BytesIO()
        Image.fromarray(noisy).save(buffer, format="JPEG", quality=90)
        images.append(buffer.getvalue())
    return images


def measure(
    model: str, count: int, batch: int, device: str, workers: int, rounds: int
) -> dict[str, Any]:
    encoder = load_image_encoder(EncoderConfig(model=model, pretrained="random"), device)
    images = seeded_jpegs(count)
    tensors = [encoder.preprocess(decode_image(data)) for data in images]
    batches = [tensors[i : i + batch] for i in range(0, len(tensors), batch)]
    encoder.encode_preprocessed(batches[0])  # warm-up (allocations, kernels)

    def raw() -> float:
        started = time.perf_counter()
        for chunk in batches:
            encoder.encode_preprocessed(chunk)
        return time.perf_counter() - started

    def stage(pool: ThreadPoolExecutor) -> float:
        started = time.perf_counter()
        embed_images(encoder, images, batch_size=batch, pool=pool)
        return time.perf_counter() - started

    # Alternate the two, swapping which goes first, so a change in the machine's load during the
    # run weighs on both alike.
    raw_s = stage_s = 0.0
    with ThreadPoolExecutor(workers) as pool:
        for round_number in range(rounds):
            if round_number % 2 == 0:
                raw_s += raw()
                stage_s += stage(pool)
            else:
                stage_s += stage(pool)
                raw_s += raw()

    texts = [
        f"Sentence {i} about a landmark, its history and its surroundings." * 3
        for i in range(count)
    ]
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        encoder.encode_texts(texts[start : start + batch])
    text_s = time.perf_counter() - started
    return {
        "model": model,
        "device": encoder.device,
        "images": count,
        "batch": batch,
        "loader_workers": workers,
        "torch_threads": __import__("torch").get_num_threads(),
        "rounds": rounds,
        "raw_images_per_s": round(count * rounds / raw_s, 2),
        "stage_images_per_s": round(count * rounds / stage_s, 2),
        "ratio": round(raw_s / stage_s, 3),
        "raw_texts_per_s": round(count / text_s, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--images", type=int, default=128)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    result = measure(args.model, args.images, args.batch, args.device, args.workers, args.rounds)
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
