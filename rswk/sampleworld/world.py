"""The sample world's content: landmarks with Wikipedia-like articles and Wikidata-like claims.

A world is either the bundled one (real landmarks, `data/bundled_world.yaml`) or a generated one
(`generated.py`). The server (`server.py`) only reads a `World`; it never invents content.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rswk.sampleworld.vocabulary import OTHER, RSWK_CLASSES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entity(_Strict):
    """A Wikidata item referenced by a claim (architect, style, heritage status, event, place,
    person)."""

    qid: str
    labels: dict[str, str]
    classes: list[str] = Field(default_factory=list)  # P31: Q5 for people, divisions' classes
    located_in: Entity | None = None  # P131, for places: the chain up to the country
    # Article titles per edition (people the landmark's articles link to have them).
    sitelinks: dict[str, str] = Field(default_factory=dict)


class SignificantEvent(_Strict):
    """A P793 (significant event) value with its P585 (point in time) qualifier, if any."""

    qid: str
    labels: dict[str, str]
    year: int | None = None
    participants: list[Entity] = Field(default_factory=list)  # P710 qualifiers


class Article(_Strict):
    """One Wikipedia article in one language edition.

    `text` is the plain-text extract exactly as MediaWiki returns it with
    `explaintext=1&exsectionformat=wiki`: the intro, then each section as
    "\\n\\n== Heading ==\\n" followed by its text (sub-sections use "===").
    """

    title: str
    pageid: int
    revid: int
    text: str
    has_coordinates: bool = True
    disambiguation: bool = False
    # The sitelink still names this title but the wiki has no such page (deleted): MediaWiki
    # answers it as missing while Wikidata and SPARQL keep listing it.
    missing: bool = False
    # Titles that redirect to this one (MediaWiki answers them under "redirects").
    redirects_from: list[str] = Field(default_factory=list)


class WorldLandmark(_Strict):
    """A landmark as the sample world's Wikidata and Wikipedia know it."""

    qid: str
    country: str  # ISO 3166-1 alpha-2 (P17 is derived from it)
    lat: float | None  # P625; None for the "no coordinates anywhere" trap
    lon: float | None
    classes: list[str]  # P31 values (class QIDs)
    sitelinks: int
    labels: dict[str, str]
    descriptions: dict[str, str] = Field(default_factory=dict)
    located_in: Entity | None = None  # P131: city / administrative area
    address: str | None = None  # P6375 street address
    inception: int | None = None  # P571 as a year (negative = BCE)
    inception_precision: int = 9  # Wikidata time precision: 9 year, 8 decade, 7 century
    inception_circa: bool = False  # P571 qualified P1480 = circa
    start_year: int | None = None  # P580
    end_year: int | None = None  # P582
    opening_year: int | None = None  # P1619 official opening
    dissolved_year: int | None = None  # P576 dissolved / demolished
    uses: list[Entity] = Field(default_factory=list)  # P366 has use
    occupants: list[Entity] = Field(default_factory=list)  # P466 occupant
    # Items the articles link to (people, places...); an article's `prop=links` lists the
    # titles they have in its edition. Not a Wikidata claim of the landmark.
    linked: list[Entity] = Field(default_factory=list)
    # The class QID this landmark truly is (what its category should be), for accuracy tests.
    true_class: str | None = None
    architects: list[Entity] = Field(default_factory=list)  # P84
    styles: list[Entity] = Field(default_factory=list)  # P149
    heritage: list[Entity] = Field(default_factory=list)  # P1435
    area_m2: float | None = None  # P2046
    height_m: float | None = None  # P2048
    events: list[SignificantEvent] = Field(default_factory=list)  # P793 (+P585)
    articles: dict[str, Article] = Field(default_factory=dict)  # by language code
    # Free-text note on the deliberate trap this landmark embodies (bundled world only).
    trap: str | None = None


CoverName = Literal["water", "vegetation", "bare", "built_up", "snow"]
VegetationName = Literal[
    "tree_cover",
    "shrubland",
    "grassland",
    "cropland",
    "herbaceous_wetland",
    "mangroves",
    "moss_and_lichen",
]  # fmt: skip  (the ESA WorldCover classes that are vegetation)
SettingName = Literal[
    "urban", "coast", "forest", "park", "mountain", "desert", "airfield", "campus", "arena",
    "river", "rural",
]  # fmt: skip


class TruthOverride(_Strict):
    """What a landmark's place really is like, where the derived design would be implausible
    (bundled world: `data/bundled_truth.yaml`). Every field is optional; see `site_design.py`."""

    setting: SettingName | None = None
    true_class: str | None = None
    elevation_m: float | None = Field(default=None, ge=-500.0, le=9000.0)
    surroundings: dict[CoverName, float] | None = None
    footprint_side_m: float | None = Field(default=None, gt=0.0)
    footprint_cover: CoverName | None = None
    vegetation: VegetationName | None = None
    temperature_mean_c: float | None = None
    precipitation_mm_per_year: float | None = Field(default=None, ge=0.0)
    note: str | None = None

    @field_validator("true_class")
    @classmethod
    def _rswk_class(cls, value: str | None) -> str | None:
        known = (*RSWK_CLASSES, OTHER)
        if value is not None and value not in known:
            raise ValueError(f"true_class must be one of {', '.join(known)} (got {value!r})")
        return value

    @field_validator("surroundings")
    @classmethod
    def _shares(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None and (min(value.values(), default=0.0) < 0 or sum(value.values()) <= 0):
            raise ValueError(f"surroundings must be shares >= 0 with a positive sum (got {value})")
        return value


class World(_Strict):
    """All landmarks the server knows, plus the class labels the SPARQL endpoint answers with."""

    name: str
    landmarks: list[WorldLandmark]
    class_labels: dict[str, str] = Field(default_factory=dict)  # class QID -> English label
    # Per-landmark corrections of the derived ground truth, by QID (site_design.py).
    truth_overrides: dict[str, TruthOverride] = Field(default_factory=dict)
