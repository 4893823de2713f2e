"""README.md, the dataset card: Hub YAML (configs, dataset_info, licences, tasks) and the prose.

The YAML is built with `huggingface_hub.DatasetCardData`, `datasets`' `MetadataConfigs` (configs
with data_files per split) and `DatasetInfosDict` (features and split sizes), so it is exactly what
the Hub and `load_dataset` parse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rswk.core.records.landmark import SPLITS, CuratedLandmark
from rswk.release.parquet_writer import WrittenSplit

PAPER_ARXIV = "2504.04988"
PAPER_BIBTEX = """@article{wen2025rsrag,
  title   = {RS-RAG: Bridging Remote Sensing Imagery and Comprehensive Knowledge with a
             Multi-Modal Dataset and Retrieval-Augmented Generation Model},
  author  = {Wen, Congcong and Lin, Yiting and Qu, Xiaokang and Li, Nan and Liao, Yong and
             Lin, Hui and Li, Xiang},
  journal = {arXiv preprint arXiv:2504.04988},
  year    = {2025}
}"""
CONFIG_TEXT = {
    "landmarks": "one row per landmark: image, world knowledge, remote-sensing attributes, "
    "location and provenance (the full record)",
    "classification": "image -> one of RSWK's 16 landmark classes or Other",
    "captioning": "image -> a description from the landmark's knowledge and measured attributes",
    "vqa": "image -> world-knowledge and remote-sensing questions with answers (VQA-WK, VQA-RSK)",
    "chunks": "the knowledge chunks the RAG index embeds (text, kind, provenance)",
}
# Hub licence ids; "other" covers imagery terms that have no SPDX id.
LICENSES = ["cc-by-sa-4.0", "cc0-1.0", "cc-by-4.0", "other"]
TASK_CATEGORIES = [
    "image-classification",
    "image-to-text",
    "visual-question-answering",
    "image-text-to-text",
]
TAGS = ["remote-sensing", "satellite-imagery", "landmarks", "world-knowledge", "geospatial", "rag"]


@dataclass(frozen=True)
class CardInputs:
    """What the card is written from."""

    version: str
    landmarks: Sequence[CuratedLandmark]
    written: Sequence[WrittenSplit]
    features: Mapping[str, Any]
    sources: Sequence[Mapping[str, str]]
    repo_id: str | None
    previous: str | None


def size_category(count: int) -> str:
    """The Hub's size category for `count` rows."""
    bounds = [
        (1_000, "n<1K"),
        (10_000, "1K<n<10K"),
        (100_000, "10K<n<100K"),
        (1_000_000, "100K<n<1M"),
        (10_000_000, "1M<n<10M"),
    ]
    return next((label for bound, label in bounds if count < bound), "10M<n<100M")


def card_yaml(inputs: CardInputs) -> str:
    """The card's YAML block (without the --- fences)."""
    from datasets.info import DatasetInfo, DatasetInfosDict
    from datasets.splits import SplitDict, SplitInfo
    from datasets.utils.metadata import MetadataConfigs
    from huggingface_hub import DatasetCardData

    languages = sorted(
        {"en"}
        | {lang for lm in inputs.landmarks if lm.knowledge for lang in lm.knowledge.languages}
    )
    data = DatasetCardData(
        pretty_name="RSWK: Remote Sensing World Knowledge",
        license=LICENSES,
        task_categories=TASK_CATEGORIES,
        language=[lang for lang in languages if len(lang) == 2],
        size_categories=[size_category(len(inputs.landmarks))],
        tags=TAGS,
    )
    configs: dict[str, Any] = {}
    infos = {}
    for name, features in inputs.features.items():
        parts = [w for w in inputs.written if w.config == name]
        configs[name] = {
            "data_files": [{"split": w.split, "path": f"data/{name}/{w.split}-*"} for w in parts]
        }
        if name == "landmarks":
            configs[name]["default"] = True
        splits = SplitDict()
        for w in parts:
            splits.add(SplitInfo(name=w.split, num_bytes=w.num_bytes, num_examples=w.rows))
        infos[name] = DatasetInfo(
            features=features,
            splits=splits,
            config_name=name,
            dataset_size=sum(w.num_bytes for w in parts),
        )
    MetadataConfigs(configs).to_dataset_card_data(data)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    return str(data.to_yaml())


def _count_table(title: str, counts: Mapping[str, Counter[str]]) -> list[str]:
    lines = [f"| {title} | " + " | ".join(SPLITS) + " | total |", "| --- |" + " ---: |" * 4]
    for key in sorted(counts):
        row = counts[key]
        cells = " | ".join(str(row[s]) for s in SPLITS)
        lines.append(f"| {key} | {cells} | {sum(row.values())} |")
    return lines


