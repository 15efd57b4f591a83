"""The demo's indicator catalogue with the parameters that shape its values.

Orders of magnitude follow published national figures (INSEE, ONPV reports)
so that the illustrative data reads plausibly; individual values are made up.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoIndicator:
    id: str
    label_fr: str
    label_en: str
    theme: str
    ministry: str | None
    unit: str
    polarity: str
    kind: str
    national_2015: float  # national value in the first year
    trend: float  # relative change per year of the national value
    qpv_ratio: float  # typical QPV value / national value
    commune_ratio: float  # typical value of a commune hosting QPV / national value
    dispersion: float  # log-sd between territories
    decimals: int = 1
    upper: float | None = None  # bound (e.g. 100 for a share)
    gap_trend: float = 0.0  # relative change per year of the QPV/national ratio
    secret_below: int = 0  # QPV population under which values are secret
    start_year: int = 2015
    eligible_share: float = 0.0  # for means indicators counting people reached
    source: str = "Illustratif (ordres de grandeur INSEE / ONPV)"
    definition: str = ""


PCT = "%"

INDICATORS: tuple[DemoIndicator, ...] = (
    # Revenus et pauvreté
    DemoIndicator("taux_pauvrete", "Taux de pauvreté (seuil à 60 %)", "Poverty rate (60% threshold)", "revenus", None,
                  PCT, "higher_is_worse", "context", 14.2, 0.004, 3.0, 1.45, 0.22, upper=80, secret_below=1000,
                  source="Illustratif (ordres de grandeur INSEE Filosofi)",
                  definition="Part des personnes dont le niveau de vie est inférieur à 60 % du niveau de vie médian."),
    DemoIndicator("revenu_median", "Revenu disponible médian par unité de consommation",
                  "Median disposable income per consumption unit", "revenus", None, "€", "higher_is_better",
                  "context", 20800, 0.014, 0.66, 0.88, 0.10, decimals=0, secret_below=1000,
                  source="Illustratif (ordres de grandeur INSEE Filosofi)",
                  definition="Revenu disponible médian du ménage divisé par le nombre d'unités de consommation."),
    DemoIndicator("part_dependance_prestations", "Allocataires dont le revenu dépend à plus de 50 % des prestations",
                  "Recipients relying on benefits for over 50% of income", "revenus", None, PCT, "higher_is_worse",
                  "context", 15.5, -0.005, 2.1, 1.35, 0.2, upper=90,
                  definition="Part des foyers allocataires CAF dont les prestations forment plus de la moitié des "
                             "ressources."),
    DemoIndicator("rapport_interdecile", "Rapport interdécile des revenus (D9/D1)", "Interdecile income ratio (D9/D1)",
                  "revenus", None, "ratio", "higher_is_worse", "context", 3.4, 0.002, 1.15, 1.25, 0.12, decimals=2,
                  secret_below=1000, definition="Rapport entre le 9e et le 1er décile du revenu disponible par UC."),
    # Emploi et insertion
    DemoIndicator("taux_emploi", "Taux d'emploi des 15-64 ans", "Employment rate, age 15-64", "emploi", "travail", PCT,
                  "higher_is_better", "result", 64.2, 0.004, 0.73, 0.9, 0.08, upper=90, gap_trend=0.003,
                  definition="Part des personnes de 15 à 64 ans ayant un emploi."),
    DemoIndicator("taux_chomage", "Taux de chômage des 15-64 ans", "Unemployment rate, age 15-64", "emploi", "travail",
                  PCT, "higher_is_worse", "result", 10.1, -0.035, 2.4, 1.4, 0.2, upper=60,
                  definition="Part des chômeurs (au sens du recensement) dans la population active de 15 à 64 ans."),
    DemoIndicator("demandeurs_longue_duree", "Part des demandeurs d'emploi de longue durée",
                  "Share of long-term job seekers", "emploi", "travail", PCT, "higher_is_worse", "result", 43.0,
                  -0.006, 1.1, 1.03, 0.1, upper=85,
                  definition="Part des demandeurs d'emploi inscrits depuis plus d'un an (catégories A, B, C)."),
    DemoIndicator("emplois_precaires", "Part des emplois précaires", "Share of precarious jobs", "emploi", "travail",
                  PCT, "higher_is_worse", "result", 13.4, 0.006, 1.7, 1.2, 0.15, upper=70,
                  definition="Part des CDD, intérims, apprentissages et contrats aidés parmi les salariés."),
    DemoIndicator("neet", "Jeunes de 16-25 ans ni en emploi, ni en études, ni en formation",
                  "Young people (16-25) not in employment, education or training", "emploi", "travail", PCT,
                  "higher_is_worse", "result", 12.9, -0.012, 2.1, 1.3, 0.18, upper=70, gap_trend=-0.004,
                  definition="Part des 16-25 ans qui ne sont ni en emploi, ni scolarisés, ni en formation."),
    DemoIndicator("contrat_engagement_jeune", "Jeunes accompagnés en contrat d'engagement jeune (couverture)",
                  "Young people in the youth commitment contract (coverage)", "emploi", "travail", PCT,
                  "higher_is_better", "means", 0.0, 0.0, 1.6, 1.2, 0.25, upper=60, start_year=2022,
                  eligible_share=0.13,
                  definition="Jeunes de 16 à 25 ans entrés en contrat d'engagement jeune, rapportés aux jeunes "
                             "de cet âge résidant dans les QPV du territoire."),
    DemoIndicator("parcours_emploi_competences", "Bénéficiaires de parcours emploi compétences (couverture)",
                  "People in skills-based job pathways (coverage)", "emploi", "travail", PCT, "higher_is_better",
                  "means", 0.0, 0.0, 1.0, 1.0, 0.3, decimals=2, upper=20, start_year=2018, eligible_share=0.64,
                  definition="Personnes en parcours emploi compétences, rapportées aux 15-64 ans résidant dans les "
                             "QPV du territoire."),
    DemoIndicator("creation_entreprises", "Taux de création d'entreprises", "Business creation rate", "emploi",
                  "travail", PCT, "higher_is_better", "result", 12.0, 0.02, 1.25, 1.1, 0.15, upper=50,
                  definition="Créations d'entreprises rapportées au stock d'entreprises au 1er janvier."),
    # Éducation et jeunesse
    DemoIndicator("reussite_brevet", "Taux de réussite au diplôme national du brevet",
                  "Pass rate, lower-secondary diploma (brevet)", "education", "education", PCT, "higher_is_better",
                  "result", 86.5, 0.001, 0.89, 0.96, 0.05, upper=99.5, gap_trend=0.002,
                  definition="Part des candidats scolarisés dans les collèges du territoire ayant obtenu le DNB."),
    DemoIndicator("retard_entree_6e", "Élèves entrant en 6e avec au moins un an de retard",
                  "Pupils entering lower secondary at least one year late", "education", "education", PCT,
                  "higher_is_worse", "result", 10.5, -0.07, 1.7, 1.2, 0.2, upper=50,
                  definition="Part des élèves de 6e ayant au moins un an de retard scolaire."),
    DemoIndicator("sans_diplome", "Part des 15 ans et plus non scolarisés sans diplôme",
                  "Share of people 15+ out of school with no diploma", "education", "education", PCT,
                  "higher_is_worse", "context", 29.0, -0.018, 1.5, 1.15, 0.12, upper=85,
                  definition="Part des personnes de 15 ans ou plus non scolarisées sans aucun diplôme."),
    DemoIndicator("classes_dedoublees", "Élèves de CP-CE1 en classes dédoublées", "Pupils in halved CP-CE1 classes",
                  "education", "education", PCT, "higher_is_better", "means", 2.0, 0.9, 3.2, 1.6, 0.15, upper=100,
                  start_year=2017, eligible_share=0.025,
                  definition="Élèves de CP et CE1 scolarisés dans des classes à 12 élèves, rapportés aux élèves "
                             "de ces niveaux résidant dans les QPV du territoire."),
    DemoIndicator("scolarisation_2ans", "Taux de scolarisation à 2 ans", "Enrolment rate at age 2", "education",
                  "education", PCT, "higher_is_better", "means", 11.8, -0.02, 1.7, 1.2, 0.3, upper=80,
                  definition="Part des enfants de 2 ans scolarisés en école maternelle."),
    DemoIndicator("cites_educatives", "Jeunes couverts par une cité éducative",
                  "Young people covered by a cité éducative",
                  "education", "education", PCT, "higher_is_better", "means", 0.0, 0.0, 1.0, 1.0, 0.5, upper=100,
                  start_year=2019, eligible_share=0.33,
                  definition="Jeunes de 0 à 25 ans résidant dans le périmètre d'une cité éducative, rapportés aux "
                             "jeunes de cet âge résidant dans les QPV du territoire."),
    DemoIndicator("orientation_generale", "Élèves orientés en seconde générale et technologique",
                  "Pupils going on to general and technological upper secondary", "education", "education", PCT,
                  "higher_is_better", "result", 64.0, 0.004, 0.82, 0.95, 0.06, upper=95,
                  definition="Part des élèves de 3e orientés en seconde générale et technologique."),
    # Santé
    DemoIndicator("medecins_generalistes", "Médecins généralistes pour 10 000 habitants",
                  "General practitioners per 10,000 inhabitants", "sante", "sante", "pour 10 000 hab.",
                  "higher_is_better", "means", 9.3, -0.012, 0.58, 1.1, 0.25, upper=40,
                  definition="Médecins généralistes libéraux exerçant dans le territoire, pour 10 000 habitants."),
    DemoIndicator("complementaire_sante_solidaire", "Bénéficiaires de la complémentaire santé solidaire",
                  "Beneficiaries of the solidarity health insurance", "sante", "sante", PCT, "neutral", "context",
                  10.5, 0.01, 2.9, 1.4, 0.2, upper=80,
                  definition="Part de la population couverte par la complémentaire santé solidaire (ex-CMU-C)."),
    DemoIndicator("esperance_vie", "Espérance de vie à la naissance", "Life expectancy at birth", "sante", "sante",
                  "années", "higher_is_better", "result", 82.4, 0.0012, 0.965, 0.99, 0.012, upper=90,
                  secret_below=2000, definition="Nombre moyen d'années de vie d'une génération soumise aux "
                                               "conditions de mortalité de l'année (estimation lissée sur 5 ans)."),
    DemoIndicator("couverture_vaccinale_ror", "Couverture vaccinale ROR deux doses à 24 mois",
                  "MMR two-dose vaccination coverage at 24 months", "sante", "sante", PCT, "higher_is_better",
                  "result", 80.0, 0.012, 0.94, 0.98, 0.04, upper=99,
                  definition="Part des enfants de 24 mois ayant reçu deux doses de vaccin ROR."),
    DemoIndicator("acces_maison_sante", "Habitants à moins de 15 minutes d'une maison de santé",
                  "Inhabitants within 15 minutes of a health centre", "sante", "sante", PCT, "higher_is_better",
                  "means", 55.0, 0.03, 1.15, 1.1, 0.15, upper=100,
                  definition="Part des habitants résidant à moins de 15 minutes à pied d'une maison ou d'un centre "
                             "de santé pluriprofessionnel."),
    # Sécurité et justice
    DemoIndicator("atteintes_personnes", "Atteintes volontaires à l'intégrité physique pour 1 000 habitants",
                  "Violent assaults per 1,000 inhabitants", "securite", "interieur", "pour 1 000 hab.",
                  "higher_is_worse", "result", 7.8, 0.045, 1.7, 1.35, 0.25,
                  definition="Violences physiques et sexuelles enregistrées par la police et la gendarmerie, "
                             "rapportées à la population."),
    DemoIndicator("cambriolages", "Cambriolages de logements pour 1 000 logements",
                  "Burglaries per 1,000 dwellings", "securite", "interieur", "pour 1 000 logements",
                  "higher_is_worse", "result", 10.0, -0.03, 0.85, 1.2, 0.3,
                  definition="Cambriolages de résidences principales et secondaires enregistrés."),
    DemoIndicator("sentiment_insecurite", "Habitants se sentant en insécurité dans leur quartier",
                  "Residents feeling unsafe in their neighbourhood", "securite", "interieur", PCT, "higher_is_worse",
                  "result", 10.8, 0.005, 2.3, 1.3, 0.2, upper=80,
                  definition="Part des personnes de 14 ans ou plus déclarant se sentir parfois ou souvent en "
                             "insécurité dans leur quartier."),
    DemoIndicator("presence_policiere", "Effectifs de sécurité de proximité pour 10 000 habitants",
                  "Community police staff per 10,000 inhabitants", "securite", "interieur", "ETP pour 10 000 hab.",
                  "higher_is_better", "means", 14.0, 0.01, 1.5, 1.3, 0.25,
                  definition="Équivalents temps plein de policiers et gendarmes affectés à la sécurité du "
                             "quotidien."),
    DemoIndicator("points_justice", "Points-justice pour 100 000 habitants",
                  "Legal advice points per 100,000 inhabitants",
                  "securite", "justice", "pour 100 000 hab.", "higher_is_better", "means", 3.0, 0.06, 1.8, 1.3, 0.4,
                  definition="Lieux d'accès au droit (points-justice, maisons de justice et du droit)."),
    DemoIndicator("travaux_interet_general", "Mesures de travail d'intérêt général (couverture)",
                  "Community service orders carried out (coverage)", "securite", "justice", PCT, "higher_is_better",
                  "means", 0.6, 0.05, 1.6, 1.2, 0.35, decimals=2, upper=10, eligible_share=0.1,
                  definition="Personnes ayant exécuté un travail d'intérêt général, rapportées aux 16-25 ans "
                             "résidant dans les QPV du territoire."),
    DemoIndicator("recidive", "Taux de récidive des personnes condamnées", "Reoffending rate", "securite", "justice",
                  PCT, "higher_is_worse", "result", 31.0, 0.002, 1.15, 1.05, 0.1, upper=80,
                  definition="Part des personnes condamnées l'année N et de nouveau condamnées dans les deux ans."),
    # Logement et cadre de vie
    DemoIndicator("logements_sociaux", "Part des logements sociaux", "Share of social housing", "logement",
                  "transition_ecologique", PCT, "neutral", "context", 16.8, 0.004, 3.7, 1.6, 0.15, upper=98,
                  definition="Part des logements locatifs sociaux dans les résidences principales."),
    DemoIndicator("suroccupation", "Part des logements suroccupés", "Share of overcrowded dwellings", "logement",
                  "transition_ecologique", PCT, "higher_is_worse", "result", 5.0, 0.005, 3.1, 1.6, 0.25, upper=60,
                  definition="Part des résidences principales dont le nombre de pièces est inférieur à la norme."),
    DemoIndicator("logements_renoves_npnru", "Logements réhabilités par le renouvellement urbain (couverture)",
                  "Dwellings refurbished under urban renewal (coverage)", "logement", "transition_ecologique", PCT,
                  "higher_is_better", "means", 0.5, 0.25, 3.0, 1.0, 0.5, decimals=2, upper=80, start_year=2016,
                  eligible_share=0.42,
                  definition="Logements réhabilités dans le cadre du NPNRU (cumul), rapportés aux logements des QPV "
                             "du territoire ; bénéficiaires : ménages concernés."),
    DemoIndicator("passoires_thermiques", "Logements classés F ou G au diagnostic de performance énergétique",
                  "Dwellings rated F or G for energy performance", "logement", "transition_ecologique", PCT,
                  "higher_is_worse", "result", 17.0, -0.035, 0.85, 1.0, 0.25, upper=70,
                  definition="Part des résidences principales dont l'étiquette énergie est F ou G."),
    DemoIndicator("acces_espaces_verts", "Habitants à moins de 300 m d'un espace vert",
                  "Inhabitants within 300 m of a green space", "logement", "transition_ecologique", PCT,
                  "higher_is_better", "means", 68.0, 0.005, 1.05, 1.05, 0.12, upper=100,
                  definition="Part des habitants résidant à moins de 300 m d'un parc ou jardin public."),
    DemoIndicator("temps_acces_centre", "Temps d'accès au centre-ville en transports en commun",
                  "Public transport time to the town centre", "logement", "transition_ecologique", "min",
                  "higher_is_worse", "result", 24.0, -0.01, 1.2, 1.0, 0.25, decimals=0, upper=120,
                  definition="Durée médiane d'un trajet en transports en commun vers le centre de la commune."),
    # Culture et sport
    DemoIndicator("equipements_culturels", "Équipements culturels pour 10 000 habitants",
                  "Cultural venues per 10,000 inhabitants", "culture", "culture", "pour 10 000 hab.",
                  "higher_is_better", "means", 6.4, 0.01, 0.5, 1.2, 0.35,
                  definition="Bibliothèques, conservatoires, cinémas, salles de spectacle et musées."),
    DemoIndicator("pass_culture", "Jeunes de 18 ans ayant activé le pass Culture (couverture)",
                  "18-year-olds who activated the pass Culture (coverage)", "culture", "culture", PCT,
                  "higher_is_better", "means", 0.0, 0.0, 0.78, 0.95, 0.15, upper=100, start_year=2021,
                  eligible_share=0.014,
                  definition="Jeunes de 18 ans ayant activé le pass Culture, rapportés aux jeunes de 18 ans "
                             "résidant dans les QPV du territoire."),
    DemoIndicator("education_artistique", "Élèves bénéficiant d'éducation artistique et culturelle (couverture)",
                  "Pupils reached by arts and cultural education (coverage)", "culture", "culture", PCT,
                  "higher_is_better", "means", 62.0, 0.04, 0.95, 1.0, 0.15, upper=100, eligible_share=0.16,
                  definition="Élèves ayant bénéficié d'au moins une action d'éducation artistique et culturelle "
                             "dans l'année, rapportés aux élèves résidant dans les QPV du territoire."),
    DemoIndicator("licencies_sportifs", "Licences sportives pour 100 habitants", "Sports licences per 100 inhabitants",
                  "culture", None, "pour 100 hab.", "higher_is_better", "context", 23.5, 0.002, 0.55, 0.85, 0.2,
                  definition="Licences délivrées par les fédérations sportives agréées."),
    # Démographie
    DemoIndicator("part_moins_25", "Part des moins de 25 ans", "Share of under-25s", "demographie", None, PCT,
                  "neutral", "context", 30.3, -0.003, 1.3, 1.05, 0.08, upper=70,
                  definition="Part des personnes âgées de moins de 25 ans dans la population."),
    DemoIndicator("familles_monoparentales", "Part des familles monoparentales", "Share of single-parent families",
                  "demographie", None, PCT, "neutral", "context", 15.3, 0.012, 1.9, 1.3, 0.15, upper=70,
                  definition="Part des familles avec enfants de moins de 25 ans composées d'un seul parent."),
    DemoIndicator("part_etrangers", "Part des personnes de nationalité étrangère", "Share of foreign nationals",
                  "demographie", None, PCT, "neutral", "context", 6.6, 0.015, 3.2, 1.6, 0.35, upper=80,
                  secret_below=500, definition="Part des personnes n'ayant pas la nationalité française."),
    DemoIndicator("indice_jeunesse", "Indice de jeunesse (moins de 20 ans / 60 ans et plus)",
                  "Youth index (under 20 / 60 and over)", "demographie", None, "ratio", "neutral", "context", 0.98,
                  -0.015, 1.9, 1.1, 0.2, decimals=2,
                  definition="Rapport entre la population de moins de 20 ans et celle de 60 ans et plus."),
    # Services publics
    DemoIndicator("acces_france_services", "Habitants à moins de 20 minutes d'une France services",
                  "Inhabitants within 20 minutes of a France services centre", "services", "transition_ecologique",
                  PCT, "higher_is_better", "means", 40.0, 0.09, 1.3, 1.2, 0.2, upper=100, start_year=2015,
                  definition="Part des habitants à moins de 20 minutes (à pied ou en transports) d'un espace "
                             "labellisé France services (maisons de services au public avant 2020)."),
    DemoIndicator("points_contact_poste", "Points de contact La Poste pour 10 000 habitants",
                  "Post office contact points per 10,000 inhabitants", "services", "transition_ecologique",
                  "pour 10 000 hab.", "higher_is_better", "means", 2.6, -0.01, 0.6, 0.8, 0.3, decimals=2,
                  definition="Bureaux de poste, agences communales et relais poste."),
    DemoIndicator("raccordement_fibre", "Locaux raccordables à la fibre optique", "Premises with fibre available",
                  "services", "transition_ecologique", PCT, "higher_is_better", "means", 20.0, 0.19, 1.15, 1.2,
                  0.2, upper=100,
                  definition="Part des logements et locaux professionnels éligibles au très haut débit par fibre."),
    DemoIndicator("commerces_proximite", "Commerces de proximité pour 1 000 habitants",
                  "Local shops per 1,000 inhabitants", "services", None, "pour 1 000 hab.", "higher_is_better",
                  "context", 3.0, -0.005, 0.6, 1.1, 0.3, decimals=2,
                  definition="Boulangeries, épiceries, pharmacies et commerces alimentaires de proximité."),
)

# Monthly national and departmental series, as the government barometer has.
MONTHLY_INDICATORS = ("contrat_engagement_jeune", "parcours_emploi_competences", "taux_chomage")

# Seven ministries' commitments: (id, ministry, measure, indicator, target multiplier).
COMMITMENTS = (
    ("cult-1", "culture", "Généraliser l'éducation artistique et culturelle dans les écoles des quartiers",
     "education_artistique", 1.12),
    ("cult-2", "culture", "Ouvrir des équipements culturels de proximité", "equipements_culturels", 1.15),
    ("cult-3", "culture", "Faire activer le pass Culture par les jeunes des quartiers", "pass_culture", 1.10),
    ("educ-1", "education", "Dédoubler les classes de CP et de CE1 en éducation prioritaire", "classes_dedoublees",
     1.05),
    ("educ-2", "education", "Développer la scolarisation dès 2 ans", "scolarisation_2ans", 1.30),
    ("educ-3", "education", "Étendre les cités éducatives", "cites_educatives", 1.25),
    ("educ-4", "education", "Réduire le retard scolaire à l'entrée en 6e", "retard_entree_6e", 0.85),
    ("inter-1", "interieur", "Renforcer la présence de la police du quotidien", "presence_policiere", 1.10),
    ("inter-2", "interieur", "Réduire les violences aux personnes", "atteintes_personnes", 0.92),
    ("inter-3", "interieur", "Réduire le sentiment d'insécurité", "sentiment_insecurite", 0.85),
    ("just-1", "justice", "Rapprocher l'accès au droit des habitants", "points_justice", 1.30),
    ("just-2", "justice", "Développer le travail d'intérêt général", "travaux_interet_general", 1.25),
    ("just-3", "justice", "Lutter contre la récidive", "recidive", 0.95),
    ("sante-1", "sante", "Attirer des médecins généralistes dans les quartiers", "medecins_generalistes", 1.12),
    ("sante-2", "sante", "Ouvrir des maisons et centres de santé de proximité", "acces_maison_sante", 1.15),
    ("sante-3", "sante", "Améliorer la couverture vaccinale des jeunes enfants", "couverture_vaccinale_ror", 1.04),
    ("tet-1", "transition_ecologique", "Réhabiliter les logements par le renouvellement urbain",
     "logements_renoves_npnru", 1.6),
    ("tet-2", "transition_ecologique", "Rénover les passoires thermiques", "passoires_thermiques", 0.8),
    ("tet-3", "transition_ecologique", "Implanter des espaces France services", "acces_france_services", 1.15),
    ("tet-4", "transition_ecologique", "Réduire la suroccupation des logements", "suroccupation", 0.92),
    ("trav-1", "travail", "Accompagner les jeunes en contrat d'engagement jeune", "contrat_engagement_jeune", 1.20),
    ("trav-2", "travail", "Réduire le chômage dans les quartiers", "taux_chomage", 0.88),
    ("trav-3", "travail", "Réduire la part des jeunes sans emploi ni formation", "neet", 0.88),
    ("trav-4", "travail", "Développer les parcours emploi compétences", "parcours_emploi_competences", 1.2),
)
