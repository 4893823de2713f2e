"""The per-country SPARQL query the discovery crawler sends to the Wikidata Query Service.

The sample world's SPARQL endpoint answers exactly this query shape: it reads the ISO code after
`wdt:P297`, the class list in `VALUES ?class`, the wikis in `VALUES ?wiki`, the label languages,
the `LIMIT` and whether `?matching` is counted. Keep those markers if you change the query.

The sub-query counts every item the query matches (`?matching`, the same on every row), so the
discover stage can count what its quota cuts beyond the `LIMIT` too: the rows stop at the limit,
the count does not. It also binds `?country`, the country's item, on every row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

QUERY_TEMPLATE = """\
SELECT ?item ?itemLabel ?sitelinks ?country ?matching (SAMPLE(?coord) AS ?coord)
       (GROUP_CONCAT(DISTINCT ?class; separator=" ") AS ?classes)
       (GROUP_CONCAT(DISTINCT ?articleRef; separator="|") AS ?articles)
WHERE {{
  ?country wdt:P297 "{iso2}" .
  {{
    SELECT ?country (COUNT(DISTINCT ?counted) AS ?matching) WHERE {{
      ?country wdt:P297 "{iso2}" .
      VALUES ?countedClass {{ {classes} }}
      ?counted wdt:P17 ?country ;
               wdt:P31 ?countedClass ;
               wikibase:sitelinks [] .
    }}
    GROUP BY ?country
  }}
  VALUES ?class {{ {classes} }}
  ?item wdt:P17 ?country ;
        wdt:P31 ?class ;
        wikibase:sitelinks ?sitelinks .
  OPTIONAL {{ ?item wdt:P625 ?coord . }}
  OPTIONAL {{
    VALUES ?wiki {{ {wikis} }}
    ?article schema:about ?item ;
             schema:isPartOf ?wiki ;
             schema:inLanguage ?lang ;
             schema:name ?title .
    BIND(CONCAT(?lang, ":", ?title) AS ?articleRef)
  }}
  SERVICE wikibase:label {{ bd:serviceParam wikibase:language "{label_languages}". }}
}}
GROUP BY ?item ?itemLabel ?sitelinks ?country ?matching
ORDER BY DESC(?sitelinks) ?item
LIMIT {limit}
"""


def build_discovery_query(
    iso2: str, classes: Sequence[str], languages: Sequence[str], limit: int
) -> str:
    """The SPARQL text for one country: items of `classes` ranked by sitelinks, top `limit`.

    `languages` are Wikipedia edition codes in order of preference; each row's `?articles` lists
    `lang:title` pairs for those editions, and labels come in the same order (then English).
    """
    label_languages = ",".join(dict.fromkeys([*languages, "en"]))
    # Runs of spaces percent-encode to 3 bytes each: one space keeps the URL well under 8 KB.
    template = re.sub(r"[ ]{2,}", " ", QUERY_TEMPLATE)
    return template.format(
        iso2=iso2.upper(),
        classes=" ".join(f"wd:{qid}" for qid in classes),
        wikis=" ".join(f"<https://{lang}.wikipedia.org/>" for lang in languages),
        label_languages=label_languages,
        limit=int(limit),
    )
