"""ESA WorldCover 10 m land-cover classes (the `Map` band): code -> RSWK class name.

One table for the attributes stage, which reads land-cover answers, and for the sample world,
which produces them.
"""

WORLDCOVER_CLASSES: dict[int, str] = {
    10: "tree_cover",
    20: "shrubland",
    30: "grassland",
    40: "cropland",
    50: "built_up",
    60: "bare_sparse_vegetation",
    70: "snow_and_ice",
    80: "permanent_water",
    90: "herbaceous_wetland",
    95: "mangroves",
    100: "moss_and_lichen",
}
