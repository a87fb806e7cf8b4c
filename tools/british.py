"""US English contract text in British spelling: the en-GB templates are built from the en-US sources.

Only whole words of the text change, keeping their capitals ("License" -> "Licence"); Jinja tags stay as
written (a variable such as cost_center is a field name). The map covers the words the contracts use; a
word it lacks stays as written, so add it here when a source gains one.
"""

import re

_STEMS = {
    "authoriz": "authoris",
    "unauthoriz": "unauthoris",
    "itemiz": "itemis",
    "organiz": "organis",
    "recogniz": "recognis",
    "realiz": "realis",
    "minimiz": "minimis",
    "maximiz": "maximis",
    "prioritiz": "prioritis",
    "summariz": "summaris",
    "characteriz": "characteris",
    "emphasiz": "emphasis",
    "utiliz": "utilis",
    "anonymiz": "anonymis",
    "pseudonymiz": "pseudonymis",
    "analyz": "analys",
    "apologiz": "apologis",
    "finaliz": "finalis",
    "standardiz": "standardis",
}
"""-ize/-yze stems: each takes -e, -es, -ed, -ing, -ation(s) alike."""
_ENDINGS = ("e", "es", "ed", "ing", "ation", "ations", "er", "ers")
_WORDS = {
    "license": "licence",  # the noun; the verb is "license" in both (the contracts grant "a license")
    "licenses": "licences",
    "defense": "defence",
    "defenses": "defences",
    "offense": "offence",
    "offenses": "offences",
    "installment": "instalment",
    "installments": "instalments",
    "organizational": "organisational",
    "willful": "wilful",
    "willfully": "wilfully",
    "fulfill": "fulfil",
    "fulfillment": "fulfilment",
    "enroll": "enrol",
    "canceled": "cancelled",
    "canceling": "cancelling",
    "labeled": "labelled",
    "labeling": "labelling",
    "modeling": "modelling",
    "traveled": "travelled",
    "traveling": "travelling",
    "color": "colour",
    "colors": "colours",
    "favor": "favour",
    "favorable": "favourable",
    "behavior": "behaviour",
    "honor": "honour",
    "labor": "labour",
    "center": "centre",
    "centers": "centres",
    "catalog": "catalogue",
    "gray": "grey",
    "afterward": "afterwards",
    "toward": "towards",
    "acknowledgment": "acknowledgement",
    "acknowledgments": "acknowledgements",
}
_MAP = _WORDS | {stem + ending: british + ending for stem, british in _STEMS.items() for ending in _ENDINGS}
_WORD = re.compile(r"[A-Za-z]+")
_TAG = re.compile(r"(\{\{.*?\}\}|\{%.*?%\})", re.S)


def british(text: str) -> str:
    """Return ``text`` with its US spellings made British, whole words only, capitals kept, tags untouched."""
    return "".join(piece if index % 2 else _WORD.sub(_respell, piece) for index, piece in enumerate(_TAG.split(text)))


def _respell(match: re.Match[str]) -> str:
    word = match.group()
    british_word = _MAP.get(word.lower())
    if british_word is None:
        return word
    if word.isupper() and len(word) > 1:
        return british_word.upper()
    return british_word[0].upper() + british_word[1:] if word[0].isupper() else british_word
