"""Dedup decisions: the same QID from two countries, near-duplicate QIDs, part-of links, images."""

from __future__ import annotations

from curation.dedup import Summary, deduplicate


def entry(
    qid: str,
    country: str,
    lat: float,
    lon: float,
    *names: str,
    richness: tuple[int, ...] = (1, 5, 1, 1, 10),
    in_country: bool = True,
    part_of: frozenset[str] = frozenset(),
    phash: str | None = None,
) -> Summary:
    return Summary(
        qid=qid,
        country=country,
        lat=lat,
        lon=lon,
        names=frozenset(n.casefold() for n in names),
        richness=richness,
        in_country=in_country,
        part_of=part_of,
        phash=phash,
    )


def test_same_qid_from_two_countries_keeps_the_one_inside_its_country() -> None:
    # Iguazu Falls listed by AR (point inside AR) and BR (point outside BR): AR keeps it.
    ar = entry("Q36332", "AR", -25.695, -54.437, "Iguazu Falls", in_country=True)
    br = entry(
        "Q36332",
        "BR",
        -25.695,
        -54.437,
        "Iguazu Falls",
        in_country=False,
        richness=(1, 9, 1, 1, 99),
    )
    result = deduplicate([br, ar])
    assert [(e.qid, e.country) for e in result.kept] == [("Q36332", "AR")]
    (decision,) = result.decisions
    assert (decision.kind, decision.kept_country, decision.other_country) == (
        "same_qid",
        "AR",
        "BR",
    )


def test_near_duplicate_qids_fold_into_the_richer_record() -> None:
    # The sample world's trap: a synthetic "Colosseum" 34 m from the real one, 1 sitelink.
    real = entry(
        "Q10285", "IT", 41.8902, 12.4922, "Colosseum", "Colosseo", richness=(1, 8, 1, 1, 168)
    )
    fake = entry("Q990000001", "IT", 41.8905, 12.4922, "colosseum", richness=(0, 0, 1, 1, 1))
    far = entry("Q5", "IT", 41.95, 12.49, "Colosseum")  # same name, 6 km away: a different place
    other = entry("Q6", "IT", 41.8903, 12.4923, "Arch of Constantine")  # near, other name
    result = deduplicate([fake, real, far, other])
    assert {e.qid for e in result.kept} == {"Q10285", "Q5", "Q6"}
    assert result.merged_into[("Q10285", "IT")] == ["Q990000001"]
    (decision,) = result.decisions
    assert decision.kind == "near_duplicate" and decision.kept_qid == "Q10285"
    assert decision.other_qid == "Q990000001" and 30 < (decision.distance_m or 0) < 40
    assert decision.similarity == 1.0


def test_similar_but_not_equal_names_within_100_m_merge() -> None:
    a = entry("Q1", "FR", 48.8606, 2.3376, "Musée du Louvre", richness=(1, 9, 1, 1, 150))
    b = entry("Q2", "FR", 48.8607, 2.3377, "Musee du Louvre", richness=(1, 2, 0, 1, 3))
    result = deduplicate([a, b])
    assert [e.qid for e in result.kept] == ["Q1"]


def test_part_of_links_resolve_to_the_richer_record() -> None:
    whole = entry("Q10", "TR", 40.1909, 29.0461, "Muradiye Complex", richness=(1, 9, 1, 1, 40))
    part = entry(
        "Q11",
        "TR",
        40.1912,
        29.0466,
        "Muradiye Mosque",
        part_of=frozenset({"Q10"}),
        richness=(1, 3, 1, 1, 12),
    )
    result = deduplicate([whole, part])
    assert [e.qid for e in result.kept] == ["Q10"]
    (decision,) = result.decisions
    assert decision.kind == "part_of" and decision.other_qid == "Q11"


def test_near_identical_images_are_flagged_not_merged() -> None:
    a = entry("Q1", "FR", 48.0, 2.0, "A", phash="ffd8a0b0c0d0e0f0")
    b = entry("Q2", "FR", 45.0, 4.0, "B", phash="ffd8a0b0c0d0e0f1")  # 1 bit apart
    c = entry("Q3", "FR", 44.0, 5.0, "C", phash="00275f4f3f2f1f0f")  # far from both
    result = deduplicate([a, b, c])
    assert len(result.kept) == 3
    assert result.image_flags[("Q1", "FR")] == ["near_duplicate_image:Q2"]
    assert result.image_flags[("Q2", "FR")] == ["near_duplicate_image:Q1"]
    assert ("Q3", "FR") not in result.image_flags
