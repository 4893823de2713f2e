"""`rswk release`: build the next versioned release of a validated run (and publish it)."""

from __future__ import annotations

from pathlib import Path

import typer

from rswk.cli.common import CacheDirOption, ConfigOption, ProfileOption, WorkdirOption, load_project
from rswk.core.config import ProjectConfig, resolve_releases_dir


def releases_dir(project: ProjectConfig, override: Path | None) -> Path:
    """--releases, else the config's `release.releases_dir`, else $RSWK_RELEASES_DIR, else
    `releases/` under the cwd."""
    return resolve_releases_dir(project.release.releases_dir, override)


def release(
    profile: ProfileOption = "sample",
    workdir: WorkdirOption = None,
    cache_dir: CacheDirOption = None,
    config: ConfigOption = None,
    version: str | None = typer.Option(
        None, "--version", help="X.Y.Z; default: proposed from the changes since the last release."
    ),
    push: bool = typer.Option(False, "--push", help="Publish to the Hub (token from HF_TOKEN)."),
    releases: Path | None = typer.Option(
        None, "--releases", help="Folder of releases (default releases/ under the cwd)."
    ),
    repo_id: str | None = typer.Option(
        None, "--repo-id", help="Hub dataset repo for --push (default: release.repo_id)."
    ),
) -> None:
    """Assemble releases/rswk-<version>/ (data, card, index, report, manifest, changelog)."""
    from rswk.core.errors import RSWKError
    from rswk.release.assemble import build_release, release_workdir
    from rswk.release.push import push_release

    project = load_project(profile, config, workdir, cache_dir)
    target_repo = repo_id or project.release.repo_id
    result = build_release(
        release_workdir(project),
        releases_dir(project, releases),
        version=version,
        repo_id=target_repo,
    )
    typer.echo(result.message)
    if not push or result.path is None:
        return
    if target_repo is None:
        raise RSWKError("--push needs a repo: pass --repo-id ORG/NAME or set release.repo_id")
    pushed = push_release(
        result.path,
        target_repo,
        endpoint=project.release.hub_endpoint,
        private=project.release.private,
    )
    state = "published" if pushed.created else "already published"
    typer.echo(f"{state}: {pushed.repo_id} tag {pushed.tag} at commit {pushed.commit}")


def verify(release_dir: Path = typer.Argument(..., help="A release folder.")) -> None:
    """Check every file of a release against its manifest (sha256, size, rows, index)."""
    from rswk.release.manifest import verify_release

    problems = verify_release(release_dir)
    for problem in problems:
        typer.echo(problem, err=True)
    if problems:
        typer.echo(f"{release_dir}: {len(problems)} problem(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{release_dir}: verified")


def export(
    release_dir: Path = typer.Argument(..., help="A release folder."),
    out: Path = typer.Argument(..., help="Output folder."),
    fmt: str = typer.Option(..., "--format", help="rswk-v1 (the paper's JSON) or ms-swift."),
) -> None:
    """Write a release in the paper's JSON layout or as ms-swift fine-tuning JSONL."""
    from rswk.release.export import export_release

    counts = export_release(release_dir, out, fmt)
    typer.echo(f"wrote {out} ({fmt}): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
