"""Sample-world ground truth benchmark: what the sites and their truth cost as a world grows.

For a generated world of N landmarks (default 14,141, the paper's size) it measures, in one
process: generating the world, designing every landmark's site (what the first tile, Statistical
or climate request of a server pays), the truth of a sample of landmarks (`WorldTruth.of`, a
100 x 100 grid over ±500 m for twelve months), and rendering the z17 tile under a sample of
landmarks. Prints one JSON object.
Usage: .venv/bin/python bench/bench_truth.py [--landmarks 14141] [--sample 50]
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import mercantile
import numpy as np

from rswk.sampleworld.generated import generate_world
from rswk.sampleworld.landscape import Landscape
from rswk.sampleworld.tiles import render_tile
from rswk.sampleworld.truth import WorldTruth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landmarks", type=int, default=14_141)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    world = generate_world(args.landmarks, args.seed)
    generated = time.perf_counter()
    landscape = Landscape(world, args.seed)
    designed = time.perf_counter()
    truth = WorldTruth(world, args.seed, landscape)
    rng = np.random.default_rng(args.seed)
    picks = rng.choice(len(world.landmarks), size=min(args.sample, len(world.landmarks)))
    qids = [world.landmarks[int(i)].qid for i in picks]
    before = time.perf_counter()
    classes = {truth.of(qid).true_class for qid in qids}
    truths = time.perf_counter()
    for qid in qids:
        landmark = truth.landmarks[qid]
        assert landmark.lat is not None and landmark.lon is not None
        tile = mercantile.tile(landmark.lon, landmark.lat, 17)
        render_tile(landscape, tile.z, tile.x, tile.y)
    tiles = time.perf_counter()
    figures = {
        "landmarks": len(world.landmarks),
        "sample": len(qids),
        "classes_in_sample": len(classes),
        "generate_s": round(generated - started, 3),
        "design_sites_s": round(designed - generated, 3),
        "truth_ms_per_landmark": round(1000 * (truths - before) / len(qids), 1),
        "tile_ms_per_landmark": round(1000 * (tiles - truths) / len(qids), 1),
    }
    json.dump(figures, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
