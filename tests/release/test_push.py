"""`--push` with the real huggingface_hub client against a local server that answers as the Hub:
one commit and one tag; a retry after a failed tag or commit makes no second commit; no token is
a clear error that leaves the local release intact; and `datasets.load_dataset(repo,
revision="v1.0.0")` loads the pushed release from that server."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from rswk.cli import main
from rswk.release.manifest import verify_release
from rswk.release.push import PushError, push_release
from tests.release.hub_server import FakeHub

REPO = "rswk-org/rswk"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeHub]:
    from huggingface_hub import constants

    # The Hub also serves plain LFS uploads; the test server speaks that protocol, not Xet's.
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_XET", True)
    monkeypatch.setenv("HF_TOKEN", "hf_test_token")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    with FakeHub() as server:
        yield server


def _files(release: Path) -> dict[str, str]:
    return {
        p.relative_to(release).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in release.rglob("*")
        if p.is_file()
    }


def test_push_sends_one_commit_and_one_tag(hub: FakeHub, release_copy: Path) -> None:
    result = push_release(release_copy, REPO, endpoint=hub.url)
    state = hub.state
    assert result.created and result.tag == "v1.0.0"
    assert len(state.routes("POST commit")) == 1
    assert len(state.commits[REPO]) == 1
    assert state.tags[REPO] == {"v1.0.0": state.commits[REPO][0]} == {"v1.0.0": result.commit}
    held = {path: sha for path, (sha, _) in state.files[REPO].items()}
    assert held == _files(release_copy)
    # Binary files went through LFS; the README was validated by the Hub before the commit.
    assert any(path.endswith(".parquet") for path in held)
    assert len(state.lfs) >= len([p for p in held if p.endswith(".parquet")]) // 2
    assert len(state.routes("POST validate-yaml")) == 1


def test_retry_after_a_failed_tag_does_not_duplicate_the_commit(
    hub: FakeHub, release_copy: Path
) -> None:
    hub.state.fail_next.add("POST tag")
    with pytest.raises(PushError, match="run the push again"):
        push_release(release_copy, REPO, endpoint=hub.url)
    assert len(hub.state.commits[REPO]) == 1 and hub.state.tags[REPO] == {}
    uploads = len(hub.state.routes("PUT lfs-object"))

    result = push_release(release_copy, REPO, endpoint=hub.url)
    assert len(hub.state.commits[REPO]) == 1, "the retry must not commit again"
    assert len(hub.state.routes("PUT lfs-object")) == uploads, "nor upload again"
    assert hub.state.tags[REPO] == {"v1.0.0": hub.state.commits[REPO][0]}
    assert result.commit == hub.state.commits[REPO][0]

    again = push_release(release_copy, REPO, endpoint=hub.url)
    assert not again.created and len(hub.state.commits[REPO]) == 1


def test_missing_token_is_a_clear_error_and_the_release_stays(
    monkeypatch: pytest.MonkeyPatch,
    workdir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    releases = tmp_path / "rel"
    args = ["release", "--workdir", str(workdir), "--releases", str(releases)]
    assert main([*args, "--push", "--repo-id", REPO]) == 2
    err = capsys.readouterr().err
    assert "no Hub token; set HF_TOKEN" in err and "local release is intact" in err
    assert verify_release(releases / "rswk-1.0.0") == []


def test_cli_push_uses_the_configured_repo(
    hub: FakeHub, workdir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "rswk.toml"
    config.write_text(f'[release]\nrepo_id = "{REPO}"\nhub_endpoint = "{hub.url}"\n')
    releases = tmp_path / "rel"
    args = ["release", "--workdir", str(workdir), "--config", str(config)]
    assert main([*args, "--releases", str(releases), "--push"]) == 0
    assert f"published: {REPO} tag v1.0.0" in capsys.readouterr().out
    assert list(hub.state.tags[REPO]) == ["v1.0.0"]
    readme = hub.state.files[REPO]["README.md"][1].decode()
    assert f'load_dataset("{REPO}", "landmarks", revision="v1.0.0")' in readme


def test_retry_after_a_failed_commit_uploads_nothing_twice(
    hub: FakeHub, release_copy: Path
) -> None:
    hub.state.fail_next.add("POST commit")
    with pytest.raises(PushError, match="local release is intact"):
        push_release(release_copy, REPO, endpoint=hub.url)
    assert hub.state.commits[REPO] == [] and hub.state.tags[REPO] == {}
    uploaded = set(hub.state.lfs)
    puts = len(hub.state.routes("PUT lfs-object"))
    assert uploaded and puts == len(uploaded)

    result = push_release(release_copy, REPO, endpoint=hub.url)
    assert len(hub.state.commits[REPO]) == 1 and result.created
    assert len(hub.state.routes("PUT lfs-object")) == puts, "LFS objects already held"
    assert hub.state.tags[REPO] == {"v1.0.0": result.commit}


def test_a_pushed_release_loads_from_the_hub_at_its_tag(
    hub: FakeHub, release_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datasets
    import datasets.config
    from huggingface_hub import constants

    push_release(release_copy, REPO, endpoint=hub.url)
    monkeypatch.setattr(datasets.config, "HF_ENDPOINT", hub.url)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    loaded = datasets.load_dataset(
        REPO, "classification", revision="v1.0.0", cache_dir=str(tmp_path / "ds-cache")
    )
    local = datasets.load_dataset(str(release_copy), "classification")
    for split in local:
        assert loaded[split].features == local[split].features
        assert loaded[split]["qid"] == local[split]["qid"]
    assert loaded["train"][0]["image"].size[0] > 0
    # Everything came from the test server: the card at the tag, then the files at its commit.
    resolved = [c.path for c in hub.state.calls if c.route in ("HEAD resolve", "GET resolve")]
    assert f"/datasets/{REPO}/resolve/v1.0.0/README.md" in resolved
    commit = hub.state.tags[REPO]["v1.0.0"]
    assert any(f"/resolve/{commit}/data/classification/train-" in path for path in resolved)
