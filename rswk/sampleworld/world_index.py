"""Lookup tables over a `World`, built once per server: titles, redirects, QIDs, entity labels."""

from __future__ import annotations

from dataclasses import dataclass

from rswk.sampleworld.country_qids import country_label, country_qid
from rswk.sampleworld.routes import ServerContext
from rswk.sampleworld.vocabulary import class_labels
from rswk.sampleworld.world import Article, Entity, SignificantEvent, World, WorldLandmark


def normalize_title(title: str) -> str:
    """MediaWiki's title normalisation for the main namespace: '_' -> ' ', trimmed, first
    letter upper-cased."""
    text = " ".join(title.replace("_", " ").split())
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class PageRef:
    """One article in one language edition, with the landmark it describes."""

    lang: str
    article: Article
    landmark: WorldLandmark


@dataclass(frozen=True)
class EntityInfo:
    """A non-landmark Wikidata item the world refers to (class, country, architect, event...)."""

    qid: str
    labels: dict[str, str]
    iso2: str | None = None  # set for country items (they carry P297)
    classes: tuple[str, ...] = ()  # P31
    located_in: str | None = None  # P131
    sitelinks: tuple[tuple[str, str], ...] = ()  # (edition, title)


class WorldIndex:
    """Read-only indexes the services answer from."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.landmarks: dict[str, WorldLandmark] = {lm.qid: lm for lm in world.landmarks}
        self.pages: dict[tuple[str, str], PageRef] = {}
        self.pages_by_id: dict[tuple[str, int], PageRef] = {}
        self.redirects: dict[tuple[str, str], str] = {}
        self.by_country: dict[str, list[WorldLandmark]] = {}
        for landmark in world.landmarks:
            self.by_country.setdefault(landmark.country.upper(), []).append(landmark)
            for lang, article in landmark.articles.items():
                if article.missing:
                    continue
                ref = PageRef(lang, article, landmark)
                self.pages[(lang, normalize_title(article.title))] = ref
                self.pages_by_id[(lang, article.pageid)] = ref
                for source in article.redirects_from:
                    self.redirects[(lang, normalize_title(source))] = article.title
        self.entities = self._referenced_entities(world)
        # (edition, title) -> item, for wbgetentities by `sites`/`titles` of linked pages.
        self.titled: dict[tuple[str, str], str] = {
            (lang, normalize_title(title)): info.qid
            for info in self.entities.values()
            for lang, title in info.sitelinks
        }

    def _referenced_entities(self, world: World) -> dict[str, EntityInfo]:
        found: dict[str, EntityInfo] = {}
        for qid, label in {**class_labels(), **world.class_labels}.items():
            found[qid] = EntityInfo(qid, {"en": label})
        for landmark in world.landmarks:
            qid = country_qid(landmark.country)
            found[qid] = EntityInfo(qid, {"en": country_label(landmark.country)}, landmark.country)
            refs: list[Entity | SignificantEvent] = [
                *landmark.architects,
                *landmark.styles,
                *landmark.heritage,
                *landmark.events,
                *landmark.uses,
                *landmark.occupants,
                *landmark.linked,
            ]
            refs += [p for event in landmark.events for p in event.participants]
            place = landmark.located_in
            while place is not None:  # the P131 chain, each division once
                refs.append(place)
                place = place.located_in
            for ref in refs:
                info = _info(ref)
                known = found.get(ref.qid)
                # An event that articles also link to: keep the entry that has its sitelinks.
                if known is None or (info.sitelinks and not known.sitelinks):
                    found[ref.qid] = info
        for qid in self.landmarks:
            found.pop(qid, None)
        return found

    def page(self, lang: str, title: str) -> PageRef | None:
        """The article with this (normalised) title in edition `lang`, if any."""
        return self.pages.get((lang, normalize_title(title)))


def _info(ref: Entity | SignificantEvent) -> EntityInfo:
    if isinstance(ref, SignificantEvent):
        return EntityInfo(ref.qid, dict(ref.labels))
    parent = ref.located_in.qid if ref.located_in is not None else None
    return EntityInfo(
        ref.qid,
        dict(ref.labels),
        classes=tuple(ref.classes),
        located_in=parent,
        sitelinks=tuple(sorted(ref.sitelinks.items())),
    )


def world_index(ctx: ServerContext) -> WorldIndex:
    """The server's index, built on first use."""
    return ctx.memo("world-index", lambda: WorldIndex(ctx.world))
