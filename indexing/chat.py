"""A call to any OpenAI-compatible chat-completions endpoint (vLLM, Ollama, LM Studio ...).

One POST to `{base_url}/chat/completions` with the prompt and, when given, the image as a base64
data URL; the answer is `choices[0].message.content`. An unreachable endpoint, an HTTP error or an
answer of another shape is a one-line `RSWKError`.
"""

from __future__ import annotations

import base64
from typing import Any

import httpx

from rswk.core.errors import RSWKError


def image_data_url(data: bytes) -> str:
    """The image as a data URL (PNG or JPEG, told apart by its signature)."""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def chat_request(model: str, prompt: str, image: bytes | None, max_tokens: int) -> dict[str, Any]:
    """The request body: one user message with the prompt text and the image."""
    content: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
    if image is not None:
        content.append({"type": "image_url", "image_url": {"url": image_data_url(image)}})
    return {
        "model": model,
        "messages": [{"role": "user", "content": content}],
        "max_tokens": max_tokens,
        "temperature": 0,
    }


def complete(
    base_url: str,
    body: dict[str, Any],
    *,
    api_key: str | None,
    timeout_s: float,
    transport: httpx.BaseTransport | None = None,
) -> str:
    """Send `body` and return the answer text."""
    url = base_url.rstrip("/") + "/chat/completions"
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            response = client.post(url, json=body, headers=headers)
    except httpx.TransportError as exc:
        raise RSWKError(
            f"--base-url {base_url}: cannot reach the chat-completions endpoint "
            f"({type(exc).__name__}: {exc}); start the model server or fix the URL"
        ) from None
    if response.status_code >= 400:
        raise RSWKError(
            f"{url}: HTTP {response.status_code}: {response.text[:200].strip()} "
            "(check --model and OPENAI_API_KEY)"
        )
    try:
        return str(response.json()["choices"][0]["message"]["content"])
    except (ValueError, KeyError, IndexError, TypeError):
        raise RSWKError(
            f"{url}: the answer is not a chat completion (no choices[0].message.content): "
            f"{response.text[:200]!r}"
        ) from None
