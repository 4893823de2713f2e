"""A local HTTP server that answers the Hub API calls `huggingface_hub` makes to publish a dataset.

Routes (as the Hub serves them): POST /api/repos/create, GET /api/datasets/<repo>/refs,
GET /api/datasets/<repo>/revision/<rev>, POST /api/validate-yaml, POST
/api/datasets/<repo>/preupload/<rev> (lfs for binary files, `oid` of files already held),
POST /datasets/<repo>.git/info/lfs/objects/batch (basic transfer; no `actions` for objects
already stored), PUT /_lfs/<oid> (the upload href), POST /api/datasets/<repo>/commit/<rev>
(NDJSON), POST /api/datasets/<repo>/tag/<rev>; and for readers (`load_dataset` with a revision):
HEAD/GET /datasets/<repo>/resolve/<rev>/<path> (ranges, X-Repo-Commit, ETag, X-Linked-*),
GET /api/datasets/<repo>/tree/<rev>/<path>, POST /api/datasets/<repo>/paths-info/<rev>; a
branch, tag or commit id names a revision. Every call is recorded; `fail_next` makes the
next call to a route answer 500 once, to test retries.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlparse

TEXT_SUFFIXES = (".md", ".json", ".csv", ".html", ".txt")


@dataclass
class Call:
    method: str
    path: str
    route: str


@dataclass
class HubState:
    """What the fake Hub holds: repos, their files (path -> sha256, bytes), commits and tags."""

    repos: set[str] = field(default_factory=set)
    files: dict[str, dict[str, tuple[str, bytes]]] = field(default_factory=dict)
    commits: dict[str, list[str]] = field(default_factory=dict)  # repo -> commit oids, oldest first
    snapshots: dict[str, dict[str, tuple[str, bytes]]] = field(default_factory=dict)  # by commit
    tags: dict[str, dict[str, str]] = field(default_factory=dict)  # repo -> tag -> commit
    lfs: dict[str, bytes] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    fail_next: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def routes(self, route: str) -> list[Call]:
        return [c for c in self.calls if c.route == route]


def _git_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server: _HubHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # --- plumbing ---
    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _route(self, method: str) -> tuple[str, list[str]]:
        parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
        if parts[:2] == ["api", "repos"]:
            return f"{method} repos/{parts[2]}", []
        if parts[:2] == ["api", "validate-yaml"]:
            return "POST validate-yaml", []
        if parts[0] == "_lfs":
            return f"{method} lfs-object", parts[1:]
        if parts[0] == "datasets" and len(parts) > 4 and parts[3] == "resolve":
            return f"{method} resolve", ["/".join(parts[1:3]), parts[4], "/".join(parts[5:])]
        if parts[0] == "datasets" and ".git" in "/".join(parts):
            repo = "/".join(parts[1:3]).removesuffix(".git")
            return "POST lfs-batch", [repo]
        if parts[:2] == ["api", "datasets"]:
            repo = "/".join(parts[2:4])
            action = parts[4] if len(parts) > 4 else "info"
            return f"{method} {action}", [repo, *parts[5:]]
        return f"{method} unknown", parts

    def _dispatch(self, method: str) -> None:
        state = self.server.state
        route, args = self._route(method)
        with state.lock:
            state.calls.append(Call(method, self.path, route))
            if route in state.fail_next:
                state.fail_next.discard(route)
                self._body()
                self._json(500, {"error": "injected failure"})
                return
        handler = getattr(self, "_" + route.replace(" ", "_").replace("-", "_").replace("/", "_"))
        handler(*args)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_HEAD(self) -> None:
        self._dispatch("HEAD")

    # --- routes ---
    def _POST_repos_create(self) -> None:
        body = json.loads(self._body())
        repo = (
            f"{body['organization']}/{body['name']}" if body.get("organization") else body["name"]
        )
        state = self.server.state
        if repo in state.repos:
            self._json(409, {"error": "You already created this dataset repo", "url": repo})
            return
        state.repos.add(repo)
        state.files[repo], state.commits[repo], state.tags[repo] = {}, [], {}
        self._json(200, {"url": f"{self.server.base}/datasets/{repo}", "name": repo})

    def _missing(self, repo: str) -> bool:
        if repo not in self.server.state.repos:
            self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
            return True
        return False

    def _head(self, repo: str) -> str:
        commits = self.server.state.commits[repo]
        return commits[-1] if commits else "0" * 40

    def _GET_refs(self, repo: str) -> None:
        if self._missing(repo):
            return
        state = self.server.state
        self._json(
            200,
            {
                "branches": [
                    {"name": "main", "ref": "refs/heads/main", "targetCommit": self._head(repo)}
                ],
                "converts": [],
                "tags": [
                    {"name": t, "ref": f"refs/tags/{t}", "targetCommit": c}
                    for t, c in state.tags[repo].items()
                ],
            },
        )

    def _commit_of(self, repo: str, revision: str) -> str | None:
        """The commit a branch, tag or commit id names (None: no such revision)."""
        state = self.server.state
        if revision == "main":
            return self._head(repo)
        if revision in state.tags[repo]:
            return state.tags[repo][revision]
        return revision if revision in state.snapshots else None

    def _snapshot(
        self, repo: str, revision: str
    ) -> tuple[str, dict[str, tuple[str, bytes]]] | None:
        commit = self._commit_of(repo, revision)
        if commit is None:
            self._json(404, {"error": "Invalid rev id"}, {"X-Error-Code": "RevisionNotFound"})
            return None
        return commit, self.server.state.snapshots.get(commit, {})

    def _GET_revision(self, repo: str, *rest: str) -> None:
        if self._missing(repo):
            return
        found = self._snapshot(repo, "/".join(rest) or "main")
        if found is None:
            return
        commit, files = found
        siblings = [{"rfilename": path} for path in sorted(files)]
        self._json(200, {"id": repo, "sha": commit, "private": False, "siblings": siblings})

    def _entry(self, path: str, sha256: str, data: bytes) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": "file", "oid": _git_sha1(data), "size": len(data)}
        entry["path"] = path
        if not path.endswith(TEXT_SUFFIXES):
            entry["lfs"] = {"oid": sha256, "size": len(data), "pointerSize": 134}
        return entry

    def _GET_tree(self, repo: str, revision: str, *path: str) -> None:
        if self._missing(repo) or (found := self._snapshot(repo, revision)) is None:
            return
        _, files = found
        prefix = "/".join(path).strip("/")
        recursive = "recursive=true" in self.path or "recursive=True" in self.path
        entries: dict[str, dict[str, Any]] = {}
        for file_path, (sha256, data) in sorted(files.items()):
            if prefix and not file_path.startswith(prefix + "/"):
                continue
            rest = file_path[len(prefix) + 1 :] if prefix else file_path
            if "/" in rest and not recursive:
                folder = f"{prefix}/{rest.split('/')[0]}" if prefix else rest.split("/")[0]
                entries[folder] = {"type": "directory", "oid": "0" * 40, "size": 0, "path": folder}
                continue
            if recursive:
                parts = rest.split("/")[:-1]
                for i in range(len(parts)):
                    sub = "/".join(([prefix] if prefix else []) + parts[: i + 1])
                    entries[sub] = {"type": "directory", "oid": "0" * 40, "size": 0, "path": sub}
            entries[file_path] = self._entry(file_path, sha256, data)
        if not entries and prefix:
            self._json(404, {"error": "not found"}, {"X-Error-Code": "EntryNotFound"})
            return
        self._json(200, list(entries.values()))

    def _POST_paths_info(self, repo: str, revision: str) -> None:
        from urllib.parse import parse_qs

        raw = self._body().decode()
        body = json.loads(raw) if raw.startswith("{") else parse_qs(raw)
        if self._missing(repo) or (found := self._snapshot(repo, revision)) is None:
            return
        _, files = found
        wanted = body.get("paths", [])
        infos = []
        for path in [wanted] if isinstance(wanted, str) else wanted:
            path = path.strip("/")
            if path in files:
                infos.append(self._entry(path, *files[path]))
            elif any(f.startswith(path + "/") for f in files):
                infos.append({"type": "directory", "oid": "0" * 40, "size": 0, "path": path})
        self._json(200, infos)

    def _serve_file(self, repo: str, revision: str, path: str, *, body: bool) -> None:
        if repo not in self.server.state.repos:
            self._json(404, {"error": "Repository not found"}, {"X-Error-Code": "RepoNotFound"})
            return
        found = self._snapshot(repo, revision)
        if found is None:
            return
        commit, files = found
        if path not in files:
            self._json(404, {"error": "Entry not found"}, {"X-Error-Code": "EntryNotFound"})
            return
        sha256, data = files[path]
        etag = sha256 if not path.endswith(TEXT_SUFFIXES) else _git_sha1(data)
        start, end, status = 0, len(data) - 1, 200
        wanted = self.headers.get("Range")
        if wanted and wanted.startswith("bytes="):
            first, _, last = wanted[6:].partition("-")
            start = int(first) if first else max(0, len(data) - int(last))
            end = min(int(last), len(data) - 1) if first and last else len(data) - 1
            status = 206
        chunk = data[start : end + 1]
        self.send_response(status)
        self.send_header("Content-Length", str(len(chunk)))
        self.send_header("ETag", f'"{etag}"')
        self.send_header("X-Repo-Commit", commit)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        if not path.endswith(TEXT_SUFFIXES):
            self.send_header("X-Linked-Etag", f'"{sha256}"')
            self.send_header("X-Linked-Size", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(chunk)

    def _GET_resolve(self, repo: str, revision: str, path: str) -> None:
        self._serve_file(repo, revision, path, body=True)

    def _HEAD_resolve(self, repo: str, revision: str, path: str) -> None:
        self._serve_file(repo, revision, path, body=False)

    def _POST_validate_yaml(self) -> None:
        body = json.loads(self._body())
        ok = body["content"].startswith("---\n") and "\n---\n" in body["content"]
        self._json(200 if ok else 400, {"errors": [] if ok else [{"message": "no YAML block"}]})

    def _POST_preupload(self, repo: str, *_: str) -> None:
        if self._missing(repo):
            return
        held = self.server.state.files[repo]
        files = []
        for f in json.loads(self._body())["files"]:
            lfs = not f["path"].endswith(TEXT_SUFFIXES)
            entry: dict[str, Any] = {
                "path": f["path"],
                "uploadMode": "lfs" if lfs else "regular",
                "shouldIgnore": False,
            }
            if f["path"] in held:
                sha256, data = held[f["path"]]
                entry["oid"] = sha256 if lfs else _git_sha1(data)
            files.append(entry)
        self._json(200, {"files": files, "commitOid": self._head(repo)})

    def _POST_lfs_batch(self, repo: str) -> None:
        state = self.server.state
        objects = []
        for obj in json.loads(self._body())["objects"]:
            entry: dict[str, Any] = {"oid": obj["oid"], "size": obj["size"], "authenticated": True}
            if obj["oid"] not in state.lfs:
                entry["actions"] = {"upload": {"href": f"{self.server.base}/_lfs/{obj['oid']}"}}
            objects.append(entry)
        self._json(200, {"transfer": "basic", "objects": objects})

    def _PUT_lfs_object(self, oid: str) -> None:
        data = self._body()
        if hashlib.sha256(data).hexdigest() != oid:
            self._json(400, {"error": "sha256 mismatch"})
            return
        self.server.state.lfs[oid] = data
        self._json(200, {})

    def _POST_commit(self, repo: str, *_: str) -> None:
        if self._missing(repo):
            return
        state = self.server.state
        lines = [json.loads(line) for line in self._body().splitlines() if line.strip()]
        staged: dict[str, tuple[str, bytes]] = {}
        for line in lines:
            value = line["value"]
            if line["key"] == "file":
                data = base64.b64decode(value["content"])
                staged[value["path"]] = (hashlib.sha256(data).hexdigest(), data)
            elif line["key"] == "lfsFile":
                if value["oid"] not in state.lfs:
                    self._json(422, {"error": f"LFS object {value['oid']} was never uploaded"})
                    return
                staged[value["path"]] = (value["oid"], state.lfs[value["oid"]])
        seed = self._head(repo) + json.dumps(sorted((p, s) for p, (s, _) in staged.items()))
        oid = hashlib.sha1(seed.encode()).hexdigest()
        state.files[repo].update(staged)
        state.commits[repo].append(oid)
        state.snapshots[oid] = dict(state.files[repo])
        self._json(
            200,
            {"commitOid": oid, "commitUrl": f"{self.server.base}/datasets/{repo}/commit/{oid}"},
        )

    def _POST_tag(self, repo: str, revision: str) -> None:
        if self._missing(repo):
            return
        state = self.server.state
        tag = json.loads(self._body())["tag"]
        if tag in state.tags[repo]:
            self._json(409, {"error": "Tag already exists"})
            return
        target = self._head(repo) if revision == "main" else revision
        state.tags[repo][tag] = target
        self._json(200, {})


class _HubHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: HubState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.base = f"http://127.0.0.1:{self.server_address[1]}"


class FakeHub:
    """`with FakeHub() as hub:` serves on 127.0.0.1; `hub.url`, `hub.state`."""

    def __init__(self) -> None:
        self.state = HubState()
        self._server = _HubHTTPServer(self.state)
        self.url = self._server.base
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeHub:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
