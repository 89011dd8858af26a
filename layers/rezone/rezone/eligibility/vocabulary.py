"""The answers a simulation can carry: names, types, French labels, bounds and dependencies.

One table, :data:`QUESTIONS`, is the single description of every answer name (DESIGN.md,
"Vocabulary"): the questionnaire (JSON Schema per profession) and the API's typed request model are
both generated from it, and the rule files may only name answers listed here (checked at build).
"""

from typing import NamedTuple

__all__ = ["ALWAYS_ASKED", "QUESTIONS", "QUESTION_NAMES", "Question"]


class Question(NamedTuple):
    name: str
    type: str  # "boolean", "integer", "number", "date", "string", "enum"
    title: str
    description: str
    enum: tuple[tuple[str, str], ...] = ()  # (value, French label)
    minimum: float | None = None
    maximum: float | None = None
    nullable: bool = False
    depends_on: dict | None = None  # {"answer": [values that make this question relevant]}


_YES_NO_HELP = "Répondez oui ou non."

QUESTIONS: tuple[Question, ...] = (
    Question(
        "project",
        "enum",
        "Votre projet",
        "Situation qui décide des contrats accessibles : installation (ou installation de moins d'un an), "
        "cabinet secondaire, activité déjà installée, remplacement ou jours de solidarité.",
        enum=(
            ("installation", "Je m'installe (ou je suis installé depuis moins d'un an)"),
            ("secondary_practice", "J'ouvre un cabinet secondaire"),
            ("already_installed", "Je suis déjà installé (depuis plus d'un an)"),
            ("replacement", "Je suis remplaçant"),
            (
                "solidarity_days",
                "J'exerce quelques jours dans une zone prioritaire (solidarité territoriale)",
            ),
        ),
    ),
    Question(
        "first_liberal_installation",
        "boolean",
        "Première installation en libéral",
        "S'agit-il de votre première installation en exercice libéral conventionné (cabinet principal) ?",
    ),
    Question(
        "installation_date",
        "date",
        "Date d'installation",
        "Date (AAAA-MM-JJ) de l'installation dans la zone, passée ou prévue. Sans réponse, la date de la "
        "simulation est utilisée.",
    ),
    Question(
        "secteur",
        "enum",
        "Secteur conventionnel",
        "Secteur d'exercice conventionné (médecins).",
        enum=(
            ("1", "Secteur 1 (honoraires opposables)"),
            ("2_optam", "Secteur 2 avec OPTAM ou OPTAM-ACO"),
            ("2", "Secteur 2 sans option de pratique tarifaire maîtrisée"),
        ),
    ),
    Question(
        "opposable_share_pct",
        "number",
        "Part de l'activité à tarif opposable (%)",
        "Pour un médecin en secteur 2 : part de l'activité réalisée à tarif opposable, qui proratise "
        "certains contrats (COSCOM, COTRAM, CSTM).",
        minimum=0,
        maximum=100,
        depends_on={"secteur": ["2_optam", "2"]},
    ),
    Question(
        "days_per_week",
        "number",
        "Jours d'activité par semaine dans la zone",
        "Nombre de jours (demi-journées comptées 0,5) d'exercice par semaine dans la zone.",
        minimum=0,
        maximum=7,
    ),
    Question(
        "coordinated_practice",
        "boolean",
        "Exercice coordonné",
        "Exercez-vous en groupe, en maison de santé pluriprofessionnelle (MSP), en équipe de soins "
        "primaires (ESP) ou en communauté professionnelle territoriale de santé (CPTS) ?",
    ),
    Question(
        "coordinated_practice_within_2_years",
        "boolean",
        "Exercice coordonné sous deux ans",
        "Vous engagez-vous à rejoindre un exercice coordonné (groupe, MSP, ESP, CPTS) dans les deux ans ?",
        depends_on={"coordinated_practice": [False]},
    ),
    Question(
        "pdsa",
        "boolean",
        "Permanence des soins (PDSA)",
        "Participez-vous (ou vous engagez-vous à participer) à la permanence des soins ambulatoires ?",
    ),
    Question(
        "hopital_proximite",
        "boolean",
        "Activité en hôpital de proximité",
        "Exercez-vous une partie de votre activité dans un hôpital de proximité ?",
    ),
    Question(
        "in_qpv",
        "boolean",
        "Cabinet dans un quartier prioritaire (QPV)",
        "Le cabinet est-il situé dans un quartier prioritaire de la politique de la ville (QPV) ? "
        "Le zonage propre d'un QPV prévaut sur celui de sa commune.",
    ),
    Question(
        "qpv_code",
        "string",
        "Code du QPV",
        "Code du quartier prioritaire (ex. QN01304M) lorsque la commune en compte plusieurs.",
        depends_on={"in_qpv": [True]},
    ),
    Question(
        "ars_majoration_zone",
        "boolean",
        "Zone de majoration ARS (« ZIP+ »)",
        "La zone figure-t-elle sur la liste ARS des zones les plus fragiles ouvrant droit à une "
        "majoration des contrats (ex. « ZIP+ » en Île-de-France) ?",
    ),
    Question(
        "medecin_traitant",
        "boolean",
        "Médecin traitant",
        "Êtes-vous (ou serez-vous) médecin traitant de vos patients (forfait médecin traitant) ?",
    ),
    Question(
        "fmt_annual_eur",
        "number",
        "Forfait médecin traitant annuel (€)",
        "Montant annuel estimé de votre forfait médecin traitant (FMT) socle, sur lequel s'appliquent "
        "les majorations.",
        minimum=0,
        maximum=1_000_000,
        depends_on={"medecin_traitant": [True]},
    ),
    Question(
        "secondary_ex_nihilo",
        "boolean",
        "Cabinet secondaire créé ex nihilo",
        "Le cabinet secondaire est-il une création nouvelle (et non la reprise du cabinet d'un confrère) ?",
        depends_on={"project": ["secondary_practice"]},
    ),
    Question("age", "integer", "Âge", "Votre âge en années.", minimum=18, maximum=100),
    Question(
        "hosts_successor_under_50",
        "boolean",
        "Accueil d'un successeur de moins de 50 ans",
        "Accueillez-vous dans votre cabinet un confrère de moins de 50 ans qui s'installe (ou est installé "
        "depuis moins d'un an) et que vous accompagnez ?",
    ),
    Question(
        "days_per_year_in_zip",
        "integer",
        "Jours par an d'exercice en ZIP",
        "Pour un médecin installé hors ZIP : nombre de jours par an d'activité libérale dans une ou "
        "plusieurs ZIP.",
        minimum=0,
        maximum=366,
    ),
    Question(
        "annual_fees_eur",
        "number",
        "Honoraires annuels (€)",
        "Honoraires conventionnels annuels (hors dépassements et forfaits).",
        minimum=0,
        maximum=10_000_000,
    ),
    Question(
        "annual_fees_in_zip_eur",
        "number",
        "Honoraires annuels réalisés en ZIP (€)",
        "Honoraires conventionnels annuels réalisés lors de l'activité en ZIP (hors dépassements et "
        "forfaits).",
        minimum=0,
        maximum=10_000_000,
    ),
    Question(
        "solidarity_days_per_month",
        "number",
        "Jours de consultation par mois en zone rouge",
        "Nombre de jours par mois consacrés à des consultations dans une intercommunalité prioritaire "
        "(« Un médecin près de chez vous »).",
        minimum=0,
        maximum=31,
    ),
    Question(
        "epci_zone_rouge",
        "boolean",
        "Intercommunalité « zone rouge »",
        "L'intercommunalité du lieu de consultation fait-elle partie des 151 intercommunalités "
        "prioritaires (« zones rouges ») ? La liste officielle complète n'est pas dans nos données.",
    ),
    Question(
        "replacement_days_per_quarter",
        "integer",
        "Jours de remplacement par trimestre",
        "Nombre de jours de remplacement par trimestre.",
        minimum=0,
        maximum=92,
        depends_on={"project": ["replacement"]},
    ),
    Question(
        "replacement_share_in_zone_pct",
        "number",
        "Part des remplacements en zone (%)",
        "Part des jours de remplacement effectués en ZIP, ZAC ou ZAR.",
        minimum=0,
        maximum=100,
        depends_on={"project": ["replacement"]},
    ),
    Question(
        "msu_commitment",
        "boolean",
        "Engagement maître de stage",
        "Vous engagez-vous à suivre la formation de maître de stage universitaire (MSU) puis à demander "
        "l'agrément ?",
    ),
    Question(
        "distance_from_previous_practice_km",
        "number",
        "Distance au précédent lieu d'installation (km)",
        "Pour un médecin déjà installé ailleurs : distance entre l'ancien et le nouveau lieu d'exercice.",
        minimum=0,
        maximum=20_000,
        depends_on={"first_liberal_installation": [False]},
    ),
    Question(
        "activity_share_in_zone_pct",
        "number",
        "Part de l'activité auprès de patients de la zone (%)",
        "Part de votre activité réalisée auprès de patients résidant dans la zone.",
        minimum=0,
        maximum=100,
    ),
    Question(
        "practice_type",
        "enum",
        "Type d'installation",
        "Création ou reprise d'un cabinet, ou installation dans un cabinet existant.",
        enum=(
            ("creation_or_takeover", "Création ou reprise d'un cabinet"),
            ("join_existing", "Installation dans un cabinet existant"),
        ),
        depends_on={"project": ["installation"]},
    ),
    Question(
        "other_incentive_contract",
        "boolean",
        "Autre contrat incitatif en cours",
        "Avez-vous un autre contrat incitatif démographique en cours ?",
    ),
    Question(
        "in_zrr",
        "boolean",
        "Commune en ZRR",
        "La commune du cabinet est-elle classée en zone de revitalisation rurale (ZRR) ? Utilisé seulement "
        "si nos données ne le disent pas (commune partiellement classée).",
    ),
    Question(
        "in_frr",
        "boolean",
        "Commune en France Ruralités Revitalisation (FRR)",
        "La commune du cabinet est-elle classée FRR ? Le classement FRR n'est pas dans nos données.",
    ),
    Question(
        "in_zfu",
        "boolean",
        "Cabinet en zone franche urbaine (ZFU-TE)",
        "Le cabinet est-il situé dans une zone franche urbaine – territoire entrepreneur ? Les périmètres "
        "ZFU-TE ne sont pas dans nos données.",
    ),
    Question(
        "last_installation_aid_date",
        "date",
        "Dernière aide à l'installation reçue",
        "Date (AAAA-MM-JJ) de la dernière aide à l'installation reçue, ou null si aucune. Une nouvelle aide "
        "de la même catégorie est exclue pendant 10 ans (décret 2025-231).",
        nullable=True,
    ),
)

QUESTION_NAMES: frozenset[str] = frozenset(q.name for q in QUESTIONS)

# Asked for every profession even if no rule names them (they frame the whole simulation).
ALWAYS_ASKED: tuple[str, ...] = ("project",)
