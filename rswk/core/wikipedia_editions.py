"""Wikipedia language editions: which codes exist, and how CLDR language codes map onto them.

Country files name Wikipedia editions by their subdomain code (`fr` for fr.wikipedia.org). The
set below lists the open editions; closed, read-only ones (aa, cho, ho, hz, ii, kj, kr, mh, mus,
ng) are left out on purpose because they hold almost no articles. `simple` is left out too: it
is not the language of any country. Add a code here when a new edition opens.
"""

from __future__ import annotations

import difflib

# Whitespace-separated so the table stays compact and easy to scan alphabetically.
_EDITION_CODES = """
    ab ace ady af ak als alt am ami an ang anp ar arc ary arz as ast atj av avk awa ay az azb
    ba ban bar bat-smg bbc bcl be be-tarask bew bg bh bi bjn blk bm bn bo bpy br bs btm bug bxr
    ca cbk-zam cdo ce ceb ch chr chy ckb co cr crh cs csb cu cv cy
    da dag de dga din diq dsb dty dv dz ee el eml en eo es et eu ext
    fa fat ff fi fiu-vro fj fo fon fr frp frr fur fy ga gag gan gcr gd gl glk gn gom gor got
    gpe gu guc gur guw gv ha hak haw he hi hif hr hsb ht hu hy hyw
    ia iba id ie ig igl ik ilo inh io is it iu ja jam jbo jv
    ka kaa kab kbd kbp kcg kg kge ki kk kl km kn knc ko koi krc ks ksh ku kus kv kw ky
    la lad lb lbe lez lfn lg li lij lld lmo ln lo lt ltg lv
    mad mai map-bms mdf mg mhr mi min mk ml mn mni mnw mos mr mrj ms mt mwl my myv mzn
    na nah nap nds nds-nl ne new nia nl nn no nov nqo nr nrm nso nup nv ny
    oc olo om or os pa pag pam pap pcd pcm pdc pfl pi pih pl pms pnb pnt ps pt pwn qu
    rm rmy rn ro roa-rup roa-tara rsk ru rue rw
    sa sah sat sc scn sco sd se sg sh shi shn si sk skr sl sm smn sn so sq sr srn ss st stq su
    sv sw szl szy ta tay tcy tdd te tet tg th ti tig tk tl tly tn to tpi tr trv ts tt tum tw
    ty tyv udm ug uk ur uz ve vec vep vi vls vo wa war wo wuu xal xh xmf yi yo
    za zea zgh zh zh-classical zh-min-nan zh-yue zu
"""
WIKIPEDIA_EDITIONS: frozenset[str] = frozenset(_EDITION_CODES.split())

# CLDR codes whose Wikipedia edition has a different code. Codes not listed here map to
# themselves once the script suffix is dropped (`sr_Latn` -> `sr`, `zh_Hant` -> `zh`).
CLDR_TO_WIKIPEDIA: dict[str, str] = {
    "nb": "no",  # Norwegian Bokmål is written on no.wikipedia.org
    "fil": "tl",  # Filipino and Tagalog share tl.wikipedia.org
    "gsw": "als",  # Swiss German / Alemannic
    "nan": "zh-min-nan",
    "yue": "zh-yue",
    "lzh": "zh-classical",
    "cmn": "zh",
    "vro": "fiu-vro",
    "sgs": "bat-smg",
    "rup": "roa-rup",
    "nds_NL": "nds-nl",
    "be_tarask": "be-tarask",
}


def wikipedia_edition_for(cldr_code: str) -> str | None:
    """The Wikipedia edition code for a CLDR language code, or None if no open edition exists."""
    if cldr_code in CLDR_TO_WIKIPEDIA:
        return CLDR_TO_WIKIPEDIA[cldr_code]
    base = cldr_code.split("_", 1)[0]
    edition = CLDR_TO_WIKIPEDIA.get(base, base)
    return edition if edition in WIKIPEDIA_EDITIONS else None


def describe_unknown_edition(code: str) -> str:
    """Explain why `code` is not a Wikipedia edition and suggest what to write instead."""
    mapped = wikipedia_edition_for(code)
    if mapped is not None:
        return f"'{code}' is not a Wikipedia edition code; write '{mapped}' instead"
    close = difflib.get_close_matches(code, sorted(WIKIPEDIA_EDITIONS), n=3)
    hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
    return (
        f"'{code}' is not a known Wikipedia edition code ({hint}expected the subdomain of "
        "<code>.wikipedia.org, e.g. 'en', 'fr', 'zh', 'zh-yue'; the full list is "
        "WIKIPEDIA_EDITIONS in rswk/core/wikipedia_editions.py)"
    )
