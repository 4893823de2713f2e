"""The locate stage's output: a checked coordinate, resolved article titles and page ids."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from rswk.core.records.base import Frozen, KeyedRecord, Provenance
from rswk.core.records.claims import EntityClaim

# The Wikidata properties later stages read (knowledge: inception, architect, style, heritage,
# area, height, significant events, located in, address; curation: part of, has part). Locate
# fetched the entity already, so it hands these claims on and knowledge does not ask again.
ENTITY_PROPERTIES = (
    "P31",
    "P17",
    "P131",
    "P571",
    "P84",
    "P149",
    "P1435",
    "P2046",
    "P2048",
    "P793",
    "P6375",
    "P361",
    "P527",
)


class ArticleRef(Frozen):
    """One resolved Wikipedia article (after redirects) and the revision its text comes from."""

    language: str
    title: str
    pageid: int
    revid: int
    requested_title: str
    lat: float | None = None
    lon: float | None = None
    # Page size in bytes (MediaWiki prop=info `length`), when known: lets the knowledge stage
    # skip a stub edition without fetching it.
    length: int | None = Field(default=None, ge=0)


class LocatedLandmark(KeyedRecord):
    """Where a landmark is, which source said so, and how far the two sources disagree."""

    label: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    coordinate_source: Literal["wikidata:P625", "wikipedia:coordinates"]
    # Distance between Wikidata P625 and the article's primary coordinate, when both exist.
    sources_disagree_m: float | None = Field(default=None, ge=0)
    disagreement_over_1km: bool = False
    # Distance to the claimed country's polygon (0 = inside); coastal landmarks sit just outside.
    distance_to_country_m: float = Field(ge=0)
    # Country-check findings that do not reject: `territory:GL`, `at_sea`, `disputed:...`.
    country_flags: list[str] = Field(default_factory=list)
    articles: list[ArticleRef] = Field(default_factory=list)
    entity_revision: int
    # The entity's ENTITY_PROPERTIES statements, typed (`claims_to_wikidata` gives back the
    # wbgetentities shape), and its labels by language.
    entity_claims: list[EntityClaim] = Field(default_factory=list)
    entity_labels: dict[str, str] = Field(default_factory=dict)
    # QIDs of other landmarks at the same place with the same name (curation resolves them).
    possible_duplicates: list[str] = Field(default_factory=list)
    provenance: Provenance
    article_provenance: list[Provenance] = Field(default_factory=list)
