"""Made-up but typical names for quarters and the organisations that carry credits."""

from __future__ import annotations

import numpy as np

QUARTER_NAMES = (
    "Les Tilleuls", "Les Acacias", "Les Peupliers", "Les Marronniers", "Les Glycines", "Les Aubépines",
    "Les Hirondelles", "Les Musiciens", "Les Provinces", "Les Sablons", "Les Bosquets", "Les Érables",
    "La Roseraie", "La Source", "La Pépinière", "La Prairie", "La Butte", "La Croix-Blanche", "La Plaine",
    "Le Haut-Quartier", "Le Clos", "Le Parc", "Le Moulin", "Le Plateau", "Le Stade", "Le Verger",
    "Cité des Fleurs", "Cité Jardin", "Quartier Nord", "Quartier Sud", "Quartier Est", "Quartier Ouest",
    "Centre-Ville", "Centre Ancien", "Faubourg", "Gare", "Les Hauts", "Bellevue", "Beauregard", "Bel-Air",
    "Champ-Fleuri", "Val-Joli", "Grand-Pré", "Petit-Bois", "Les Coteaux", "Les Terrasses", "Les Jardins",
    "Les Vignes", "Les Cèdres", "Les Pins", "Les Chênes", "Les Genêts", "Le Soleil Levant", "Mont-Joie",
)
CARRIER_KINDS = {
    "education": ("Association de soutien scolaire", "Caisse des écoles", "Collège", "Association périscolaire"),
    "emploi": ("Mission locale", "Régie de quartier", "Association d'insertion", "Maison de l'emploi"),
    "culture": ("Compagnie", "Centre culturel", "Médiathèque", "Association artistique", "Club sportif"),
    "sante": ("Centre de santé", "Atelier santé ville", "Association de prévention", "Maison de santé"),
    "securite": ("Association de médiation", "Maison de justice et du droit", "Association d'aide aux victimes"),
    "logement": ("Office public de l'habitat", "Bailleur social", "Régie de quartier", "Association de locataires"),
    "services": ("Centre social", "Espace France services", "Maison des services publics"),
    "revenus": ("CCAS", "Épicerie solidaire", "Association d'accès aux droits"),
}


def qpv_names(commune: str, n: int, rng: np.random.Generator) -> list[str]:
    picks = rng.choice(len(QUARTER_NAMES), size=n, replace=n > len(QUARTER_NAMES))
    names: list[str] = []
    for k, i in enumerate(picks):
        name = QUARTER_NAMES[i]
        names.append(f"{name} {k + 1}" if name in names else name)
    if n == 1 and rng.random() < 0.3:
        return [f"{names[0]} - {commune}"]
    return names


def carrier_name(place: dict, theme: str, programme: str, rng: np.random.Generator) -> str:
    """A plausible carrier: local authorities by name, otherwise an organisation of the commune."""
    if programme == "COM":
        return f"Ville de {place['commune_name']}"
    if programme == "DEP":
        return f"Département — {place['departement_name']}"
    if programme == "REG":
        return f"Région {place['region_name']}"
    kinds = CARRIER_KINDS[theme]
    return f"{kinds[int(rng.integers(len(kinds)))]} de {place['commune_name']}"
