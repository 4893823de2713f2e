"""Seeded value noise over plane coordinates, vectorised with numpy.

The sample world's landscape is built from smooth random fields; they must be pure functions of
(seed, x, y) so that a tile, a Process API image and a Statistical API answer computed for the
same place always agree, whichever is asked first. Python's `hash` is salted per process, so the
lattice hash is a fixed integer mixer (SplitMix64's finaliser) instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

_MIX_X = np.uint64(0x9E3779B97F4A7C15)
_MIX_Y = np.uint64(0xC2B2AE3D27D4EB4F)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


_MASK64 = 0xFFFFFFFFFFFFFFFF
# Past this many lattice points per output point the separable path stops paying off.
_GRID_LATTICE_RATIO = 4


def _mix(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    with np.errstate(over="ignore"):  # wrapping multiplication is the point of the mixer
        h = h ^ (h >> np.uint64(30))
        h = h * _MIX_1
        h = h ^ (h >> np.uint64(27))
        h = h * _MIX_2
        return h ^ (h >> np.uint64(31))


def _salt(seed: int) -> np.uint64:
    h = (seed + 0x9E3779B97F4A7C15) & _MASK64
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & _MASK64
    return np.uint64(h ^ (h >> 31))


def lattice_hash(ix: NDArray[np.int64], iy: NDArray[np.int64], seed: int) -> FloatArray:
    """A uniform number in [0, 1) for every integer lattice point (ix, iy) and `seed`
    (ix and iy broadcast against each other)."""
    with np.errstate(over="ignore"):
        h = (ix.astype(np.uint64) * _MIX_X) ^ (iy.astype(np.uint64) * _MIX_Y) ^ _salt(seed)
    return (_mix(h) >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def _cells(coords: FloatArray, scale: float) -> tuple[NDArray[np.int64], FloatArray]:
    scaled = coords / scale
    floor = np.floor(scaled)
    t = scaled - floor
    return floor.astype(np.int64), t * t * (3.0 - 2.0 * t)


def value_noise(x: FloatArray, y: FloatArray, scale: float, seed: int) -> FloatArray:
    """Smooth noise in [0, 1) with features about `scale` units across (bilinear, smoothstep).

    `x` and `y` broadcast against each other. An open mesh (`x` of shape (1, W), `y` of shape
    (H, 1), as for image pixels) takes a separable path that hashes each lattice point once.
    """
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    if x.ndim == 2 and y.ndim == 2 and x.shape[0] == 1 and y.shape[1] == 1:
        grid = _grid_noise(x[0], y[:, 0], scale, seed)
        if grid is not None:
            return grid
    ix, tx = _cells(x, scale)
    iy, ty = _cells(y, scale)
    one = np.int64(1)
    top = lattice_hash(ix, iy, seed) * (1 - tx) + lattice_hash(ix + one, iy, seed) * tx
    bottom = (
        lattice_hash(ix, iy + one, seed) * (1 - tx) + lattice_hash(ix + one, iy + one, seed) * tx
    )
    return np.asarray(top * (1 - ty) + bottom * ty)


def _grid_noise(xs: FloatArray, ys: FloatArray, scale: float, seed: int) -> FloatArray | None:
    # Bilinear interpolation on a grid is separable: hash the lattice once, interpolate along
    # x for each lattice row, then along y. (Matrix products would do the same, but threaded
    # BLAS on small matrices is slower than this on a busy machine.)
    ix, tx = _cells(xs, scale)
    iy, ty = _cells(ys, scale)
    x0, y0 = int(ix.min()), int(iy.min())
    nx, ny = int(ix.max()) - x0 + 2, int(iy.max()) - y0 + 2
    if nx * ny > _GRID_LATTICE_RATIO * xs.size * ys.size:
        return None
    lattice = lattice_hash(
        np.arange(x0, x0 + nx, dtype=np.int64)[None, :],
        np.arange(y0, y0 + ny, dtype=np.int64)[:, None],
        seed,
    )
    cx, cy = ix - x0, iy - y0
    along_x = lattice[:, cx] * (1 - tx) + lattice[:, cx + 1] * tx
    return np.asarray(along_x[cy] * (1 - ty)[:, None] + along_x[cy + 1] * ty[:, None])


def fractal_noise(
    x: FloatArray, y: FloatArray, scales: Sequence[float], seed: int, persistence: float = 0.5
) -> FloatArray:
    """Octaves of `value_noise` (largest scale first, each weighted `persistence` times the
    previous), normalised back to [0, 1). The spread narrows with more octaves (~0.5 ± 0.15)."""
    total: FloatArray | None = None
    weight, weights = 1.0, 0.0
    for octave, scale in enumerate(scales):
        layer = value_noise(x, y, scale, seed * 1009 + octave) * weight
        total = layer if total is None else total + layer
        weights += weight
        weight *= persistence
    if total is None:
        raise ValueError("fractal_noise needs at least one scale")
    return total / weights
