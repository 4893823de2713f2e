"""`rswk rag`: the chat-completions request it sends to a local endpoint, what it prints, and
one-line errors with a non-zero exit for each failure a user can cause."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from indexing import Retriever
from rswk.cli import main
from rswk.core.config import CONFIG_ENV
from tests.indexing.conftest import BuiltIndex

ANSWER = "A tall tower beside a river."


class Endpoint:
    """A local OpenAI-compatible endpoint that records each request and answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
                )
                reply = {"choices": [{"message": {"role": "assistant", "content": ANSWER}}]}
                data = json.dumps(reply if endpoint.status == 200 else {"error": "boom"}).encode()
                self.send_response(endpoint.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    server = Endpoint()
    yield server
    server.close()


@pytest.fixture
def query_image(built_index: BuiltIndex, tmp_path: Path) -> Path:
    landmark = next(lm for lm in built_index.landmarks if lm.image is not None)
    assert landmark.image is not None
    path = tmp_path / "query.jpg"
    path.write_bytes(landmark.image.image)
    return path


def rag_args(built: BuiltIndex, *extra: str) -> list[str]:
    return ["rag", "--index", str(built.files), "--config", str(built.toml), *extra]


def test_rag_sends_image_and_prompt_with_top_k_chunks_in_score_order(
    built_index: BuiltIndex,
    endpoint: Endpoint,
    query_image: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    question = "What is the building next to the river?"
    code = main(
        rag_args(
            built_index,
            *("--image", str(query_image), "--question", question, "--top-k", "2"),
            *("--base-url", endpoint.url, "--model", "rswk-test-vlm"),
        )
    )
    out = capsys.readouterr().out
    assert code == 0
    assert ANSWER in out and "UNTRAINED" in out
    [request] = endpoint.requests
    assert request["path"] == "/v1/chat/completions"
    assert request["auth"] == "Bearer test-key"
    body = request["body"]
    assert body["model"] == "rswk-test-vlm"
    [message] = body["messages"]
    text, image = message["content"]
    assert image["type"] == "image_url"
    assert base64.b64decode(image["image_url"]["url"].split(",", 1)[1]) == query_image.read_bytes()
    # The same retrieval, done directly: its landmarks and chunks appear in this very order.
    hits = Retriever.open(built_index.files, built_index.config.index).search(
        image=query_image, question=question, top_k=2
    )
    assert len(hits) == 2 and hits[0].score >= hits[1].score
    positions = [
        text["text"].index(f"{hit.name} ({hit.rswk_class}, {hit.qid}) - {chunk.kind}: {chunk.text}")
        for hit in hits
        for chunk in hit.chunks
    ]
    assert positions == sorted(positions) and len(positions) == sum(len(h.chunks) for h in hits)
    assert text["text"].startswith("Describe this remote-sensing image")


def test_without_a_model_it_prints_context_and_prompt(
    built_index: BuiltIndex,
    query_image: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code = main(rag_args(built_index, "--image", str(query_image), "--task", "classify", "--json"))
    result = json.loads(capsys.readouterr().out)
    assert code == 0
    assert "answer" not in result and len(result["retrieved"]) == 3
    assert result["prompt"].startswith("Which class does the landmark")
    assert result["retrieved"][0]["chunks"][0]["text"] in result["prompt"]
    assert result["latency_ms"]["query"] >= 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--image", "missing.png"), "--image missing.png: no such file"),
        (("--question", "q", "--task", "vqa", "--base-url", "http://x"), "give --model"),
        (("--image", "{image}", "--task", "vqa"), "--task vqa needs --question"),
        (("--image", "{image}", "--task", "poem"), "--task 'poem'"),
    ],
)
def test_input_errors_are_one_line_and_exit_non_zero(
    built_index: BuiltIndex,
    query_image: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    message: str,
) -> None:
    args = [arg.replace("{image}", str(query_image)) for arg in extra]
    assert main(rag_args(built_index, *args)) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


def test_an_index_built_by_another_encoder_is_refused(
    built_index: BuiltIndex,
    query_image: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another architecture (the sample profile's own ViT-S-32): refused from index.json alone.
    monkeypatch.delenv(CONFIG_ENV)
    args = ["rag", "--index", str(built_index.files), "--image", str(query_image)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "was built with open_clip RSWK-Tiny-32" in err and "ViT-S-32" in err
    # Same architecture, other weights (another seed): refused by the weights' hash.
    other = tmp_path / "other.toml"
    other.write_text('[index.encoder]\nmodel = "RSWK-Tiny-32"\nseed = 1\n')
    assert main([*args, "--config", str(other)]) == 2
    assert "weights sha256" in capsys.readouterr().err


def test_endpoint_failures_are_one_line_errors(
    built_index: BuiltIndex,
    endpoint: Endpoint,
    query_image: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = rag_args(built_index, "--image", str(query_image), "--model", "m")
    unreachable = f"http://127.0.0.1:{closed_port()}/v1"
    assert main([*base, "--base-url", unreachable]) == 2
    err = capsys.readouterr().err
    assert f"--base-url {unreachable}: cannot reach" in err and len(err.strip().splitlines()) == 1
    endpoint.status = 500
    assert main([*base, "--base-url", endpoint.url]) == 2
    assert "HTTP 500" in capsys.readouterr().err
