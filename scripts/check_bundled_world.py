"""Print what the bundled sample world holds, after loading it exactly as the server does.

    python scripts/check_bundled_world.py          # summary
    python scripts/check_bundled_world.py --each   # plus one line per article

Exits 1 with the loader's message when the file does not validate against `World`. The rules
themselves (coverage, order, section headings, traps) are tested in
tests/sampleworld/test_bundled_world.py; this script is for a person editing the data.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter

from rswk.core.errors import RSWKError
from rswk.sampleworld.loader import load_world
from rswk.sampleworld.world import World

WIKI_HEADING = re.compile(r"\n\n *(==+) (.*?) (==+) *\n")


def words(lang: str, text: str) -> int:
    """Whitespace words; for Chinese and Japanese two characters count as one word."""
    if lang in ("ja", "zh"):
        return len(re.sub(r"\s", "", text)) // 2
    return len(text.split())


def summary(world: World) -> list[str]:
    """Lines describing the world: sizes, languages, article lengths and traps."""
    articles = [(lm, lang, a) for lm in world.landmarks for lang, a in lm.articles.items()]
    lengths = sorted(words(lang, a.text) for _, lang, a in articles)
    languages = Counter(lang for _, lang, _ in articles)
    traps = {lm.trap: lm.qid for lm in world.landmarks if lm.trap}
    return [
        f"landmarks: {len(world.landmarks)} in {len({lm.country for lm in world.landmarks})} "
        "countries",
        f"articles:  {len(articles)}  " + ", ".join(f"{k} {v}" for k, v in languages.most_common()),
        f"words:     min {lengths[0]}, median {lengths[len(lengths) // 2]}, max {lengths[-1]}, "
        f">=200: {sum(n >= 200 for n in lengths)}",
        "traps:     " + ", ".join(f"{k}={v}" for k, v in sorted(traps.items())),
    ]


def each(world: World) -> list[str]:
    """One line per article: country, QID, language, sections found, words, title."""
    return [
        f"{lm.country} {lm.qid:<11} {lang} {len(WIKI_HEADING.findall(a.text)):>2} sections "
        f"{words(lang, a.text):>4} words  {a.title}"
        for lm in world.landmarks
        for lang, a in lm.articles.items()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--each", action="store_true", help="one line per article")
    args = parser.parse_args()
    try:
        world = load_world("bundled")
    except RSWKError as exc:
        print(exc, file=sys.stderr)
        return 1
    lines = summary(world) + (each(world) if args.each else [])
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