def card_body(inputs: CardInputs) -> str:
    """The card's Markdown after the YAML."""
    lms = inputs.landmarks
    by_country: dict[str, Counter[str]] = {}
    by_class: dict[str, Counter[str]] = {}
    names = {
        lm.country: lm.knowledge.country_name.value
        for lm in lms
        if lm.knowledge is not None and lm.knowledge.country_name.language == "en"
    }
    for lm in lms:
        label = f"{lm.country} ({names[lm.country]})" if lm.country in names else lm.country
        by_country.setdefault(label, Counter())[lm.split] += 1
        by_class.setdefault(lm.rswk_class, Counter())[lm.split] += 1
    if inputs.repo_id:
        load_call = f'load_dataset("{inputs.repo_id}", "landmarks", revision="v{inputs.version}")'
    else:
        load_call = f'load_dataset("releases/rswk-{inputs.version}", "landmarks")'
    lines = [
        f"# RSWK — Remote Sensing World Knowledge, release {inputs.version}",
        "",
        f"{len(lms)} landmarks in {len(by_country)} countries, each with a satellite or aerial "
        "image centred on it, world knowledge from Wikipedia and Wikidata (with the article "
        "revision of every text field), coordinates checked against the country's borders, and "
        "remote-sensing attributes (Sentinel-2 indices and reflectance, land cover, elevation, "
        "land surface temperature, climate normals) as typed numbers with units. It rebuilds "
        f"the RSWK dataset of RS-RAG (arXiv {PAPER_ARXIV}) without a language model in the loop.",
        "",
        "```python",
        "from datasets import load_dataset",
        f"ds = {load_call}",
        "```",
        "",
        "## Configs",
        "",
        "| config | what a row is |",
        "| --- | --- |",
        *(f"| `{name}` | {CONFIG_TEXT[name]} |" for name in inputs.features),
        "",
        "All configs share the landmarks' splits: landmarks in one ~10 km grid cell are in one "
        "split, so overlapping imagery cannot leak between train and test. `index/` holds USearch "
        "indexes of the images and chunks (`index/index.json` names the encoder), `validation/` "
        "the validation results and Data Docs, `report/` a coverage map, sample images and a "
        "class × continent table, `manifest.json` the sha256 of every file (`rswk verify`).",
        "",
        "## Landmarks per country",
        "",
        *_count_table("country", by_country),
        "",
        "## Landmarks per class",
        "",
        *_count_table("class", by_class),
        "",
        "## How it was made",
        "",
        "1. **discover**: landmarks per country from the Wikidata Query Service, ranked by "
        "sitelinks, filtered by a versioned class table.",
        "2. **locate**: coordinates from Wikidata P625 and the article, checked against Natural "
        "Earth admin-0 polygons.",
        "3. **knowledge**: Wikipedia sections mapped to the RSWK fields, Wikidata claims for "
        "dated and numeric facts; every field keeps its source URL, revision and licence.",
        "4. **imagery**: an image centred on the landmark from the configured provider.",
        "5. **attributes**: Sentinel-2 L2A statistics, optional DEM / land cover / LST "
        "collections, ERA5-backed climate normals, and values computed from the image.",
        "6. **curate, validate, index**: deduplication, class mapping, grid-cell splits; a "
        "validation gate (Great Expectations) that must pass on exactly these rows; CLIP and "
        "text embeddings in USearch.",
        "",
        "## Sources, licences and attribution",
        "",
        "| source | licence | attribution |",
        "| --- | --- | --- |",
        *(f"| {s['source']} | {s['licence']} | {s['attribution']} |" for s in inputs.sources),
        "",
        "Wikipedia text is CC BY-SA 4.0: reuse must credit the article (each text field names its "
        "article and revision) and share alike. Wikidata facts are CC0. Imagery follows its "
        "provider's terms, named per image in `image_info`. Sentinel-2 values contain modified "
        "Copernicus Sentinel data.",
        "",
        "## Known limitations",
        "",
        "- Coverage follows Wikipedia and Wikidata: well-documented countries have more "
        "landmarks, and the text language follows the best edition found per landmark.",
        "- The class of a landmark comes from its Wikidata classes through a fixed table; "
        "landmarks whose classes map to none of the 16 are `Other`.",
        "- Attributes a source could not give are null and their reason is in "
        "`attributes.absent`; monthly Sentinel-2 values exist only for clear months.",
        "- Captions and VQA answers are built by templates from the fields, not written by "
        "people, and are only as right as those fields.",
        "",
        "## Citation",
        "",
        "Please cite the paper that defined RSWK:",
        "",
        "```bibtex",
        PAPER_BIBTEX,
        "```",
        "",
        "and this release:",
        "",
        "```bibtex",
        "@misc{rswk_release_" + inputs.version.replace(".", "_") + ",",
        "  title  = {RSWK: Remote Sensing World Knowledge, release " + inputs.version + "},",
        "  note   = {Built with the open RSWK pipeline from Wikipedia, Wikidata, imagery and "
        "Copernicus Sentinel data},",
        f"  howpublished = {{{inputs.repo_id or 'rswk-' + inputs.version}, tag v{inputs.version}}}",
        "}",
        "```",
        "",
    ]
    return "\n".join(lines)


def render_card(inputs: CardInputs) -> str:
    """The whole README.md."""
    return f"---\n{card_yaml(inputs).rstrip()}\n---\n\n{card_body(inputs)}"


def collect_sources(landmarks: Sequence[CuratedLandmark]) -> list[dict[str, str]]:
    """Distinct (source, licence, attribution) of the data, from the records' own provenance."""
    seen: dict[tuple[str, str], str] = {}
    for lm in landmarks:
        if lm.knowledge is not None:
            for name in ("name", "historical_background"):
                field = getattr(lm.knowledge, name)
                if field is not None:
                    kind = "Wikidata" if "CC0" in field.provenance.licence else "Wikipedia"
                    seen.setdefault((kind, field.provenance.licence), _generic(kind))
        if lm.image is not None:
            seen.setdefault(
                (f"imagery: {lm.image.provider}", lm.image.licence), lm.image.attribution
            )
        a = lm.attributes
        if a is not None:
            measured = (
                a.sentinel2_provenance,
                a.elevation_provenance,
                a.land_cover_provenance,
                a.lst_provenance,
                a.climate_provenance,
            )
            for prov in measured:
                if prov is not None:
                    key = (prov.collection, prov.licence)
                    seen.setdefault(key, prov.attribution)
    return [
        {"source": source, "licence": licence, "attribution": attribution}
        for (source, licence), attribution in sorted(seen.items())
    ]


def _generic(kind: str) -> str:
    if kind == "Wikipedia":
        return "Wikipedia contributors; each text field names its article and revision"
    return "Wikidata contributors (CC0, no attribution required)"
