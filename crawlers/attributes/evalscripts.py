"""The evalscripts the attributes stage sends to the Statistical API, and the outputs they name.

Sentinel-2 L2A bands are requested in reflectance units (0-1), the default for L2A, so no digital
numbers are ever divided here. Cloud, cloud shadow and cirrus pixels (scene classification SCL 3,
8, 9, 10) get NaN indices and reflectance, which the Statistical API leaves out of the statistics;
`scene` says per pixel whether it was clear or cloudy, so the monthly clear and cloud shares come
from the same request. `dataMask` marks pixels that were observed at all.
"""

from __future__ import annotations

from rswk.core.landcover import WORLDCOVER_CLASSES

S2_INDEX_OUTPUT = "indices"
S2_INDEX_BANDS = ("NDVI", "NDWI", "NDBI")
S2_REFLECTANCE_OUTPUT = "reflectance"
S2_REFLECTANCE_BANDS = ("B02", "B03", "B04", "B08", "B11", "B12")
S2_SCENE_OUTPUT = "scene"
S2_SCENE_BANDS = ("CLEAR", "CLOUD")

SENTINEL2_MONTHLY = """//VERSION=3
// RSWK attributes: spectral indices, reflectance and clear/cloud shares (Sentinel-2 L2A).
function setup() {
  return {
    input: [{bands: ["B02", "B03", "B04", "B08", "B11", "B12", "SCL", "dataMask"]}],
    output: [
      {id: "indices", bands: ["NDVI", "NDWI", "NDBI"], sampleType: "FLOAT32"},
      {id: "reflectance", bands: ["B02", "B03", "B04", "B08", "B11", "B12"],
       sampleType: "FLOAT32"},
      {id: "scene", bands: ["CLEAR", "CLOUD"], sampleType: "FLOAT32"},
      {id: "dataMask", bands: 1}
    ]
  };
}
function normalised(a, b) {
  return a + b === 0 ? NaN : (a - b) / (a + b);
}
function evaluatePixel(s) {
  var cloudy = [3, 8, 9, 10].indexOf(s.SCL) >= 0 ? 1 : 0;
  var clear = s.dataMask === 1 && cloudy === 0;
  var indices = clear
    ? [normalised(s.B08, s.B04), normalised(s.B03, s.B08), normalised(s.B11, s.B08)]
    : [NaN, NaN, NaN];
  var reflectance = clear ? [s.B02, s.B03, s.B04, s.B08, s.B11, s.B12]
                          : [NaN, NaN, NaN, NaN, NaN, NaN];
  return {
    indices: indices,
    reflectance: reflectance,
    scene: [clear ? 1 : 0, cloudy],
    dataMask: [s.dataMask]
  };
}
"""

ELEVATION_OUTPUT = "elevation"
ELEVATION_BAND = "DEM"
ELEVATION = """//VERSION=3
// RSWK attributes: mean terrain height in metres (Copernicus DEM).
function setup() {
  return {
    input: [{bands: ["DEM", "dataMask"]}],
    output: [{id: "elevation", bands: ["DEM"], sampleType: "FLOAT32"}, {id: "dataMask", bands: 1}]
  };
}
function evaluatePixel(s) {
  return {elevation: [s.DEM], dataMask: [s.dataMask]};
}
"""

# ESA WorldCover 10 m classes (band `Map`), one output band per class: the mean of a band is the
# share of the buffer in that class, and the largest share names the landmark's land cover.
LAND_COVER_OUTPUT = "land_cover"
LAND_COVER_CLASSES = WORLDCOVER_CLASSES


def land_cover_evalscript() -> str:
    """One-hot shares of the WorldCover classes (band names are the class names)."""
    codes = list(LAND_COVER_CLASSES)
    names = ", ".join(f'"{name}"' for name in LAND_COVER_CLASSES.values())
    return f"""//VERSION=3
// RSWK attributes: land cover class shares (ESA WorldCover classes).
var CODES = {codes};
function setup() {{
  return {{
    input: [{{bands: ["Map", "dataMask"]}}],
    output: [{{id: "land_cover", bands: [{names}], sampleType: "FLOAT32"}},
             {{id: "dataMask", bands: 1}}]
  }};
}}
function evaluatePixel(s) {{
  return {{land_cover: CODES.map(function (c) {{ return s.Map === c ? 1 : 0; }}),
          dataMask: [s.dataMask]}};
}}
"""


LST_OUTPUT = "lst"
LST_BAND = "LST_C"
LAND_SURFACE_TEMPERATURE = """//VERSION=3
// RSWK attributes: daytime land surface temperature in degrees Celsius (band LST in kelvin).
function setup() {
  return {
    input: [{bands: ["LST", "dataMask"]}],
    output: [{id: "lst", bands: ["LST_C"], sampleType: "FLOAT32"}, {id: "dataMask", bands: 1}]
  };
}
function evaluatePixel(s) {
  return {lst: [s.LST - 273.15], dataMask: [s.dataMask]};
}
"""
