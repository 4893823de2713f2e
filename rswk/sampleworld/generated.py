"""Generated worlds of any size: landmarks in every country, each point inside its polygon.

By default every Natural Earth country that pycountry knows (about 238) gets at least one
landmark when `n_landmarks` allows; the rest are shared by sqrt(area). Given `quotas` (a
crawler's per-country quotas, as plain data), the world is shaped by them instead
(`quota_placement.py`): N is what a crawl can keep, shared by quota, and each country gets a
margin on top, with classes dealt per country so every class is offered evenly. Ids are
synthetic and far above real Wikidata ids: landmarks `Q9xxxxxxxx`, referenced items `Q97…`,
unknown countries `Q98…`. The same (n_landmarks, seed, countries, quotas) gives the same world.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

import numpy as np
import pycountry
import shapely
from babel.languages import get_official_languages

from rswk.sampleworld.country_qids import country_label
from rswk.sampleworld.errors import SampleWorldError
from rswk.sampleworld.generated_text import (
    EVENTS,
    HERITAGE,
    STYLES,
    Facts,
    english_article,
    local_article,
    made_up_name,
)
from rswk.sampleworld.geography import CountryMap
from rswk.sampleworld.quota_placement import CountryDemand, plan_by_quota
from rswk.sampleworld.vocabulary import (
    GENERATED_CLASS_OF,
    GENERIC_CLASSES,
    RSWK_CLASSES,
    WORLD_CLASSES,
    class_labels,
)
from rswk.sampleworld.world import Article, Entity, SignificantEvent, World, WorldLandmark

LANDMARK_QID_BASE = 900_000_000
ENTITY_QID_BASE = 970_000_000
CITIES_PER_COUNTRY = 5
SECOND_LANGUAGE_P = 0.3
# Share of landmarks that also carry a generic class (tourist attraction, landmark), as many
# real items do.
GENERIC_CLASS_P = 0.5


def generate_world(
    n_landmarks: int,
    seed: int,
    countries: list[str] | None = None,
    quotas: Mapping[str, CountryDemand] | None = None,
) -> World:
    """A world of `n_landmarks` over `countries` (default: every country with a polygon that
    pycountry knows), deterministic for `seed`; with `quotas`, N landmarks a crawl with those
    quotas can keep, plus margins (module docstring). Countries in `quotas` without a polygon
    get none: `quota_placement.plan_by_quota(...).unplaceable` lists them."""
    if n_landmarks < 0:
        raise SampleWorldError(f"generated world: landmarks must be >= 0 (got {n_landmarks})")
    if quotas is not None and countries is not None:
        raise SampleWorldError("generated world: give countries or quotas, not both")
    borders = CountryMap.load()
    rng = np.random.default_rng(seed)
    if quotas is None:
        isos = _countries(borders, countries)
        allocation = _allocate(n_landmarks, isos, _weights(borders, isos), rng)
    else:
        allocation = plan_by_quota(n_landmarks, quotas, _countries(borders, None)).counts
        isos = sorted(allocation)
    landmarks: list[WorldLandmark] = []
    titles: set[str] = set()
    deck: list[str] = []
    for iso2 in isos:
        if quotas is not None:
            deck = []  # a fresh deck per country: each class offered floor(count / 16) times
        for lat, lon in borders.random_points_in(iso2, allocation[iso2], rng):
            if not deck:
                # Classes are dealt from shuffled decks of all 16, so every class occurs as
                # soon as there are 16 landmarks and the classes stay balanced.
                deck = [RSWK_CLASSES[i] for i in rng.permutation(len(RSWK_CLASSES))]
            rswk_class = deck.pop()
            landmarks.append(_landmark(len(landmarks), iso2, lat, lon, rswk_class, rng, titles))
    return World(
        name=f"generated-{n_landmarks}-seed{seed}{'-by-quota' if quotas is not None else ''}",
        landmarks=landmarks,
        class_labels=class_labels(),
    )


def placeable_countries() -> list[str]:
    """The ISO codes a generated world can place landmarks in (a polygon pycountry knows)."""
    return _countries(CountryMap.load(), None)


def _countries(borders: CountryMap, wanted: list[str] | None) -> list[str]:
    known = [c for c in borders.iso_codes() if pycountry.countries.get(alpha_2=c) is not None]
    if wanted is None:
        return known
    chosen = sorted({c.upper() for c in wanted})
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise SampleWorldError(
            f"generated world: no polygon for country {', '.join(unknown)}; "
            f"use ISO 3166-1 alpha-2 codes such as FR, US, JP"
        )
    return chosen


def _weights(borders: CountryMap, isos: list[str]) -> np.ndarray:
    """sqrt of the approximate area (degree area scaled by cos latitude)."""
    geoms = [borders.polygon(c) for c in isos]
    areas = shapely.area(geoms) * np.cos(np.radians(shapely.get_y(shapely.centroid(geoms))))
    return np.sqrt(np.maximum(areas, 1e-6))


def _allocate(
    n: int, isos: list[str], weights: np.ndarray, rng: np.random.Generator
) -> dict[str, int]:
    """One landmark per country first (if n allows), the rest by weight, largest remainder."""
    if n < len(isos):
        picked = set(rng.choice(len(isos), size=n, replace=False, p=weights / weights.sum()))
        return {c: int(i in picked) for i, c in enumerate(isos)}
    share = weights / weights.sum() * (n - len(isos))
    counts = np.floor(share).astype(int)
    remainder = n - len(isos) - int(counts.sum())
    for i in np.argsort(-(share - counts), kind="stable")[:remainder]:
        counts[i] += 1
    return {c: 1 + int(counts[i]) for i, c in enumerate(isos)}


def _landmark(
    i: int,
    iso2: str,
    lat: float,
    lon: float,
    rswk_class: str,
    rng: np.random.Generator,
    titles: set[str],
) -> WorldLandmark:
    qid = f"Q{LANDMARK_QID_BASE + i + 1}"
    own = GENERATED_CLASS_OF[rswk_class]
    classes = [own]
    if rng.random() < GENERIC_CLASS_P:
        classes.append(GENERIC_CLASSES[int(rng.integers(0, len(GENERIC_CLASSES)))])
    class_label = WORLD_CLASSES[own].label
    name = _unique(f"{made_up_name(rng)} {class_label.title()}", iso2, i, titles)
    city = _city(iso2, int(rng.integers(0, CITIES_PER_COUNTRY)))
    facts, entities = _facts(name, class_label, city, iso2, rng)
    articles = {"en": _article(name, i, 10_000_000, english_article(facts))}
    lang = _second_language(iso2)
    if lang is not None and rng.random() < SECOND_LANGUAGE_P:
        articles[lang] = _article(name, i, 20_000_000, local_article(facts, lang))
    return WorldLandmark(
        qid=qid,
        country=iso2,
        lat=round(lat, 6),
        lon=round(lon, 6),
        classes=classes,
        sitelinks=int(min(400, 1 + rng.lognormal(2.5, 1.0))),
        labels={lang: name for lang in articles},
        descriptions={"en": f"{class_label} in {country_label(iso2)}"},
        located_in=city,
        inception=facts.inception,
        architects=entities["architects"],
        styles=entities["styles"],
        heritage=entities["heritage"],
        area_m2=facts.area_m2,
        height_m=facts.height_m,
        events=[
            SignificantEvent(
                qid=_entity_qid("event", EVENTS.index(label)), labels={"en": label}, year=year
            )
            for label, year in facts.events
        ],
        articles=articles,
    )


def _facts(
    name: str, class_label: str, city: Entity, iso2: str, rng: np.random.Generator
) -> tuple[Facts, dict[str, list[Entity]]]:
    """Claims drawn for one landmark, and the entities (architect, style, heritage) they use."""
    inception = int(max(-3000, 2020 - rng.gamma(2.0, 250.0))) if rng.random() < 0.7 else None
    architect = made_up_name(rng) + " " + made_up_name(rng) if rng.random() < 0.4 else None
    style = STYLES[int(rng.integers(0, len(STYLES)))] if rng.random() < 0.6 else None
    heritage = HERITAGE[int(rng.integers(0, len(HERITAGE)))] if rng.random() < 0.5 else None
    height = round(float(rng.lognormal(3.3, 0.8)), 1) if rng.random() < 0.5 else None
    area = round(float(rng.lognormal(8.0, 1.5)), 0) if rng.random() < 0.5 else None
    events = []
    for _ in range(int(rng.integers(0, 3))):
        start = inception if inception is not None else 1800
        year = int(rng.integers(start, 2025)) if rng.random() < 0.8 else None
        events.append((EVENTS[int(rng.integers(0, len(EVENTS)))], year))
    facts = Facts(
        name, class_label, city.labels["en"], country_label(iso2), inception, architect, style,
        heritage, height, area, tuple(events),
    )  # fmt: skip
    entities = {
        "architects": [_person(architect)] if architect else [],
        "styles": [_named("style", STYLES, style, "architecture")] if style else [],
        "heritage": [_named("heritage", HERITAGE, heritage, "")] if heritage else [],
    }
    return facts, entities


_ENTITY_KINDS = {"event": 0, "style": 1, "heritage": 2, "city": 3, "person": 4}


def _entity_qid(kind: str, number: int) -> str:
    """Referenced items: Q97 + kind digit + a 6-digit number."""
    return f"Q{ENTITY_QID_BASE + _ENTITY_KINDS[kind] * 1_000_000 + number}"


def _named(kind: str, pool: tuple[str, ...], label: str, suffix: str) -> Entity:
    text = f"{label} {suffix}".strip()
    return Entity(qid=_entity_qid(kind, pool.index(label)), labels={"en": text})


def _person(name: str) -> Entity:
    digest = sum((i + 1) * ord(ch) for i, ch in enumerate(name)) % 999_983
    return Entity(qid=_entity_qid("person", digest), labels={"en": name})


@lru_cache(maxsize=4096)
def _city(iso2: str, number: int) -> Entity:
    country = pycountry.countries.get(alpha_2=iso2)
    numeric = int(country.numeric) if country is not None else 0
    rng = np.random.default_rng([numeric, number])
    return Entity(
        qid=_entity_qid("city", numeric * 10 + number),
        labels={"en": made_up_name(rng) + ("ville" if number % 2 else "")},
    )


@lru_cache(maxsize=512)
def _second_language(iso2: str) -> str | None:
    """The country's first official language with a two-letter Wikipedia code, if not English."""
    for lang in get_official_languages(iso2):
        if len(lang) == 2 and lang != "en":
            return str(lang)
    return None


def _article(title: str, i: int, pageid_base: int, text: str) -> Article:
    return Article(title=title, pageid=pageid_base + i, revid=1_200_000_000 + 3 * i, text=text)


def _unique(name: str, iso2: str, i: int, taken: set[str]) -> str:
    """Titles are unique per edition, as on Wikipedia: disambiguate by country, then by number."""
    for candidate in (name, f"{name} ({country_label(iso2)})", f"{name} ({i})"):
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("unreachable: the numbered title is unique")
