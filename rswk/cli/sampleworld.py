"""`rswk sample-world serve`: run the local sample world until SIGINT / SIGTERM."""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path
from types import FrameType

import typer

from rswk.sampleworld.world import World

app = typer.Typer(
    help="The local sample world: MediaWiki, Wikidata and SPARQL (and more) on 127.0.0.1.",
    no_args_is_help=True,
)


@app.callback()
def _group() -> None:
    """Keep `serve` a sub-command even while it is the only one."""


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to bind."),
    port: int = typer.Option(0, "--port", help="Port to bind; 0 picks a free one."),
    world: str = typer.Option("bundled", "--world", help="bundled or generated."),
    landmarks: int = typer.Option(
        2000,
        "--landmarks",
        help="Size of a generated world: with --placement quotas, the landmarks a crawl can keep.",
    ),
    placement: str = typer.Option(
        "quotas",
        "--placement",
        help="Generated world: 'quotas' (by the country files' quotas, plus a margin) or 'area'.",
    ),
    countries_dir: Path | None = typer.Option(
        None, "--countries", help="Country registry for --placement quotas (default: shipped)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the generated world and the faults."),
    faults: float = typer.Option(0.0, "--faults", min=0.0, max=1.0, help="Fault rate 0..1."),
    latency_ms: str = typer.Option(
        "0",
        "--latency-ms",
        help="Least time per answer in ms (the server's own work included): one number, "
        "or per endpoint: 20,mediawiki=150,tiles=60.",
    ),
) -> None:
    """Serve until interrupted. Prints one JSON line with every service URL, then serves."""
    from rswk.sampleworld.faults import FaultConfig
    from rswk.sampleworld.latency import Latency
    from rswk.sampleworld.routes import ROUTES
    from rswk.sampleworld.server import SampleWorld, load_route_modules

    if world not in ("bundled", "generated"):
        raise typer.BadParameter(f"'{world}': use bundled or generated", param_hint="--world")
    if placement not in ("quotas", "area"):
        raise typer.BadParameter(f"'{placement}': use quotas or area", param_hint="--placement")
    fault_config = FaultConfig(rate=faults) if faults > 0 else None
    try:
        latency = Latency.parse(latency_ms)
        load_route_modules()
        latency.check_endpoints(route.endpoint for route in ROUTES.routes())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--latency-ms") from None
    server = SampleWorld(
        _world(world, landmarks, seed, placement, countries_dir),
        host=host,
        port=port,
        faults=fault_config,
        latency_ms=latency,
        seed=seed,
    )
    stop = threading.Event()

    def _on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with server:
            typer.echo(json.dumps(server.urls()))
            # Event.wait with a timeout keeps the main thread responsive to signals.
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _world(kind: str, landmarks: int, seed: int, placement: str, countries: Path | None) -> World:
    """The world to serve. A quota-shaped world gets the registry's quotas from here (the
    product side): the sample world reads no product file."""
    from rswk.sampleworld.loader import load_world

    if kind == "bundled":
        return load_world("bundled")
    if placement == "area":
        return load_world("generated", landmarks=landmarks, seed=seed)
    from rswk.core.countries import CountryRegistry
    from rswk.harness.quota_world import quota_plan, quota_world

    registry = CountryRegistry.from_dir(countries)
    for iso2, quota in quota_plan(landmarks, registry).unplaceable.items():
        typer.echo(
            f"warning: {iso2}: no land of its own in the sample world, so its quota of {quota} "
            "gets no landmarks (see `rswk country check --all`)",
            err=True,
        )
    return quota_world(landmarks, seed, registry)


if __name__ == "__main__":
    app()
