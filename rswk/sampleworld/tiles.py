"""XYZ imagery tiles in the ESRI World Imagery URL order: `GET /tiles/{z}/{y}/{x}`.

Each tile is a 256x256 JPEG (quality 85) of the landscape (`landscape.py`) sampled at the pixel
centres of the Web Mercator tile (mercantile's bounds), so the same place looks the same at every
zoom and in every tile that covers it. Like ESRI, some tiles have no imagery and answer the
light-grey "Map data not yet available" placeholder (RGB 204,204,204), or a 404 when the request
carries `blankTile=false`:

- at z >= 18, every tile whose stable hash of (z, x, y) is divisible by 53 (`is_no_data_tile`);
- at z >= 17, open ocean: a tile whose centre is water and lies more than 20 km from every
  landmark of the world.

Counter endpoint: "tiles".
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import threading
from collections import OrderedDict

import mercantile
import numpy as np
from PIL import Image, ImageDraw

from rswk.sampleworld.landscape import EARTH_RADIUS_M, WATER, Landscape, landscape_for
from rswk.sampleworld.routes import ROUTES, Request, Response, ServerContext, json_response

TILE_PX = 256
JPEG_QUALITY = 85
PLACEHOLDER_RGB = (204, 204, 204)
PLACEHOLDER_TEXT = "Map data not yet available"
NO_DATA_MIN_ZOOM = 18
NO_DATA_MODULUS = 53
OCEAN_MIN_ZOOM = 17
OCEAN_MIN_DISTANCE_M = 20_000.0
MAX_ZOOM = 23
# Rendered tiles kept per server (~15 KB each): a warm server answers a repeated tile at once,
# so benchmarks can measure the client rather than the renderer.
TILE_CACHE_SIZE = 4096


class TileCache:
    """A small thread-safe LRU of rendered tile bytes keyed by (z, x, y)."""

    def __init__(self, size: int = TILE_CACHE_SIZE) -> None:
        self.size = size
        self._tiles: OrderedDict[tuple[int, int, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, int, int]) -> bytes | None:
        """The cached bytes for `key`, or None."""
        with self._lock:
            body = self._tiles.get(key)
            if body is not None:
                self._tiles.move_to_end(key)
            return body

    def put(self, key: tuple[int, int, int], body: bytes) -> None:
        """Keep `body` for `key`, dropping the least recently used tile when full."""
        with self._lock:
            self._tiles[key] = body
            self._tiles.move_to_end(key)
            while len(self._tiles) > self.size:
                self._tiles.popitem(last=False)


def is_no_data_tile(z: int, x: int, y: int) -> bool:
    """Whether the hash rule marks tile (z, x, y) as having no imagery (z >= 18 only)."""
    if z < NO_DATA_MIN_ZOOM:
        return False
    digest = hashlib.blake2b(f"{z}/{x}/{y}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % NO_DATA_MODULUS == 0


def is_open_ocean_tile(landscape: Landscape, z: int, x: int, y: int) -> bool:
    """Whether tile (z, x, y) at z >= 17 is water far (> 20 km) from every landmark."""
    if z < OCEAN_MIN_ZOOM:
        return False
    centre = mercantile.ul(x + 0.5, y + 0.5, z)
    lon, lat = np.array([centre.lng]), np.array([centre.lat])
    if landscape.surface(lon, lat).cover[0] != WATER:
        return False
    if landscape.lon.size == 0:
        return True
    scale_x = 111_320.0 * math.cos(math.radians(centre.lat))
    dx = (landscape.lon - centre.lng) * scale_x
    dy = (landscape.lat - centre.lat) * 110_574.0
    return bool(np.hypot(dx, dy).min() > OCEAN_MIN_DISTANCE_M)


def tile_lonlat(z: int, x: int, y: int, size: int = TILE_PX) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude (degrees) of the pixel centres of tile (z, x, y) as an open mesh:
    longitudes (1 x size) west to east, latitudes (size x 1) north to south."""
    bounds = mercantile.xy_bounds(x, y, z)
    step_x = (bounds.right - bounds.left) / size
    step_y = (bounds.top - bounds.bottom) / size
    xs = bounds.left + (np.arange(size) + 0.5) * step_x
    ys = bounds.top - (np.arange(size) + 0.5) * step_y
    lon = np.degrees(xs / EARTH_RADIUS_M)
    lat = np.degrees(np.arctan(np.sinh(ys / EARTH_RADIUS_M)))
    return lon[None, :], lat[:, None]


def render_tile(landscape: Landscape, z: int, x: int, y: int) -> bytes:
    """The JPEG bytes of tile (z, x, y) (no placeholder check)."""
    lon, lat = tile_lonlat(z, x, y)
    return encode_jpeg(landscape.aerial_rgb(lon, lat))


def encode_jpeg(pixels: np.ndarray) -> bytes:
    """JPEG bytes (quality 85) of an H x W x 3 uint8 array."""
    buffer = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


@functools.cache
def placeholder_jpeg() -> bytes:
    """ESRI's "Map data not yet available" tile: light grey with the message in darker grey."""
    image = Image.new("RGB", (TILE_PX, TILE_PX), PLACEHOLDER_RGB)
    draw = ImageDraw.Draw(image)
    width = draw.textlength(PLACEHOLDER_TEXT)
    draw.text(((TILE_PX - width) / 2, TILE_PX / 2 - 6), PLACEHOLDER_TEXT, fill=(150, 150, 150))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def _tile_address(request: Request) -> tuple[int, int, int] | None:
    try:
        z, y, x = (int(request.path_params[k]) for k in ("z", "y", "x"))
    except ValueError:
        return None
    if not 0 <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    return z, x, y


@ROUTES.route("/tiles/{z}/{y}/{x}", "tiles", methods=("GET",))
def tile(request: Request, ctx: ServerContext) -> Response:
    """One tile: the rendered JPEG, the placeholder, or 404 (`blankTile=false`, bad address)."""
    address = _tile_address(request)
    if address is None:
        # Same shape and wording as the server's answer to an unknown path.
        info = (
            f"no sample-world service at {request.path} (tiles are /tiles/{{z}}/{{y}}/{{x}} with "
            f"integers z 0-{MAX_ZOOM}, x and y 0 to 2^z - 1)"
        )
        return json_response({"error": {"code": "404", "info": info}}, 404)
    z, x, y = address
    landscape = landscape_for(ctx)
    if is_no_data_tile(z, x, y) or is_open_ocean_tile(landscape, z, x, y):
        if (request.param("blankTile") or "").lower() == "false":
            return json_response({"error": {"code": 404, "message": "Tile not found"}}, 404)
        return Response(headers={"Content-Type": "image/jpeg"}, body=placeholder_jpeg(), items=1)
    cache = ctx.memo("tile_cache", TileCache)
    body = cache.get(address)
    if body is None:
        body = render_tile(landscape, z, x, y)
        cache.put(address, body)
    return Response(headers={"Content-Type": "image/jpeg"}, body=body, items=1)


ROUTES.add_url("tiles", lambda base: f"{base}/tiles/{{z}}/{{y}}/{{x}}")
