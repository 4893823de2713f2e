"""Names and article text for generated landmarks: templated, dated, deterministic given an rng."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SYLLABLES = (
    "ka", "lo", "ri", "sa", "ven", "mar", "tel", "or", "an", "bel", "dun", "esk", "fir", "gal",
    "hal", "ist", "jor", "kel", "lum", "nor", "pra", "qui", "ros", "tam", "ul", "vin", "wes",
    "yar", "zan", "mi", "do", "re", "ta", "sen", "cor", "ath", "bra", "lin", "mon", "sel",
)  # fmt: skip
STYLES = (
    "Gothic", "Baroque", "Romanesque", "Neoclassical", "Art Deco", "Modernist", "Brutalist",
    "Byzantine", "Moorish", "Vernacular", "Colonial", "Renaissance",
)  # fmt: skip
HERITAGE = ("national monument", "protected heritage site", "listed building", "cultural property")
EVENTS = ("opening", "restoration", "great fire", "earthquake damage", "renovation", "state visit")


def made_up_name(rng: np.random.Generator) -> str:
    """A pronounceable invented word of two or three syllables, capitalised."""
    count = 2 + int(rng.integers(0, 2))
    picks = rng.integers(0, len(SYLLABLES), count)
    return "".join(SYLLABLES[i] for i in picks).capitalize()


@dataclass(frozen=True)
class Facts:
    """What an article says about a landmark (everything optional but name, class, place)."""

    name: str
    class_label: str
    city: str
    country: str
    inception: int | None
    architect: str | None
    style: str | None
    heritage: str | None
    height_m: float | None
    area_m2: float | None
    events: tuple[tuple[str, int | None], ...]


def _year(year: int) -> str:
    return f"{-year} BC" if year < 0 else str(year)


def english_article(facts: Facts) -> str:
    """Intro, then History / Architecture / Culture sections in MediaWiki plain-text layout."""
    intro = (
        f"{facts.name} is a {facts.class_label} in {facts.city}, {facts.country}. "
        f"It is one of the best-known landmarks of {facts.country}."
    )
    history = []
    if facts.inception is not None:
        builder = f" to plans by {facts.architect}" if facts.architect else ""
        history.append(f"In {_year(facts.inception)} work on {facts.name} began{builder}.")
    for label, year in facts.events:
        when = f"In {_year(year)}" if year is not None else "Later"
        history.append(f"{when} the {facts.name} saw its {label}.")
    if not history:
        history.append(f"The origins of {facts.name} are not recorded.")
    architecture = [f"The {facts.class_label} is built in the {facts.style or 'local'} style."]
    if facts.height_m is not None:
        architecture.append(f"It rises {facts.height_m:g} metres.")
    if facts.area_m2 is not None:
        architecture.append(f"It covers {facts.area_m2:g} square metres.")
    culture = f"{facts.name} is a symbol of {facts.city}."
    if facts.heritage:
        culture += f" It is protected as a {facts.heritage}."
    return _layout(
        intro,
        [("History", " ".join(history)), ("Architecture", " ".join(architecture)),
         ("Culture", culture)],
    )  # fmt: skip


def local_article(facts: Facts, lang: str) -> str:
    """A shorter article for a second language edition (the text stays English-like)."""
    intro = f"{facts.name} ({lang}): {facts.class_label}, {facts.city}, {facts.country}."
    sections = []
    if facts.inception is not None:
        sections.append(("History", f"In {_year(facts.inception)} {facts.name} was founded."))
    return _layout(intro, sections)


def _layout(intro: str, sections: list[tuple[str, str]]) -> str:
    """The layout of `explaintext=1&exsectionformat=wiki` extracts: '\\n\\n\\n== H ==\\n'."""
    return intro + "".join(f"\n\n\n== {heading} ==\n{body}" for heading, body in sections)
