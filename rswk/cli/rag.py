"""`rswk rag`: retrieve knowledge for an image and/or question, and ask a model with it.

Retrieves the top-k landmarks from a built index (`rswk index`), re-ranked with
`alpha * cos(image) + (1 - alpha) * cos(text)`, assembles the knowledge-augmented prompt, and
either prints the context and prompt (no model endpoint configured) or sends image + prompt to an
OpenAI-compatible chat-completions endpoint and prints the answer. The endpoint comes from
`--base-url` or `OPENAI_BASE_URL`, the key from `OPENAI_API_KEY`, the model from `--model` or the
config (`index.rag.model`).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import typer

from rswk.cli.common import ConfigOption, ProfileOption, load_project
from rswk.core.errors import RSWKError


def rag(
    index_dir: Path = typer.Option(..., "--index", help="Index folder (WORKDIR/index/files)."),
    image: Path | None = typer.Option(None, "--image", help="Query image (PNG or JPEG)."),
    question: str | None = typer.Option(None, "--question", help="Query text / question."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, help="Landmarks to retrieve (3)."),
    alpha: float | None = typer.Option(
        None, "--alpha", min=0.0, max=1.0, help="Weight of the image cosine (0.9)."
    ),
    task: str = typer.Option("caption", "--task", help="caption, classify or vqa."),
    chunks: int = typer.Option(5, "--chunks", min=1, help="Chunks per landmark in the prompt."),
    base_url: str | None = typer.Option(
        None, "--base-url", help="OpenAI-compatible endpoint (default $OPENAI_BASE_URL)."
    ),
    model: str | None = typer.Option(None, "--model", help="Chat model at the endpoint."),
    as_json: bool = typer.Option(False, "--json", help="Print everything as one JSON object."),
    profile: ProfileOption = "sample",
    config: ConfigOption = None,
) -> None:
    """Retrieval-augmented captioning, classification or VQA over an RSWK index."""
    from indexing.prompt import build_prompt, instruction

    project = load_project(profile, config, None)
    settings = project.index
    if image is not None and not image.is_file():
        raise RSWKError(f"--image {image}: no such file (give a PNG or JPEG image)")
    instruction(task, question)  # a bad --task, or vqa without a question, fails before loading
    endpoint = base_url or os.environ.get("OPENAI_BASE_URL") or None
    chat_model = model or settings.rag.model
    if endpoint and not chat_model:
        raise RSWKError(
            f"--base-url {endpoint}: give --model (or index.rag.model in the config) "
            "to name the chat model"
        )
    result = retrieve(
        index_dir,
        image=image,
        question=question,
        top_k=top_k or settings.rag.top_k,
        alpha=settings.rag.alpha if alpha is None else alpha,
        chunks=chunks,
        project_index=settings,
    )
    result["prompt"] = build_prompt(task, question, result.pop("_hits"))
    result["task"] = task
    if endpoint and chat_model:
        from indexing.chat import chat_request, complete

        body = chat_request(
            chat_model,
            result["prompt"],
            image.read_bytes() if image else None,
            settings.rag.max_tokens,
        )
        result["model"] = chat_model
        result["answer"] = complete(
            endpoint,
            body,
            api_key=os.environ.get("OPENAI_API_KEY"),
            timeout_s=settings.rag.timeout_s,
        )
    _print(result, as_json)


def retrieve(
    index_dir: Path,
    *,
    image: Path | None,
    question: str | None,
    top_k: int,
    alpha: float,
    chunks: int,
    project_index: Any,
) -> dict[str, Any]:
    """Open the index and search it; returns hits, the index's description and the latency."""
    from indexing.encoders import resolve_device
    from indexing.retriever import Retriever

    started = time.perf_counter()
    retriever = Retriever.open(
        index_dir, project_index, device=resolve_device(project_index.device)
    )
    opened = time.perf_counter()
    hits = retriever.search(
        image=image, question=question, top_k=top_k, alpha=alpha, chunks_per_landmark=chunks
    )
    done = time.perf_counter()
    manifest = retriever.manifest
    return {
        "index": str(index_dir),
        "encoder": manifest["encoder"],
        "trained": manifest["trained"],
        "alpha": alpha,
        "top_k": top_k,
        "retrieved": [hit.to_json() for hit in hits],
        "latency_ms": {
            "open": round((opened - started) * 1000, 1),
            "query": round((done - opened) * 1000, 1),
        },
        "_hits": hits,
    }


def _print(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, sort_keys=True))
        return
    typer.echo(f"index: {result['index']}")
    typer.echo(f"encoder: {result['encoder']}")
    if not result["trained"]:
        typer.echo("WARNING: index built from untrained weights; retrieval is not meaningful")
    typer.echo(f"retrieved (alpha {result['alpha']}, top {result['top_k']}):")
    for rank, hit in enumerate(result["retrieved"], start=1):
        typer.echo(
            f"  {rank}. {hit['name']} ({hit['rswk_class']}, {hit['qid']}) score {hit['score']:.4f} "
            f"= image {hit['image_cosine']:.4f} / text {hit['text_cosine']:.4f}"
        )
    typer.echo("prompt:\n" + result["prompt"])
    if "answer" in result:
        typer.echo(f"answer ({result['model']}):\n{result['answer']}")
