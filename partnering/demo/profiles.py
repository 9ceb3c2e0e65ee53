"""Who comes to the demo event: people with names of their country, fictional organisations
of each type, job titles, topics and what they offer and seek. Everything is drawn from a
`random.Random`, so a seed gives the same people every time.

The organisations are invented (no real company is named); universities and clusters are
named after real cities and regions, as visitors would expect.

Over 400 lines for a reason: most of it is name data (given names, family names,
organisations, topics per country and type), read best as one table next to the few
functions that draw from it.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

TOPICS = (
    "Oncology",
    "Immunology & inflammation",
    "Neuroscience & CNS",
    "Rare diseases",
    "Infectious diseases & vaccines",
    "Cell & gene therapy",
    "Regenerative medicine & iPS cells",
    "Antibodies & biologics",
    "Drug discovery platforms",
    "Diagnostics & biomarkers",
    "Medical devices",
    "Digital health & AI",
)


@dataclass(frozen=True)
class Country:
    name: str
    given_names: tuple[str, ...]
    family_names: tuple[str, ...]
    cities: tuple[str, ...]
    company_suffix: str
    domain: str


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


COUNTRIES: dict[str, Country] = {
    c.name: c
    for c in (
        Country(
            "Japan",
            _names(
                "Aiko Haruto Yui Sota Hina Ren Mei Yuto Sakura Kaito Riko Daiki Emi Kenji "
                "Naoko Takeshi Yuka Hiroshi Misaki Shota Ayaka Kazuki Mayu Ryo"
            ),
            _names(
                "Tanaka Suzuki Takahashi Watanabe Ito Yamamoto Nakamura Kobayashi Kato "
                "Yoshida Yamada Sasaki Matsumoto Inoue Kimura Hayashi Shimizu Mori Ikeda "
                "Hashimoto Ishikawa Okada Fujita Ogawa"
            ),
            ("Osaka", "Kyoto", "Kobe", "Tokyo", "Yokohama", "Sendai", "Fukuoka"),
            "K.K.",
            "jp",
        ),
        Country(
            "France",
            _names("Camille Louis Chloé Hugo Léa Antoine Manon Julien Claire Thomas Inès Mathieu"),
            _names("Martin Bernard Dubois Laurent Moreau Lefèvre Girard Bonnet Rousseau Fontaine"),
            ("Lyon", "Paris", "Strasbourg", "Toulouse", "Marseille", "Montpellier"),
            "SAS",
            "fr",
        ),
        Country(
            "Germany",
            _names("Lukas Anna Felix Lea Jonas Katharina Maximilian Sophie Tobias Julia Jan"),
            _names("Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Koch Richter"),
            ("Munich", "Heidelberg", "Berlin", "Hamburg", "Mainz", "Cologne"),
            "GmbH",
            "de",
        ),
        Country(
            "Spain",
            _names("Lucía Pablo María Javier Carmen Alejandro Elena Diego Marta Sergio"),
            _names("García Fernández González Rodríguez López Martínez Sánchez Romero Navarro"),
            ("Barcelona", "Madrid", "Valencia", "Seville", "Bilbao"),
            "S.L.",
            "es",
        ),
        Country(
            "Italy",
            _names("Giulia Marco Francesca Alessandro Chiara Luca Sara Matteo Elena Davide"),
            _names("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco"),
            ("Milan", "Turin", "Rome", "Bologna", "Naples", "Siena"),
            "S.r.l.",
            "it",
        ),
        Country(
            "United States",
            _names("Emily Michael Sarah David Jessica Andrew Rachel Daniel Megan Kevin Laura"),
            _names("Smith Johnson Williams Brown Miller Davis Wilson Anderson Taylor Thompson"),
            ("Boston", "San Diego", "San Francisco", "Philadelphia", "Raleigh"),
            "Inc.",
            "us",
        ),
        Country(
            "Canada",
            _names("Olivia Liam Emma Noah Charlotte Ethan Amélie Gabriel Hannah Owen"),
            _names("Tremblay Roy Gagnon Campbell MacDonald Leblanc Chen Wong Stewart Martin"),
            ("Toronto", "Montreal", "Vancouver", "Ottawa"),
            "Inc.",
            "ca",
        ),
        Country(
            "Brazil",
            _names("Ana João Beatriz Gabriel Mariana Rafael Larissa Lucas Camila Thiago"),
            _names("Silva Santos Oliveira Souza Pereira Costa Almeida Carvalho Ribeiro Lima"),
            ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Campinas"),
            "Ltda.",
            "br",
        ),
        Country(
            "China",
            _names("Wei Fang Jing Lei Xiaoming Yan Hao Min Jun Ling Tao Xin"),
            _names("Wang Li Zhang Liu Chen Yang Huang Zhao Zhou Wu Xu Sun"),
            ("Shanghai", "Suzhou", "Beijing", "Shenzhen", "Hangzhou"),
            "Co., Ltd.",
            "cn",
        ),
        Country(
            "South Korea",
            _names("Minjun Seoyeon Jiho Jiwoo Hyunwoo Soyeon Jaewon Yuna Dohyun Eunji"),
            _names("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim"),
            ("Seoul", "Incheon", "Daejeon", "Osong"),
            "Co., Ltd.",
            "kr",
        ),
        Country(
            "Australia",
            _names("Charlotte Jack Isla William Amelia Oliver Mia James Grace Lachlan"),
            _names("Smith Jones Williams Brown Wilson Taylor Nguyen Kelly Ryan Harris"),
            ("Melbourne", "Sydney", "Brisbane", "Adelaide"),
            "Pty Ltd",
            "au",
        ),
    )
}

# Most people at an Osaka event come from Japan; the rest from the usual partner countries.
COUNTRY_WEIGHTS: dict[str, float] = {
    "Japan": 0.45,
    "France": 0.08,
    "Germany": 0.08,
    "United States": 0.08,
    "Spain": 0.05,
    "Italy": 0.05,
    "Canada": 0.04,
    "South Korea": 0.05,
    "China": 0.05,
    "Australia": 0.04,
    "Brazil": 0.03,
}

# Organisation type: (share of organisations, how much its people ask, how much they are asked)
KINDS: dict[str, tuple[float, float, float]] = {
    "sme": (0.42, 1.6, 0.8),
    "academia": (0.16, 1.0, 0.8),
    "service": (0.12, 1.3, 0.4),
    "cluster": (0.08, 0.8, 0.7),
    "pharma": (0.12, 0.4, 6.0),
    "investor": (0.10, 0.4, 5.0),
}
OVER_REQUESTED = frozenset({"pharma", "investor"})

_STEMS = (
    "Kinase Helix Neuro Immuno Vita Cyto Geno Onco Regen Myco Lumi Axo Thera Bio Cellu Nano "
    "Proteo Epi Sirna Vector Astra Sora Hikari Mirai Kibo Aurora Nova Vero Orion Sakura"
).split()
_ENDINGS = "genix vance tica logic path nova sys gen med rix cure core".split()
_SME_WORDS = ("Therapeutics", "Biosciences", "Bio", "Medical", "Pharma", "Diagnostics")
_SERVICE_WORDS = ("CRO", "Analytics", "Regulatory Services", "Bioprocessing", "Labs")
_PHARMA_WORDS = ("Pharmaceutical", "Pharma", "Life Sciences", "Healthcare")
_INVESTOR_PATTERNS = (
    "{stem} Life Science Ventures",
    "{city} Bio Capital",
    "{stem}{ending} Partners",
    "{city} Innovation Fund",
    "{stem} Health Investments",
)
_ACADEMIA_PATTERNS = (
    "{city} University, Graduate School of Medicine",
    "{city} Institute of Biomedical Research",
    "{city} University Hospital, Clinical Research Center",
    "{city} Institute of Technology, Bioengineering",
)
_CLUSTER_PATTERNS = ("{city} Bio Cluster", "{city} Life Science Promotion Agency")

JOB_TITLES: dict[str, tuple[str, ...]] = {
    "sme": (
        "CEO & Founder",
        "Chief Scientific Officer",
        "Head of Business Development",
        "Chief Medical Officer",
        "Co-founder & CTO",
    ),
    "pharma": (
        "Head of Search & Evaluation",
        "Director, External Innovation",
        "Licensing Director",
        "Senior Manager, Business Development",
        "Scouting Lead, Open Innovation",
    ),
    "investor": ("Partner", "Principal", "Investment Director", "Venture Partner", "Associate"),
    "academia": (
        "Professor",
        "Associate Professor",
        "Technology Transfer Manager",
        "Research Group Leader",
    ),
    "cluster": ("Director", "International Project Manager", "Business Development Officer"),
    "service": ("Business Development Manager", "Head of Sales", "Scientific Account Manager"),
}

_OFFERS: dict[str, tuple[str, ...]] = {
    "sme": (
        "A preclinical {topic} programme with in vivo proof of concept and a filed patent.",
        "A first-in-class {topic} asset entering phase I next year.",
        "A platform for {topic} validated on three targets, open to co-development.",
    ),
    "pharma": (
        "Licensing, co-development and research collaborations in {topic}.",
        "Early-stage partnering in {topic}: option deals and sponsored research.",
    ),
    "investor": (
        "Seed to Series B financing (1-15 million) for {topic} companies.",
        "Board experience and syndicate network for {topic} start-ups.",
    ),
    "academia": (
        "Patented {topic} technology available for licensing.",
        "Joint research on {topic} with access to patient cohorts and imaging.",
    ),
    "cluster": (
        "Introductions to {region} companies and soft-landing support.",
        "Grants and matchmaking programmes for companies coming to {region}.",
    ),
    "service": (
        "GLP {topic} studies, assay development and regulatory support.",
        "Process development and GMP manufacturing for {topic} products.",
    ),
}
_SEEKS: dict[str, tuple[str, ...]] = {
    "sme": (
        "A pharma partner to license or co-develop our {topic} lead.",
        "Series A investors and a clinical partner in Japan.",
        "Distribution partners in Asia for our {topic} product.",
    ),
    "pharma": (
        "Differentiated {topic} assets from late preclinical to phase II.",
        "Novel modalities and platforms in {topic}.",
    ),
    "investor": (
        "Start-ups with strong teams and differentiated {topic} platforms.",
        "Co-investors for cross-border {topic} deals.",
    ),
    "academia": (
        "Industry partners to take our {topic} research to the clinic.",
        "Funding and licensees for {topic} inventions.",
    ),
    "cluster": (
        "Companies looking to expand to {region}.",
        "Partners for an international {topic} consortium.",
    ),
    "service": (
        "Biotechs needing outsourced {topic} R&D.",
        "Long-term partners for {topic} development projects.",
    ),
}
_DESCRIPTIONS: dict[str, str] = {
    "sme": "{org} is a {city}-based biotech company working on {topic}.",
    "pharma": "{org} is a research-based pharmaceutical company with a pipeline in {topic}.",
    "investor": "{org} invests in life science companies from {city} and abroad.",
    "academia": "Research group at {org}, focused on {topic}.",
    "cluster": "{org} supports the life science ecosystem of the {city} region.",
    "service": "{org} is a service provider for drug developers, based in {city}.",
}

REQUEST_MESSAGES = (
    "Hello {name}, we are working on {topic} and would value your view on a partnership.",
    "Dear {name}, I would like to present our {topic} programme and hear your priorities.",
    "Hi {name}, your interest in {topic} matches our work. Could we meet for 30 minutes?",
    "Dear {name}, we are looking for partners in {topic}; I think there is a fit.",
    "Hello {name}, I would like to learn more about your activities in {topic}.",
)


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    country: str
    city: str
    domain: str


@dataclass(frozen=True)
class DemoPerson:
    name: str
    email: str
    organisation: DemoOrganisation
    job_title: str
    topics: tuple[str, ...]
    offer: str
    seek: str
    description: str


def draw_organisation(rng: random.Random, taken: set[str]) -> DemoOrganisation:
    """A new organisation with a name nobody else at the event has."""
    kinds = list(KINDS)
    kind = rng.choices(kinds, [KINDS[k][0] for k in kinds])[0]
    country = COUNTRIES[rng.choices(list(COUNTRY_WEIGHTS), list(COUNTRY_WEIGHTS.values()))[0]]
    city = rng.choice(country.cities)
    for _ in range(50):
        name = _organisation_name(rng, kind, country, city)
        if name not in taken:
            break
    else:
        name = f"{name} {len(taken) + 1}"
    taken.add(name)
    domain = re.sub(r"[^a-z0-9]+", "", name.lower().split(",")[0])[:24]
    return DemoOrganisation(name, kind, country.name, city, f"{domain}.example")


def _organisation_name(rng: random.Random, kind: str, country: Country, city: str) -> str:
    stem, ending = rng.choice(_STEMS), rng.choice(_ENDINGS)
    if kind == "sme":
        return f"{stem}{ending} {rng.choice(_SME_WORDS)} {country.company_suffix}"
    if kind == "service":
        return f"{stem}{ending} {rng.choice(_SERVICE_WORDS)} {country.company_suffix}"
    if kind == "pharma":
        return f"{stem} {rng.choice(_PHARMA_WORDS)} {country.company_suffix}"
    if kind == "investor":
        return rng.choice(_INVESTOR_PATTERNS).format(stem=stem, ending=ending, city=city)
    if kind == "academia":
        return rng.choice(_ACADEMIA_PATTERNS).format(city=city)
    return rng.choice(_CLUSTER_PATTERNS).format(city=city)


def draw_person(
    rng: random.Random,
    organisation: DemoOrganisation,
    taken_names: set[str],
    taken_emails: set[str],
) -> DemoPerson:
    """A person of `organisation`, named unlike everyone so far while the country's names
    allow it (two people with the same name in a directory look like a mistake)."""
    country = COUNTRIES[organisation.country]
    for _ in range(30):
        given, family = rng.choice(country.given_names), rng.choice(country.family_names)
        if f"{given} {family}" not in taken_names:
            break
    taken_names.add(f"{given} {family}")
    email = _unique_email(f"{given}.{family}", organisation.domain, taken_emails)
    topics = tuple(sorted(rng.sample(TOPICS, rng.randint(2, 4)), key=TOPICS.index))
    main_topic = in_a_sentence(topics[0])
    fill = {"topic": main_topic, "region": organisation.city, "org": organisation.name}
    return DemoPerson(
        name=f"{given} {family}",
        email=email,
        organisation=organisation,
        job_title=rng.choice(JOB_TITLES[organisation.kind]),
        topics=topics,
        offer=rng.choice(_OFFERS[organisation.kind]).format(**fill),
        seek=rng.choice(_SEEKS[organisation.kind]).format(**fill),
        description=_DESCRIPTIONS[organisation.kind].format(city=organisation.city, **fill),
    )


def request_message(rng: random.Random, recipient: DemoPerson, sender: DemoPerson) -> str:
    shared = [t for t in sender.topics if t in recipient.topics] or list(sender.topics)
    first_name = recipient.name.split()[0]
    topic = in_a_sentence(rng.choice(shared))
    return rng.choice(REQUEST_MESSAGES).format(name=first_name, topic=topic)


def in_a_sentence(topic: str) -> str:
    """A topic written inside a sentence: lower case, acronyms kept (CNS, AI, iPS)."""
    return " ".join(w if any(c.isupper() for c in w[1:]) else w.lower() for w in topic.split())


def _unique_email(local: str, domain: str, taken: set[str]) -> str:
    ascii_local = re.sub(r"[^a-z0-9.]+", "", _fold(local.lower()))
    email, n = f"{ascii_local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{ascii_local}{n}@{domain}"
    taken.add(email)
    return email


def _fold(text: str) -> str:
    """Accents off, so e-mail addresses stay plain ASCII (Chloé -> chloe, Müller -> muller)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
