"""Comparing names across official files that spell them differently."""

from __future__ import annotations

import re
import unicodedata

LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
LEADING_ARTICLE = re.compile(r"^(le|la|les|l) ")


def normalise_name(name: str) -> str:
    """A name reduced to what identifies it: 'L'Haÿ-les-Roses' → 'haylesroses', 'Le Havre' → 'havre'.

    Official files disagree on accents, case, ligatures, hyphens, apostrophes, spaces ('M'tsamboro' and
    'Mtsamboro') and leading articles (some COG exports write 'Havre' for 'Le Havre'): all are dropped.
    """
    text = unicodedata.normalize("NFKD", name.translate(LIGATURES))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return LEADING_ARTICLE.sub("", text).replace(" ", "")
