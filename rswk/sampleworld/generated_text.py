"""Names and article text for generated landmarks: templated, dated, deterministic given an rng."""

from __future__ import annotations

import zlib
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

# The sample world's own heading vocabulary, as real Wikipedia editions write them: each plain
# heading an article was drafted with may appear as any of its variants. It is the world's list,
# not the knowledge extractor's: some variants ("Description", "Present day") map to no field.
HEADING_VOCABULARY: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "History": ("History", "History", "Background", "History and construction"),
        "Architecture": ("Architecture", "Description", "Architecture and design", "Layout"),
        "Design": ("Design", "Design and construction", "Structure", "Design and engineering"),
        "Construction": ("Construction", "Design and construction", "Building"),
        "Culture": ("Culture", "In popular culture", "Cultural significance", "Legacy"),
        "Significance": ("Significance", "Legacy", "Recognition", "Cultural impact"),
        "Visitors": ("Visitors", "Tourism", "Visiting", "Notable visitors"),
        "Geography": ("Geography", "Location", "Setting"),
        "Events": ("Events", "Notable events", "Timeline"),
    },
    "fr": {
        "Histoire": ("Histoire", "Historique", "Histoire et construction"),
        "Architecture": ("Architecture", "Description", "Caractéristiques"),
        "Culture": ("Culture", "Dans la culture populaire", "Postérité"),
        "Fréquentation": ("Fréquentation", "Tourisme", "Visites"),
    },
    "de": {
        "Geschichte": ("Geschichte", "Baugeschichte", "Geschichte und Bau"),
        "Architektur": ("Architektur", "Baubeschreibung", "Beschreibung"),
        "Bedeutung": ("Bedeutung", "Rezeption", "Nachwirkung"),
        "Besucher": ("Besucher", "Tourismus", "Besichtigung"),
    },
    "es": {
        "Historia": ("Historia", "Antecedentes", "Historia y construcción"),
        "Arquitectura": ("Arquitectura", "Descripción", "Características"),
        "Cultura": ("Cultura", "En la cultura popular", "Legado"),
        "Turismo": ("Turismo", "Visitas"),
    },
    "it": {
        "Storia": ("Storia", "Cenni storici", "Storia e costruzione"),
        "Architettura": ("Architettura", "Descrizione", "Caratteristiche"),
        "Cultura": ("Cultura", "Nella cultura di massa", "Eredità"),
    },
    "pt": {
        "História": ("História", "Histórico", "Antecedentes"),
        "Arquitetura": ("Arquitetura", "Descrição", "Características"),
        "Cultura": ("Cultura", "Na cultura popular", "Legado"),
        "Turismo": ("Turismo", "Visitação"),
    },
    "ru": {
        "История": ("История", "История строительства", "Предыстория"),
        "Архитектура": ("Архитектура", "Описание", "Архитектура и убранство"),
        "Культура": ("Культура", "В культуре", "Значение"),
    },
    "ja": {
        "歴史": ("歴史", "沿革", "歴史と建設"),
        "建築": ("建築", "構造", "建築と設計"),
        "文化": ("文化", "評価", "登場する作品"),
    },
    "zh": {
        "历史": ("历史", "沿革", "历史背景"),
        "建筑": ("建筑", "建筑结构", "布局"),
        "文化": ("文化", "影响", "文化意义"),
    },
    "ar": {
        "التاريخ": ("التاريخ", "تاريخ", "خلفية تاريخية"),
        "العمارة": ("العمارة", "التصميم", "الوصف"),
        "الثقافة": ("الثقافة", "الأهمية", "التراث"),
    },
}  # fmt: skip
# Sections real articles end with, in four variants per edition: (heading, kind). Kinds:
# "related" lists other landmarks, "gallery" image captions, "links" an external link line,
# "empty" a heading whose list TextExtracts drops (references, notes).
_TAILS: dict[str, tuple[str, str, str, str, str]] = {
    # lang: (see also, references, external links, gallery, further reading)
    "en": ("See also", "References", "External links", "Gallery", "Further reading"),
    "fr": ("Voir aussi", "Notes et références", "Liens externes", "Galerie", "Bibliographie"),
    "de": ("Siehe auch", "Einzelnachweise", "Weblinks", "Galerie", "Literatur"),
    "es": ("Véase también", "Referencias", "Enlaces externos", "Galería", "Bibliografía"),
    "it": ("Voci correlate", "Note", "Collegamenti esterni", "Galleria d'immagini", "Bibliografia"),
    "pt": ("Ver também", "Referências", "Ligações externas", "Galeria", "Bibliografia"),
    "ru": ("См. также", "Примечания", "Ссылки", "Галерея", "Литература"),
    "ja": ("関連項目", "脚注", "外部リンク", "ギャラリー", "参考文献"),
    "zh": ("参见", "参考资料", "外部链接", "图集", "延伸阅读"),
    "ar": ("انظر أيضا", "مراجع", "وصلات خارجية", "معرض الصور", "قراءات إضافية"),
}
GALLERY_CAPTIONS: dict[str, tuple[str, str]] = {
    "en": ("at night", "seen from the air"),
    "fr": ("la nuit", "vue aérienne"),
    "de": ("bei Nacht", "Luftbild"),
    "es": ("de noche", "vista aérea"),
    "it": ("di notte", "veduta aerea"),
    "pt": ("à noite", "vista aérea"),
    "ru": ("ночью", "вид с воздуха"),
    "ja": ("夜景", "空撮"),
    "zh": ("夜景", "航拍"),
    "ar": ("ليلا", "منظر جوي"),
}
OFFICIAL: dict[str, str] = {
    "en": "Official website", "fr": "Site officiel", "de": "Offizielle Website",
    "es": "Sitio web oficial", "it": "Sito ufficiale", "pt": "Sítio oficial",
    "ru": "Официальный сайт", "ja": "公式ウェブサイト", "zh": "官方网站", "ar": "الموقع الرسمي",
}  # fmt: skip


