"""A small World built by code for the server tests (independent of the bundled data file).

It holds each trap the services must render: a redirect, a disambiguation page, a landmark
without coordinates, an article without coordinates, a second language edition, and `filler`
extra French landmarks for batching and LIMIT tests.
"""

from __future__ import annotations

from rswk.sampleworld.world import Article, Entity, SignificantEvent, World, WorldLandmark

EIFFEL_TEXT = (
    "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris, France."
    "\n\n\n== History ==\n"
    "In 1887 construction began for the 1889 World's Fair."
    "\n\n\n== Architecture ==\n"
    "The tower is 330 metres tall."
    "\n\n\n=== Lighting ===\n"
    "In 1985 a new lighting system was installed."
)
TOUR_TEXT = (
    "La tour Eiffel est une tour de fer puddlé de 330 mètres de hauteur."
    "\n\n\n== Histoire ==\n"
    "En 1887 commence la construction."
)


def _article(title: str, pageid: int, text: str, **extra: object) -> Article:
    return Article(title=title, pageid=pageid, revid=pageid * 10 + 7, text=text, **extra)


def _eiffel() -> WorldLandmark:
    return WorldLandmark(
        qid="Q243",
        country="FR",
        lat=48.858222,
        lon=2.2945,
        classes=["Q12518", "Q570116"],
        sitelinks=180,
        labels={"en": "Eiffel Tower", "fr": "tour Eiffel"},
        descriptions={"en": "tower in Paris, France"},
        located_in=Entity(qid="Q90", labels={"en": "Paris"}),
        address="5 avenue Anatole-France",
        inception=1887,
        architects=[Entity(qid="Q20882", labels={"en": "Gustave Eiffel"})],
        styles=[Entity(qid="Q900001", labels={"en": "structural expressionism"})],
        heritage=[Entity(qid="Q900002", labels={"en": "monument historique"})],
        area_m2=15625.0,
        height_m=330.0,
        events=[
            SignificantEvent(qid="Q900003", labels={"en": "opening"}, year=1889),
            SignificantEvent(qid="Q900004", labels={"en": "renovation"}),
        ],
        articles={
            "en": _article("Eiffel Tower", 9232, EIFFEL_TEXT, redirects_from=["Tour Eiffel"]),
            "fr": _article("Tour Eiffel", 1359783, TOUR_TEXT),
        },
    )


def _others() -> list[WorldLandmark]:
    liberty = WorldLandmark(
        qid="Q9202",
        country="US",
        lat=40.689167,
        lon=-74.044444,
        classes=["Q179700"],
        sitelinks=150,
        labels={"en": "Statue of Liberty"},
        inception=-500,
        articles={"en": _article("Statue of Liberty", 27610, "A statue in New York Harbor.")},
    )
    nowhere = WorldLandmark(
        qid="Q900010",
        country="FR",
        lat=None,
        lon=None,
        classes=["Q4989906"],
        sitelinks=12,
        labels={"fr": "Monument sans lieu"},
        articles={"en": _article("Nowhere Monument", 900010, "No coordinates anywhere.")},
    )
    mercury = WorldLandmark(
        qid="Q900011",
        country="FR",
        lat=45.0,
        lon=5.0,
        classes=["Q12518"],
        sitelinks=30,
        labels={"en": "Mercury Tower"},
        articles={
            "en": _article(
                "Mercury Tower", 900011, "Mercury Tower may refer to:", disambiguation=True
            )
        },
    )
    uncoded = WorldLandmark(
        qid="Q900012",
        country="FR",
        lat=44.0,
        lon=4.0,
        classes=["Q23413"],
        sitelinks=30,
        labels={"en": "Quiet Castle"},
        articles={"en": _article("Quiet Castle", 900012, "A castle.", has_coordinates=False)},
    )
    return [liberty, nowhere, mercury, uncoded]


def _filler(count: int) -> list[WorldLandmark]:
    landmarks = []
    for i in range(count):
        qid = f"Q95{i:05d}"
        title = f"Filler church {i}"
        landmarks.append(
            WorldLandmark(
                qid=qid,
                country="FR",
                lat=46.0 + i * 0.01,
                lon=2.0 + i * 0.01,
                classes=["Q16970"],
                sitelinks=1 + (i * 7) % 40,
                labels={"en": title},
                articles={"en": _article(title, 950000 + i, f"{title} is a church.")},
            )
        )
    return landmarks


def tiny_world(filler: int = 0) -> World:
    """The test world; `filler` adds that many French churches."""
    return World(
        name="tiny",
        landmarks=[_eiffel(), *_others(), *_filler(filler)],
        class_labels={"Q12518": "tower"},
    )
