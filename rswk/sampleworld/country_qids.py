"""ISO 3166-1 alpha-2 -> Wikidata QID of the country item, for the sample world's P17 claims.

Real QIDs for the sovereign states (and Kosovo, Palestine); any other territory gets a
deterministic synthetic id `Q98` + its zero-padded ISO numeric code (far above real item ids, so
it never clashes with a real QID).
"""

from __future__ import annotations

import pycountry

COUNTRY_QIDS: dict[str, str] = {
    # Europe
    "AD": "Q228", "AL": "Q222", "AM": "Q399", "AT": "Q40", "AZ": "Q227", "BA": "Q225",
    "BE": "Q31", "BG": "Q219", "BY": "Q184", "CH": "Q39", "CY": "Q229", "CZ": "Q213",
    "DE": "Q183", "DK": "Q35", "EE": "Q191", "ES": "Q29", "FI": "Q33", "FR": "Q142",
    "GB": "Q145", "GE": "Q230", "GR": "Q41", "HR": "Q224", "HU": "Q28", "IE": "Q27",
    "IS": "Q189", "IT": "Q38", "LI": "Q347", "LT": "Q37", "LU": "Q32", "LV": "Q211",
    "MC": "Q235", "MD": "Q217", "ME": "Q236", "MK": "Q221", "MT": "Q233", "NL": "Q55",
    "NO": "Q20", "PL": "Q36", "PT": "Q45", "RO": "Q218", "RS": "Q403", "RU": "Q159",
    "SE": "Q34", "SI": "Q215", "SK": "Q214", "SM": "Q238", "TR": "Q43", "UA": "Q212",
    "VA": "Q237", "XK": "Q1246",
    # Asia
    "AE": "Q878", "AF": "Q889", "BD": "Q902", "BH": "Q398", "BT": "Q917", "CN": "Q148",
    "ID": "Q252", "IL": "Q801", "IN": "Q668", "IQ": "Q796", "IR": "Q794", "JO": "Q810",
    "JP": "Q17", "KG": "Q813", "KH": "Q424", "KP": "Q423", "KR": "Q884", "KW": "Q817",
    "KZ": "Q232", "LA": "Q819", "LB": "Q822", "LK": "Q854", "MM": "Q836", "MN": "Q711",
    "MV": "Q826", "MY": "Q833", "NP": "Q837", "OM": "Q842", "PH": "Q928", "PK": "Q843",
    "QA": "Q846", "SA": "Q851", "SG": "Q334", "SY": "Q858", "TH": "Q869", "TJ": "Q863",
    "TM": "Q874", "TW": "Q865", "UZ": "Q265", "VN": "Q881", "YE": "Q805",
    # Africa
    "AO": "Q916", "BW": "Q963", "CI": "Q1008", "CM": "Q1009", "DZ": "Q262", "EG": "Q79",
    "ET": "Q115", "GH": "Q117", "KE": "Q114", "LY": "Q1016", "MA": "Q1028", "MG": "Q1019",
    "MZ": "Q1029", "NA": "Q1030", "NG": "Q1033", "RW": "Q1037", "SD": "Q1049", "SN": "Q1041",
    "TN": "Q948", "TZ": "Q924", "UG": "Q1036", "ZA": "Q258", "ZM": "Q953", "ZW": "Q954",
    # Americas
    "AR": "Q414", "BO": "Q750", "BR": "Q155", "CA": "Q16", "CL": "Q298", "CO": "Q739",
    "CR": "Q800", "CU": "Q241", "DO": "Q786", "EC": "Q736", "GT": "Q774", "HN": "Q783",
    "HT": "Q790", "JM": "Q766", "MX": "Q96", "NI": "Q811", "PA": "Q804", "PE": "Q419",
    "PY": "Q733", "SV": "Q792", "US": "Q30", "UY": "Q77", "VE": "Q717",
    # Oceania
    "AU": "Q408", "FJ": "Q712", "NZ": "Q664", "PG": "Q691",
    # Smaller sovereign states (Africa, Asia, the Caribbean, South America, Oceania)
    "AG": "Q781", "BB": "Q244", "BF": "Q965", "BI": "Q967", "BJ": "Q962", "BN": "Q921",
    "BS": "Q778", "BZ": "Q242", "CD": "Q974", "CF": "Q929", "CG": "Q971", "CV": "Q1011",
    "DJ": "Q977", "DM": "Q784", "ER": "Q986", "FM": "Q702", "GA": "Q1000", "GD": "Q769",
    "GM": "Q1005", "GN": "Q1006", "GQ": "Q983", "GW": "Q1007", "GY": "Q734", "KI": "Q710",
    "KM": "Q970", "KN": "Q763", "LC": "Q760", "LR": "Q1014", "LS": "Q1013", "MH": "Q709",
    "ML": "Q912", "MR": "Q1025", "MU": "Q1027", "MW": "Q1020", "NE": "Q1032", "NR": "Q697",
    "PS": "Q219060", "PW": "Q695", "SB": "Q685", "SC": "Q1042", "SL": "Q1044", "SO": "Q1045",
    "SR": "Q730", "SS": "Q958", "ST": "Q1039", "SZ": "Q1050", "TD": "Q657", "TG": "Q945",
    "TL": "Q574", "TO": "Q678", "TT": "Q754", "TV": "Q672", "VC": "Q757", "VU": "Q686",
    "WS": "Q683",
}  # fmt: skip

SYNTHETIC_PREFIX = "Q98"


def country_qid(iso2: str) -> str:
    """The country item's QID: the real one when known, else a synthetic `Q98…` id."""
    iso2 = iso2.upper()
    if iso2 in COUNTRY_QIDS:
        return COUNTRY_QIDS[iso2]
    country = pycountry.countries.get(alpha_2=iso2)
    numeric = int(country.numeric) if country is not None else _letters_number(iso2)
    return f"{SYNTHETIC_PREFIX}{numeric:07d}"


def country_label(iso2: str) -> str:
    """The country's English name (pycountry's common name when it has one)."""
    country = pycountry.countries.get(alpha_2=iso2.upper())
    if country is None:
        return "Kosovo" if iso2.upper() == "XK" else iso2.upper()
    return str(getattr(country, "common_name", None) or country.name)


def _letters_number(iso2: str) -> int:
    """A stable number above every ISO numeric code (max 999) for codes pycountry lacks."""
    return 1000 + (ord(iso2[0]) - 64) * 32 + (ord(iso2[1]) - 64)
