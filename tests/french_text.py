"""What French UI text looks like, for the i18n tests (tests/test_i18n.py, tests/browser/test_english.py).

A heuristic on purpose: accented letters, French quotation marks and the function words every French
sentence carries. It cannot prove a text French, only flag what a reader would; the allow-lists beside
the tests stay short.
"""

from __future__ import annotations

import re

ACCENTED = re.compile(r"[àâçéèêëîïôûùüÿœæÀÂÇÉÈÊËÎÏÔÛÙÜŒ«»]")
# Frequent French words that are not also English words (no « on », « a », « est » is kept: « est » is not English).
FRENCH_WORDS = ("le", "la", "les", "des", "du", "une", "et", "pour", "avec", "dans", "est", "sont", "aucun",
                "aucune", "cette", "ces", "aux", "sur", "par", "selon", "entre", "depuis", "moins", "voir",
                "afficher", "télécharger", "données", "quartier", "quartiers", "carte", "année", "valeur", "valeurs",
                "écart", "indicateur", "indicateurs", "statut", "thème", "ministère", "crédits",
                "engagements", "comparer", "graphique", "tableau", "territoire", "territoires", "fermer", "copier",
                "lien", "niveau", "montant", "référence", "objectif", "cible", "mesure", "mesures", "moyenne",
                "rechercher", "millésime", "baromètre", "propos", "quartiers", "commune", "communes",
                "ou", "de", "au", "un", "qui", "que", "pas", "ne", "ex")
WORD = re.compile(r"\b(" + "|".join(sorted(FRENCH_WORDS, key=len, reverse=True)) + r")\b", re.IGNORECASE)


def french_words(text: str) -> list[str]:
    """The French-looking words of ``text`` (accented words and frequent French words)."""
    found = [m.group(0) for m in re.finditer(r"[\wÀ-ÿœŒ«»]+|[«»]", text) if ACCENTED.search(m.group(0))]
    found += [m.group(0) for m in WORD.finditer(text)]
    return found


def looks_french(text: str) -> bool:
    return bool(french_words(text))