def trailing_sections(lang: str, variant: int) -> list[tuple[str, str]]:
    """The closing sections of an article in edition `lang`, variant 0-3: (heading, kind)."""
    see, refs, links, gallery, reading = _TAILS.get(lang, _TAILS["en"])
    variants = (
        [(see, "related"), (refs, "empty"), (links, "links")],
        [(gallery, "gallery"), (see, "related"), (refs, "empty")],
        [(see, "related"), (refs, "empty"), (reading, "empty"), (links, "links")],
        [(refs, "empty"), (links, "links")],
    )
    return variants[variant % len(variants)]


TRAILING_SECTIONS = {lang: (lambda v, lang=lang: trailing_sections(lang, v)) for lang in _TAILS}


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


def _variant(options: tuple[str, ...] | list[str], key: str) -> str:
    """One of `options`, fixed by `key` (a stable hash, not Python's salted one)."""
    return options[zlib.crc32(key.encode()) % len(options)]


def english_article(facts: Facts) -> str:
    """Intro, history, architecture and culture sections under varied real-Wikipedia headings
    (from HEADING_VOCABULARY, sometimes with sub-sections), then closing sections."""
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
    words = HEADING_VOCABULARY["en"]
    sections: list[tuple[int, str, str]] = []
    history_heading = _variant(words["History"], f"{facts.name}|history")
    if len(history) >= 2:
        half = len(history) // 2
        sections += [
            (2, history_heading, ""),
            (3, "Early history", " ".join(history[:half])),
            (3, _variant(("Later history", "Modern era", "Recent history"), facts.name),
             " ".join(history[half:])),
        ]  # fmt: skip
    else:
        sections.append((2, history_heading, " ".join(history)))
    sections.append(
        (2, _variant(words["Architecture"], f"{facts.name}|arch"), " ".join(architecture))
    )
    sections.append((2, _variant(words["Culture"], f"{facts.name}|culture"), culture))
    for heading, kind in trailing_sections("en", zlib.crc32(facts.name.encode()) % 4):
        body = {"links": OFFICIAL["en"], "gallery": f"{facts.name} {GALLERY_CAPTIONS['en'][0]}"}
        sections.append((2, heading, body.get(kind, f"{facts.city}" if kind == "related" else "")))
    return _layout_levels(intro, sections)


def local_article(facts: Facts, lang: str) -> str:
    """A shorter article for a second language edition (the text stays English-like)."""
    intro = f"{facts.name} ({lang}): {facts.class_label}, {facts.city}, {facts.country}."
    sections = []
    if facts.inception is not None:
        # The edition's own history heading (its first in HEADING_VOCABULARY), else English.
        heading = next(iter(HEADING_VOCABULARY.get(lang, {"History": ()})))
        sections.append((heading, f"In {_year(facts.inception)} {facts.name} was founded."))
    return _layout(intro, sections)


def _layout_levels(intro: str, sections: list[tuple[int, str, str]]) -> str:
    """Extract layout with sub-sections ('=== H ==='); an empty last section keeps its newline."""
    text = intro + "".join(f"\n\n\n{'=' * n} {h} {'=' * n}\n{body}" for n, h, body in sections)
    return text if sections and not sections[-1][2] else text.rstrip("\n")


def _layout(intro: str, sections: list[tuple[str, str]]) -> str:
    """The layout of `explaintext=1&exsectionformat=wiki` extracts: '\\n\\n\\n== H ==\\n'."""
    return intro + "".join(f"\n\n\n== {heading} ==\n{body}" for heading, body in sections)
