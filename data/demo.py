"""The embedded demo dataset: what a fresh clone shows with no download.

Everything is built in code, deterministically (fixed random seed), with no network and
no file reads, so ``streamlit run app.py`` shows data on a fresh clone. :func:`build_demo`
returns the tables of :mod:`data.schema`, each with the schema's columns, in schema
order, with the schema's pandas types.

What is real and what is not:

* **Real**: region codes, names and label-point coordinates (NUTS 2021, from Eurostat
  GISCO label points; Skåne län, a NUTS-3 region, from its approximate centre), and the
  Eurostat dataset codes named as the source of the outcome figures.
* **Illustrative**: the indicator framework (about 60 policy indicators classified on the
  four MIPEX-R axes), every score, every outcome figure and every Integration Lab
  practice. Scores are generated to follow the published REGIN findings *qualitatively*
  (health and education most favourable; labour market, housing and vocational training
  least; evaluation the weakest phase; external stakeholders involved only sporadically).
  They are not MIPEX-R results. The practices are fictional but plausible and do not
  describe real named programmes.

Gaps are built in on purpose, so that "no data" paths of the dashboard have something to
show: ~4 % of score rows are missing at random, one region lacks a whole area in one
edition, a few rows carry neither answer nor value (note "no information found"), one
indicator exists only in the 2024 edition, and some outcome figures are empty (flag
``u``). Skåne (SE224) is NUTS-3; Eurostat's regional labour-force figures stop at NUTS-2,
so its outcomes are given for its NUTS-2 proxy SE22 (Sydsverige), which is in the regions
table as an unscored parent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.schema import DEFAULT_FRAMEWORK, PANDAS_DTYPES, TABLES, parse_answers, split_list

ILLUSTRATIVE = True

DESCRIPTION = (
    "Demo data. The policy scores, outcome figures and Integration Lab practices are "
    "illustrative: they were generated to follow the published REGIN findings qualitatively "
    "(most favourable in health and education, least in employment, housing and vocational "
    "training; evaluation weakest; external stakeholders involved only sporadically). They are "
    "not MIPEX-R results and the practices are fictional. Region codes, names and coordinates "
    "are real (NUTS 2021; Eurostat GISCO label points; © EuroGeographics for the administrative "
    "boundaries)."
)

SEED = 20240611
EDITIONS = (2021, 2024)
NUTS_VERSION = 2021
#: The six REGIN partner regions.
PARTNERS = ("PT20", "ITF3", "ES51", "ES62", "ITF4", "SE224")
INDICATOR_SOURCE = "MIPEX-R framework (illustrative)"

# --------------------------------------------------------------------------------------
# Regions: (region_id, name, country, level, parent_id, lat, lon).
# Names are the NUTS 2021 names; lat/lon are GISCO label points (NUTS-1 rows without a
# published label point: centroid of the GISCO 1:60M boundary; BE1/DE3 use BE10/DE30's).
# --------------------------------------------------------------------------------------
COUNTRIES = [
    ("AT", "Österreich", "AT", "NUTS0", None, 47.5847, 14.1373),
    ("BE", "Belgique/België", "BE", "NUTS0", None, 50.6429, 4.6593),
    ("DE", "Deutschland", "DE", "NUTS0", None, 51.0735, 10.3786),
    ("IT", "Italia", "IT", "NUTS0", None, 42.8370, 12.5322),
    ("PT", "Portugal", "PT", "NUTS0", None, 39.6868, -7.9703),
    ("ES", "España", "ES", "NUTS0", None, 40.3816, -3.5521),
    ("SE", "Sverige", "SE", "NUTS0", None, 60.6418, 14.4445),
]
#: Unscored parents that scored regions point to (Skåne is NUTS-3 inside SE22).
PARENTS = [
    ("SE22", "Sydsverige", "SE", "NUTS2", "SE", 55.9113, 13.5247),
]
#: The 25 scored regions (the six partners first).
REGIONS = [
    ("PT20", "Região Autónoma dos Açores", "PT", "NUTS2", "PT", 37.7846, -25.3659),
    ("ITF3", "Campania", "IT", "NUTS2", "IT", 41.0387, 14.7373),
    ("ES51", "Cataluña", "ES", "NUTS2", "ES", 41.8005, 1.5078),
    ("ES62", "Región de Murcia", "ES", "NUTS2", "ES", 37.9999, -1.4907),
    ("ITF4", "Puglia", "IT", "NUTS2", "IT", 41.0043, 16.5847),
    ("SE224", "Skåne län", "SE", "NUTS3", "SE22", 55.9903, 13.5958),
    ("AT12", "Niederösterreich", "AT", "NUTS2", "AT", 48.2589, 15.7601),
    ("AT13", "Wien", "AT", "NUTS2", "AT", 48.2028, 16.3932),
    ("AT33", "Tirol", "AT", "NUTS2", "AT", 47.1809, 10.7635),
    ("BE1", "Région de Bruxelles-Capitale/Brussels Hoofdstedelijk Gewest", "BE", "NUTS1", "BE",
     50.8401, 4.3569),
    ("BE2", "Vlaams Gewest", "BE", "NUTS1", "BE", 51.0356, 4.2274),
    ("BE3", "Région wallonne", "BE", "NUTS1", "BE", 50.3153, 5.0279),
    ("DE1", "Baden-Württemberg", "DE", "NUTS1", "DE", 48.5309, 9.0596),
    ("DE2", "Bayern", "DE", "NUTS1", "DE", 48.9486, 11.4114),
    ("DE3", "Berlin", "DE", "NUTS1", "DE", 52.5005, 13.4022),
    ("DEA", "Nordrhein-Westfalen", "DE", "NUTS1", "DE", 51.4777, 7.5534),
    ("ITC4", "Lombardia", "IT", "NUTS2", "IT", 45.6127, 9.7730),
    ("ITH5", "Emilia-Romagna", "IT", "NUTS2", "IT", 44.5224, 11.0296),
    ("PT11", "Norte", "PT", "NUTS2", "PT", 41.4531, -7.6933),
    ("PT17", "Área Metropolitana de Lisboa", "PT", "NUTS2", "PT", 38.6221, -8.8878),
    ("ES30", "Comunidad de Madrid", "ES", "NUTS2", "ES", 40.5008, -3.7119),
    ("ES52", "Comunitat Valenciana", "ES", "NUTS2", "ES", 39.3945, -0.5400),
    ("ES61", "Andalucía", "ES", "NUTS2", "ES", 37.4607, -4.5804),
    ("SE11", "Stockholm", "SE", "NUTS2", "SE", 59.3515, 17.7435),
    ("SE23", "Västsverige", "SE", "NUTS2", "SE", 58.1109, 12.8720),
]

# --------------------------------------------------------------------------------------
# Indicator framework (illustrative), about 60 indicators. Every area has at least one
# indicator in every phase. One line per indicator:
# (indicator_id, area, phase, system, target_groups, answers, weight, label, question)
# --------------------------------------------------------------------------------------
A3 = "A=100;B=50;C=0"
A4 = "A=100;B=67;C=33;D=0"
ACT, REL, RES = "actions", "actors & relations", "resources"
BOTH = "TCN;BIP"

AREAS = ("labour market", "education", "health", "housing", "language", "vocational training",
         "social security", "culture & religion", "anti-discrimination")

INDICATORS = [
    # labour market
    ("LM01", "labour market", "formulation", ACT, BOTH, A3, 1, "Regional labour-market integration strategy", "Does the region have a strategy for the labour-market integration of migrants?"),
    ("LM02", "labour market", "formulation", REL, BOTH, A3, 1, "Social partners consulted on employment measures", "Are employers' organisations and trade unions consulted when the region designs labour-market measures for migrants?"),
    ("LM03", "labour market", "output", ACT, BOTH, A3, 1, "Targeted regional employment services", "Do regional employment services offer targeted support (job coaching, placement) to migrants?"),
    ("LM04", "labour market", "output", RES, "TCN", A4, 1, "Budget line for labour-market integration", "Does the region earmark a budget line for the labour-market integration of third-country nationals?"),
    ("LM05", "labour market", "implementation", REL, BOTH, A3, 1, "Migrant-led associations in job placement", "Does the region cooperate with migrant-led associations to reach jobseekers?"),
    ("LM06", "labour market", "implementation", RES, BOTH, A3, 1, "Staff trained in intercultural job counselling", "Are staff of the regional employment services trained in intercultural counselling?"),
    ("LM07", "labour market", "evaluation", ACT, BOTH, A3, 1, "Evaluation of employment measures", "Are the region's employment measures for migrants evaluated with outcome data?"),
    # education
    ("ED01", "education", "formulation", ACT, BOTH, A3, 1, "Migrant pupils in the regional education plan", "Does the regional education plan set goals for the inclusion of migrant pupils?"),
    ("ED02", "education", "formulation", REL, BOTH, A3, 1, "Migrant parents in school councils", "Are migrant parents' associations represented in regional school councils?"),
    ("ED03", "education", "output", ACT, BOTH, A3, 1, "Reception classes for newly arrived pupils", "Does the region provide reception or bridging classes for newly arrived pupils?"),
    ("ED04", "education", "output", RES, BOTH, A4, 1, "Extra funding for schools with many migrant pupils", "Do schools with many migrant pupils receive additional regional funding or staff?"),
    ("ED05", "education", "implementation", REL, BOTH, A3, 1, "School–family intercultural mediators", "Does the region fund intercultural mediators between schools and migrant families?"),
    ("ED06", "education", "implementation", ACT, BOTH, A3, 1, "Access to adult and second-chance education", "Can migrants over compulsory school age enrol in regional adult or second-chance education?"),
    ("ED07", "education", "evaluation", ACT, BOTH, A3, 1, "Monitoring of migrant pupils' attainment", "Does the region monitor school attainment and early leaving of migrant pupils?"),
    # health
    ("HE01", "health", "formulation", ACT, BOTH, A3, 2, "Equal access to the regional health service", "Do regional rules give migrants access to the regional health service on equal terms with nationals?"),
    ("HE02", "health", "formulation", REL, BOTH, A3, 1, "NGOs involved in health-policy design", "Are NGOs and migrant-led associations involved in designing regional health measures for migrants?"),
    ("HE03", "health", "output", ACT, BOTH, A3, 1, "Health information in migrants' languages", "Does the region provide health-system information in the main languages of migrants?"),
    ("HE04", "health", "output", ACT, "BIP", A3, 1, "Psychosocial support for trauma survivors", "Does the region provide specialised mental-health support for BIP who survived trauma?"),
    ("HE05", "health", "implementation", RES, BOTH, A4, 1, "Interpreting in health care", "Are professional interpreters available and paid for in regional health services?"),
    ("HE06", "health", "implementation", REL, BOTH, A3, 1, "Community health mediators", "Does the region employ health mediators from migrant communities?"),
    ("HE07", "health", "evaluation", ACT, BOTH, A3, 1, "Monitoring of migrants' access to care", "Does the region monitor migrants' access to and use of health care?"),
    # housing
    ("HO01", "housing", "formulation", ACT, BOTH, A3, 1, "Migrants in the regional housing plan", "Does the regional housing plan address the housing needs of migrants?"),
    ("HO02", "housing", "formulation", REL, BOTH, A3, 1, "Tenants' and migrant associations consulted", "Are tenants' organisations and migrant-led associations consulted on regional housing policy?"),
    ("HO03", "housing", "output", ACT, BOTH, A3, 2, "Access to social housing", "Can migrants apply for regional social housing on the same terms as nationals (no extra residence requirement)?"),
    ("HO04", "housing", "output", RES, "BIP", A3, 1, "Transitional housing after reception", "Does the region fund transitional housing for BIP leaving reception centres?"),
    ("HO05", "housing", "implementation", REL, BOTH, A3, 1, "Housing mediation with private landlords", "Does the region support mediation between migrants and private landlords?"),
    ("HO06", "housing", "implementation", RES, BOTH, A4, 1, "Budget for housing support", "Is there a regional budget for rent guarantees or housing allowances open to migrants?"),
    ("HO07", "housing", "evaluation", ACT, BOTH, A3, 1, "Monitoring of housing conditions", "Does the region monitor migrants' housing conditions and discrimination in housing?"),
    # language
    ("LA01", "language", "formulation", ACT, BOTH, A3, 1, "Regional language-learning strategy", "Does the region have a plan for the language learning of adult migrants?"),
    ("LA02", "language", "formulation", REL, BOTH, A3, 1, "Multi-level coordination of the language offer", "Do the region, municipalities and course providers coordinate the language offer?"),
    ("LA03", "language", "output", ACT, BOTH, A3, 1, "Free language courses", "Does the region run language courses free of charge for TCN and BIP?"),
    ("LA04", "language", "output", RES, BOTH, A4, 1, "Courses beyond basic level", "Does the regional offer include courses beyond basic level (B1 and higher)?"),
    ("LA05", "language", "implementation", ACT, BOTH, A3, 1, "Childcare during language courses", "Is childcare provided so that parents can attend language courses?"),
    ("LA06", "language", "implementation", REL, BOTH, A3, 1, "Support for volunteer language cafés", "Does the region support language cafés and tandems run by NGOs or volunteers?"),
    ("LA07", "language", "evaluation", ACT, BOTH, A3, 1, "Evaluation of language-course outcomes", "Are completion rates and learning outcomes of language courses evaluated?"),
    # vocational training
    ("VT01", "vocational training", "formulation", ACT, BOTH, A3, 1, "Migrants in the vocational-training plan", "Does the regional vocational-training plan set measures for migrants?"),
    ("VT02", "vocational training", "output", ACT, "TCN", A4, 1, "Recognition of foreign qualifications", "Does the region run a procedure to validate migrants' prior learning and foreign qualifications?"),
    ("VT03", "vocational training", "output", RES, BOTH, A3, 1, "Training allowances", "Can migrants in vocational training receive a regional training allowance?"),
    ("VT04", "vocational training", "implementation", REL, BOTH, A3, 1, "Apprenticeships with employers", "Does the region organise apprenticeships for migrants together with employers?"),
    ("VT05", "vocational training", "implementation", ACT, BOTH, A3, 1, "Bridging courses combining language and trade", "Are there bridging courses that combine language learning and vocational skills?"),
    ("VT06", "vocational training", "evaluation", ACT, BOTH, A3, 1, "Tracking of training outcomes", "Does the region track completion and job outcomes of migrants in vocational training?"),
    ("VT07", "vocational training", "output", ACT, BOTH, A3, 1, "Digital skills training", "Does the region offer digital-skills training adapted to migrants?"),
    # social security
    ("SS01", "social security", "formulation", ACT, BOTH, A4, 1, "Equal access to regional minimum income", "Are migrants entitled to regional minimum-income schemes on equal terms with nationals?"),
    ("SS02", "social security", "formulation", REL, BOTH, A3, 1, "NGOs consulted on social-assistance rules", "Are NGOs and migrant-led associations consulted on regional social-assistance rules?"),
    ("SS03", "social security", "output", ACT, BOTH, A3, 1, "Information on social rights in migrants' languages", "Does the region inform migrants about their social rights in their languages?"),
    ("SS04", "social security", "output", ACT, "BIP", A3, 1, "Support for young BIP leaving care", "Does the region support young BIP (former unaccompanied minors) after they turn 18?"),
    ("SS05", "social security", "implementation", RES, BOTH, A3, 1, "Social workers trained for migrants", "Are regional social workers trained to work with migrants?"),
    ("SS06", "social security", "evaluation", ACT, BOTH, A3, 1, "Monitoring of benefit take-up", "Does the region monitor migrants' take-up of social benefits?"),
    # culture & religion
    ("CR01", "culture & religion", "formulation", ACT, BOTH, A3, 1, "Regional intercultural strategy", "Does the region have an intercultural strategy or plan?"),
    ("CR02", "culture & religion", "formulation", REL, BOTH, A3, 1, "Consultative body of migrant and faith communities", "Is there a regional consultative body including migrant and faith communities?"),
    ("CR03", "culture & religion", "output", RES, BOTH, A3, 1, "Funding for migrant cultural associations", "Does the region fund the activities of migrant cultural associations?"),
    ("CR04", "culture & religion", "implementation", ACT, BOTH, A3, 1, "Places of worship and burial", "Does regional planning provide for places of worship and burial in line with migrants' religions?"),
    ("CR05", "culture & religion", "implementation", REL, BOTH, A3, 1, "Intercultural events with civil society", "Does the region co-organise intercultural events with civil-society organisations?"),
    ("CR06", "culture & religion", "evaluation", ACT, BOTH, A3, 1, "Evaluation of intercultural programmes", "Are the region's intercultural programmes evaluated?"),
    # anti-discrimination
    ("AD01", "anti-discrimination", "formulation", ACT, BOTH, A3, 1, "Regional anti-discrimination law or plan", "Does the region have an anti-discrimination law or action plan covering nationality and ethnicity?"),
    ("AD02", "anti-discrimination", "formulation", REL, BOTH, A3, 1, "Migrant-led associations consulted on equality", "Are migrant-led associations consulted on the regional equality plan?"),
    ("AD03", "anti-discrimination", "output", RES, BOTH, A4, 1, "Regional equality body", "Is there a regional equality body or office with its own staff and budget?"),
    ("AD04", "anti-discrimination", "output", ACT, BOTH, A3, 1, "Discrimination complaints hotline", "Can victims of discrimination report to a regional hotline or reporting point?"),
    ("AD05", "anti-discrimination", "implementation", REL, BOTH, A3, 1, "Legal aid with NGOs for victims", "Does the region fund legal aid for victims of discrimination through NGOs?"),
    ("AD06", "anti-discrimination", "implementation", ACT, BOTH, A3, 1, "Anti-discrimination training for public staff", "Are regional public employees trained on discrimination and diversity?"),
    ("AD07", "anti-discrimination", "evaluation", ACT, BOTH, A3, 1, "Data on discrimination complaints", "Does the region collect and publish data on discrimination complaints?"),
]
#: Indicators introduced in a later edition (no scores before it).
NEW_IN = {"VT07": 2024}

# --------------------------------------------------------------------------------------
# Score model (illustrative). A latent 0–100 level is the sum of the effects below plus
# noise, then snapped to the nearest answer option of the indicator.
# --------------------------------------------------------------------------------------
#: region_id: (strength in 2021, change 2021→2024)
REGION_PROFILE = {
    "PT20": (47, 5), "ITF3": (40, 4), "ES51": (68, 4), "ES62": (42, 5), "ITF4": (44, 6),
    "SE224": (70, 4), "AT12": (45, 2), "AT13": (62, 5), "AT33": (48, 3), "BE1": (60, 4),
    "BE2": (64, 3), "BE3": (56, 5), "DE1": (60, 4), "DE2": (50, -2), "DE3": (66, 5),
    "DEA": (63, 4), "ITC4": (52, 2), "ITH5": (58, 5), "PT11": (52, 6), "PT17": (60, 7),
    "ES30": (55, 3), "ES52": (56, 5), "ES61": (50, 4), "SE11": (67, -3), "SE23": (63, 2),
}
AREA_EFFECT = {
    "health": 18, "education": 13, "language": 6, "social security": 3, "culture & religion": 0,
    "anti-discrimination": -2, "labour market": -10, "vocational training": -12, "housing": -15,
}
PHASE_EFFECT = {"formulation": 6, "output": 6, "implementation": 0, "evaluation": -22}
SYSTEM_EFFECT = {ACT: 4, RES: -2, REL: -12}
GROUP_EFFECT = {"TCN": 0, "BIP": 3}
NOISE_CELL, NOISE_REGION_AREA, NOISE_EDITION = 16.0, 7.0, 6.0
#: Share of score rows dropped at random, and of rows given as a value instead of an answer.
P_MISSING, P_VALUE_ONLY = 0.04, 0.08
#: (region, area, edition) with no score rows at all: coverage falls below any threshold.
MISSING_AREA = ("ITF4", "social security", 2024)
#: Rows present with neither answer nor value.
NO_INFORMATION = [("ES62", "HO05", "TCN", 2024), ("PT20", "SS03", "BIP", 2021),
                  ("ITF3", "AD07", "BIP", 2024)]

# --------------------------------------------------------------------------------------
# Outcomes (illustrative figures, Eurostat-style). Per region: employment rate of
# nationals 20–64 in 2021, gap (pp) of non-EU and of EU citizens to nationals,
# unemployment rate of nationals and of non-EU citizens, foreign share of the population.
# --------------------------------------------------------------------------------------
OUTCOME_YEARS = (2021, 2022, 2023)
OUTCOME_GROUPS = ("NAT", "NEU27_2020_FOR", "EU27_2020_FOR", "TOTAL")
OUTCOME_SOURCES = {
    "employment_rate_20_64": "lfst_r_lfe2emprtn",
    "activity_rate_20_64": "lfst_r_lfp2actrtn",
    "unemployment_rate_20_64": "lfst_r_lfur2gan",
}
#: The measure catalogue of the demo outcomes: (measure, label, direction, position).
#: Every demo measure is by citizenship: nationals against non-EU citizens.
MEASURES = (
    ("employment_rate_20_64", "Employment rate, 20–64", 1, 1),
    ("unemployment_rate_20_64", "Unemployment rate, 20–64", -1, 2),
    ("activity_rate_20_64", "Activity rate, 20–64", 1, 3),
)
#: region_id: (nat_emp, neu_gap, eu_gap, nat_unemp, neu_unemp, foreign_share)
OUTCOME_PROFILE = {
    "PT20": (69.0, 0.5, -2.0, 8.0, 10.0, 0.03), "ITF3": (45.0, 2.0, 4.0, 18.5, 17.0, 0.05),
    "ES51": (74.0, 9.0, 3.0, 8.5, 17.5, 0.16), "ES62": (68.0, 8.0, 6.0, 12.0, 18.5, 0.15),
    "ITF4": (50.0, 3.0, 5.0, 14.0, 16.0, 0.04), "SE22": (81.5, 32.0, 10.0, 5.5, 25.0, 0.10),
    "AT12": (78.0, 14.0, 3.0, 4.0, 11.0, 0.11), "AT13": (72.0, 17.0, 6.0, 8.5, 17.0, 0.32),
    "AT33": (79.0, 12.0, 3.0, 3.5, 9.0, 0.16), "BE1": (64.0, 14.0, 1.0, 11.0, 22.0, 0.35),
    "BE2": (79.0, 26.0, 8.0, 3.5, 13.0, 0.10), "BE3": (66.0, 24.0, 5.0, 8.5, 24.0, 0.10),
    "DE1": (82.0, 16.0, 4.0, 3.0, 8.0, 0.17), "DE2": (83.0, 14.0, 3.0, 2.5, 7.0, 0.14),
    "DE3": (77.0, 20.0, 4.0, 6.5, 13.0, 0.22), "DEA": (78.0, 22.0, 7.0, 4.5, 13.0, 0.15),
    "ITC4": (73.0, 9.0, 4.0, 5.0, 13.0, 0.12), "ITH5": (75.0, 10.0, 5.0, 4.5, 13.0, 0.12),
    "PT11": (73.0, 2.0, 0.0, 7.0, 11.0, 0.03), "PT17": (75.0, -2.0, 2.0, 7.0, 12.0, 0.10),
    "ES30": (73.0, 5.0, 2.0, 9.0, 15.0, 0.14), "ES52": (68.0, 7.0, 4.0, 13.0, 20.0, 0.15),
    "ES61": (62.0, 6.0, 4.0, 19.0, 25.0, 0.08), "SE11": (86.0, 25.0, 8.0, 4.0, 17.0, 0.11),
    "SE23": (85.0, 28.0, 9.0, 4.5, 20.0, 0.09),
}
#: Groups whose figures have low reliability (small samples), flagged "u".
LOW_RELIABILITY = {("PT20", "NEU27_2020_FOR"), ("PT20", "EU27_2020_FOR"), ("ES62", "EU27_2020_FOR"),
                   ("AT33", "NEU27_2020_FOR"), ("AT33", "EU27_2020_FOR"), ("ITF4", "EU27_2020_FOR"),
                   ("PT11", "NEU27_2020_FOR"), ("ITF3", "EU27_2020_FOR")}
#: (region, measure, group, year) not published: empty value, flag "u".
NOT_PUBLISHED = [("PT20", "unemployment_rate_20_64", "EU27_2020_FOR", y) for y in OUTCOME_YEARS] + [
    ("ITF4", "unemployment_rate_20_64", "EU27_2020_FOR", 2021),
    ("AT33", "unemployment_rate_20_64", "EU27_2020_FOR", 2022),
]
#: (region, measure, group, year) with a break in series.
BREAK_IN_SERIES = ("DE3", "employment_rate_20_64", "TOTAL", 2021)

# --------------------------------------------------------------------------------------
# Integration Lab practices (fictional but plausible). One entry per practice:
# (practice_id, region_id, language, title, areas, target_groups, authority_role,
#  stakeholders, criteria, funding, start_year, end_year or None if ongoing,
#  summary, lessons_learnt, transferability_tips)
# --------------------------------------------------------------------------------------
PRACTICES = [
    ("P001", "ES51", "en", "One-stop shop for newcomers in county capitals",
     "labour market;language;social security", BOTH, "direct",
     "municipalities;NGOs;public employment service",
     "inclusion;multi-level governance;sustainability", "AMIF;regional budget", 2018, None,
     "The regional government opened a single desk in each county capital where newly arrived "
     "migrants get a first interview, a personal integration plan and referrals to language "
     "courses, job services and social services. Municipal staff and NGO advisers work side by "
     "side in the same office.",
     "Co-locating services cut the number of referrals lost between offices. Having interpreters "
     "on fixed days mattered more than long opening hours.",
     "Start with two or three services that already share clients and agree on one common intake "
     "form before opening a desk."),
    ("P002", "ES51", "es", "Mentoría laboral con empresas para jóvenes refugiados",
     "labour market;vocational training", "BIP", "indirect",
     "employers;NGOs;chambers of commerce",
     "inclusion;innovation;multi-stakeholder approach", "ESF+", 2020, 2023,
     "Empresas de la región emparejan a jóvenes beneficiarios de protección internacional con un "
     "mentor de su plantilla durante seis meses. El programa combina prácticas remuneradas, "
     "acompañamiento semanal y un curso de español orientado al puesto de trabajo.",
     "El compromiso de la dirección de cada empresa fue decisivo para que los mentores "
     "dispusieran de tiempo. Las prácticas sin un puesto de destino claro generaron menos "
     "contratos.",
     "Empiece con pocas empresas de sectores con escasez de personal y forme a los mentores antes "
     "del primer encuentro. Una entidad social debe coordinar los emparejamientos."),
    ("P003", "ES51", "en", "Health mediators in primary care centres", "health", BOTH, "direct",
     "health services;migrant-led associations",
     "communication;inclusion;monitoring & evaluation", "ESF+;regional budget", 2017, 2023,
     "Trained mediators from the main migrant communities work in primary care centres with many "
     "foreign patients. They help with registration, explain treatments and accompany patients "
     "to specialist appointments.",
     "Missed appointments fell where mediators were present every week. Mediators need clear "
     "professional boundaries so that they are not used as unpaid interpreters for everything.",
     "Recruit mediators through migrant-led associations and give them a recognised job profile "
     "and contract in the health service."),
    ("P004", "ES51", "en", "Anti-rumour network of municipalities",
     "anti-discrimination;culture & religion", BOTH, "indirect",
     "municipalities;NGOs;schools",
     "communication;innovation;multi-stakeholder approach;sustainability",
     "regional budget;Erasmus+", 2015, 2022,
     "A network of municipalities trains volunteers, teachers and public staff as 'anti-rumour "
     "agents' who counter prejudice about migrants with facts in everyday conversations. The "
     "region funds training materials and an annual exchange meeting.",
     "Short, local campaigns worked better than region-wide messages. Measuring changes in "
     "attitudes proved difficult without a baseline survey.",
     "Build on existing municipal networks and plan a simple before-and-after survey from the "
     "start."),
    ("P005", "ES51", "en", "Skills validation for domestic and care workers",
     "vocational training;labour market", "TCN", "direct",
     "trade unions;employers;NGOs",
     "inclusion;multi-level governance", "ESF+", 2019, 2022,
     "Migrant women working informally in domestic and care work could have their experience "
     "assessed and certified as a partial vocational qualification. Short top-up modules led to "
     "the full care-assistant certificate.",
     "Certification opened the door to regular contracts in care homes. Evening and weekend "
     "sessions were essential because participants could not leave their jobs.",
     "Map which units of an existing qualification can be validated from work experience, and "
     "involve trade unions to reach workers in private households."),
    ("P006", "SE224", "en", "Language café network in public libraries", "language;culture & religion",
     BOTH, "indirect", "municipalities;volunteers;NGOs",
     "communication;inclusion;sustainability", "regional budget", 2016, 2024,
     "Public libraries across the region host weekly language cafés where newcomers practise "
     "Swedish with volunteers. The region funds a coordinator who trains volunteers and shares "
     "materials between libraries.",
     "Libraries are seen as neutral, welcoming places, which lowered the threshold to take part. "
     "Volunteer turnover is high, so regular recruitment is needed.",
     "A small paid coordinator role keeps a volunteer network alive; agree a minimal common "
     "format so that libraries can share material."),
    ("P007", "SE224", "sv", "Samhällsorientering med fokus på hälsa", "health;language", BOTH,
     "direct", "health services;municipalities;migrant-led associations",
     "communication;multi-level governance;monitoring & evaluation", "AMIF", 2019, 2022,
     "Regionen och kommunerna har byggt in en hälsomodul i samhällsorienteringen för nyanlända. "
     "Hälsokommunikatörer med egen migrationsbakgrund informerar på deltagarnas modersmål om "
     "vården, egenvård och psykisk hälsa.",
     "Deltagarna ställde fler frågor när informationen gavs på modersmålet och i små grupper. "
     "Samarbetet med vårdcentralerna krävde en tydlig kontaktperson på varje enhet.",
     "Rekrytera och utbilda hälsokommunikatörer i samarbete med föreningar. Avsätt tid för "
     "uppföljning så att modulen kan anpassas efter deltagarnas behov."),
    ("P008", "SE224", "en", "Fast track into health-care professions",
     "vocational training;labour market;health", BOTH, "direct",
     "universities;employers;health services;trade unions",
     "innovation;multi-stakeholder approach;monitoring & evaluation;sustainability",
     "ESF+;regional budget", 2017, None,
     "Newcomers with a foreign degree in medicine, nursing or dentistry follow a combined track "
     "of professional Swedish, supervised clinical placements and exam preparation. The region, "
     "as the health-care employer, offers placements and paid trainee posts.",
     "Combining language training with clinical practice shortened the time to licensing by about "
     "a year. Employers' commitment grew once the first trainees were hired.",
     "Works best where the regional authority is itself a large employer in the sector; agree "
     "with the licensing body which steps can run in parallel."),
    ("P009", "SE224", "en", "Regional partnership for housing newly settled refugees", "housing",
     "BIP", "indirect", "municipalities;housing associations;NGOs",
     "multi-level governance;multi-stakeholder approach", "AMIF", 2018, 2021,
     "The region brought municipalities and public housing companies together to agree on how "
     "refugees assigned to the region are housed. A shared pool of flats and a joint waiting "
     "list replaced separate arrangements in each municipality.",
     "A written agreement between municipalities prevented disputes about who receives whom. "
     "Temporary contracts created insecurity when the partnership's funding ended.",
     "Secure the housing companies' participation at board level, and plan from the start how "
     "tenants move from temporary to ordinary contracts."),
    ("P010", "SE224", "en", "Entrepreneurship coaching for migrant women", "labour market", BOTH,
     "indirect", "migrant-led associations;chambers of commerce;universities",
     "inclusion;innovation", "ESF+;ERDF", 2020, 2023,
     "Migrant women with a business idea receive a year of group coaching, help with bookkeeping "
     "and permits, and a mentor from the local business community. A university incubator hosts "
     "the sessions.",
     "Peer groups kept participants motivated more than individual coaching. Access to small "
     "start-up loans remained the main obstacle.",
     "Partner with a migrant-led association to recruit participants and with a bank or "
     "microcredit provider early on."),
    ("P011", "PT20", "pt", "Gabinete itinerante de apoio ao imigrante nas ilhas",
     "social security;labour market;language", BOTH, "direct",
     "municipalities;NGOs;migrant-led associations",
     "communication;inclusion;multi-level governance", "AMIF;regional budget", 2014, None,
     "Uma equipa regional desloca-se regularmente às nove ilhas para prestar informação sobre "
     "autorização de residência, emprego, segurança social e cursos de português. O atendimento "
     "é feito em parceria com as câmaras municipais e associações locais.",
     "A presença regular nas ilhas mais pequenas aumentou a confiança e reduziu deslocações "
     "dispendiosas. O atendimento por videochamada complementa, mas não substitui, o contacto "
     "presencial.",
     "Defina um calendário fixo de visitas divulgado com antecedência e articule-o com os "
     "serviços municipais. Garanta que a equipa tem formação em direito de estrangeiros."),
    ("P012", "PT20", "en", "Portuguese courses for seasonal farm workers", "language;labour market",
     "TCN", "indirect", "employers;schools;NGOs", "inclusion;innovation", "EAFRD;ESF+", 2019, 2022,
     "Short Portuguese courses were held on farms and in village halls at the end of the working "
     "day for seasonal workers. Lessons focused on safety at work, workers' rights and everyday "
     "situations.",
     "Bringing the course to the workplace was the only way to reach most workers. Employers "
     "agreed more readily when courses were scheduled outside peak harvest weeks.",
     "Agree schedules with employers' associations before the season and keep modules short and "
     "self-contained, since workers come and go."),
    ("P013", "PT20", "en", "Intercultural mediators in island schools", "education;culture & religion",
     BOTH, "direct", "schools;migrant-led associations",
     "communication;inclusion;sustainability", "ESF+", 2018, 2023,
     "Mediators shared between several schools support newly arrived pupils and their families, "
     "explain how the school system works and organise welcome sessions at the start of the "
     "school year.",
     "Parents' attendance at school meetings rose where a mediator made the first contact. Sharing "
     "one mediator across distant schools limited what could be done.",
     "Give mediators a stable contract with the education department rather than project-based "
     "posts, and set a realistic number of schools per mediator."),
    ("P014", "PT20", "en", "Rent guarantee fund for migrant tenants", "housing", BOTH, "direct",
     "municipalities;housing associations;NGOs",
     "innovation;inclusion;monitoring & evaluation", "regional budget", 2021, None,
     "The region guarantees the deposit and the first months of rent for migrants who sign a "
     "regular lease with a private landlord. An NGO checks the flat and mediates if problems "
     "arise.",
     "Landlords accepted migrant tenants more often once the public guarantee was in place. Very "
     "few guarantees were actually called, which kept costs low.",
     "Pair the financial guarantee with a mediator whom landlords can call; monitor calls on the "
     "fund to show its low cost to budget holders."),
    ("P015", "ITF3", "en", "Health mediation in rural agricultural districts", "health", BOTH,
     "indirect", "NGOs;health services;trade unions",
     "inclusion;multi-stakeholder approach", "AMIF", 2019, 2022,
     "Mobile teams of a doctor, a nurse and a cultural mediator visited informal settlements and "
     "farms where migrant farm workers live. They offered first consultations and helped people "
     "register with a family doctor.",
     "Many workers had never been registered with the health service despite being entitled. "
     "Outreach alone was not enough without follow-up in local health centres.",
     "Agree with the local health authority on a fast registration procedure, and plan how "
     "patients are handed over to ordinary services."),
    ("P016", "ITF3", "en", "Help desks against labour exploitation in agriculture",
     "labour market;anti-discrimination", "TCN", "indirect",
     "trade unions;NGOs;public employment service",
     "communication;multi-level governance;multi-stakeholder approach", "AMIF;ESF+", 2020, None,
     "Help desks run by trade unions and NGOs in farming towns give free advice on contracts, "
     "wages and residence permits to farm workers, and report cases of exploitation to the labour "
     "inspectorate.",
     "Workers came forward when the desks were open in the evening and staffed by people who "
     "spoke their language. Cases reported to the inspectorate took a long time to be followed up.",
     "Agree a referral protocol with the labour inspectorate and the police before opening the "
     "desks, so that reports lead to action."),
    ("P017", "ITF3", "en", "Second-chance schooling for young migrants",
     "education;vocational training", BOTH, "direct", "schools;NGOs;municipalities",
     "inclusion;sustainability", "ESF+", 2018, 2023,
     "Young migrants aged 16–25 without a recognised school certificate attend flexible courses "
     "leading to the lower-secondary diploma, combined with short vocational modules.",
     "Flexible timetables kept working students enrolled. Recognition of schooling done abroad "
     "remained slow and uneven between schools.",
     "Work with adult-education centres that already offer evening courses, and agree common rules "
     "on recognising previous schooling."),
    ("P018", "ITF3", "en", "Community interpreters for public offices", "language;social security",
     BOTH, "indirect", "migrant-led associations;municipalities;universities",
     "communication;innovation", "AMIF", 2021, 2024,
     "A university trained bilingual members of migrant communities as community interpreters. "
     "Municipal offices and social services book them through a shared phone and video service.",
     "Video interpreting made rare languages available in small towns. Offices used the service "
     "more once booking took less than a day.",
     "Create a shared booking pool rather than separate contracts per office, and certify "
     "interpreters to keep quality visible."),
    ("P019", "ITF4", "it", "Alloggi ponte per lavoratori agricoli stagionali",
     "housing;labour market", "TCN", "direct", "municipalities;employers;NGOs;trade unions",
     "multi-level governance;multi-stakeholder approach;monitoring & evaluation",
     "AMIF;regional budget", 2021, None,
     "La Regione finanzia alloggi temporanei dignitosi vicino alle aree agricole, gestiti da enti "
     "del terzo settore in accordo con i comuni. Gli ospiti ricevono anche orientamento legale e "
     "sanitario e un servizio di trasporto verso i luoghi di lavoro.",
     "Gli alloggi funzionano solo se collegati ai trasporti e a contratti di lavoro regolari. Il "
     "coinvolgimento dei sindacati ha aiutato a raggiungere i lavoratori più isolati.",
     "Mappare in anticipo i periodi di raccolta e il numero di lavoratori attesi. Coinvolgere i "
     "comuni fin dall'inizio per evitare resistenze locali."),
    ("P020", "ITF4", "en", "Regional register of migrant associations",
     "culture & religion;anti-discrimination", BOTH, "direct", "migrant-led associations;NGOs",
     "inclusion;multi-stakeholder approach;sustainability", "regional budget", 2017, 2023,
     "The region keeps a public register of migrant-led associations and invites registered "
     "associations to an annual consultation on integration policy. Registration also gives "
     "access to small grants for cultural activities.",
     "The register made associations visible to municipalities that did not know they existed. "
     "Consultations had more impact when they took place before the budget was drafted.",
     "Keep registration simple and free, and time consultations to the policy calendar."),
    ("P021", "ITF4", "en", "Language and civic courses in adult-education centres",
     "language;education", BOTH, "direct", "schools;NGOs",
     "inclusion;multi-level governance", "AMIF", 2016, 2021,
     "Adult-education centres offered free Italian courses from literacy level to B1, together "
     "with civic orientation sessions. NGOs provided childcare and helped recruit learners.",
     "Literacy classes needed smaller groups and more hours than planned. Childcare made a large "
     "difference to women's attendance.",
     "Budget separately for literacy learners, and make childcare part of the course contract."),
    ("P022", "ITF4", "en", "Safe transport to the fields for farm workers",
     "labour market;anti-discrimination", "TCN", "direct",
     "employers;trade unions;municipalities", "innovation;inclusion", "EAFRD;regional budget",
     2022, None,
     "Free minibuses take registered farm workers from towns to farms during the harvest season, "
     "so that workers no longer depend on transport arranged by illegal recruiters.",
     "Transport cut one of the main levers of illegal recruiters. Timetables had to be changed "
     "several times to match working hours.",
     "Combine transport with job matching through the public employment service, so that "
     "employers have a legal channel to find workers."),
    ("P023", "ES62", "en", "Spanish for families at school", "language;education", BOTH,
     "indirect", "schools;NGOs;migrant-led associations",
     "communication;inclusion;sustainability", "ESF+", 2018, 2023,
     "Primary schools open their classrooms in the afternoon for Spanish courses for the parents "
     "of migrant pupils, run by NGOs. Children do homework in the next room during the lesson.",
     "Holding courses at the school children attend made it easy for mothers to take part. "
     "Contact between parents and teachers improved as a side effect.",
     "Choose schools with many migrant families and agree room use and insurance with the "
     "education authority in advance."),
    ("P024", "ES62", "en", "Agri-food employment pathways", "labour market;vocational training",
     BOTH, "direct", "employers;public employment service;NGOs",
     "multi-stakeholder approach;monitoring & evaluation", "ESF+;EAFRD", 2019, 2023,
     "Unemployed migrants followed short courses in food handling, warehouse work and forklift "
     "driving designed with agri-food companies, followed by job interviews with the same "
     "companies.",
     "About half of the participants were hired within three months. Tracking participants after "
     "the course needed their consent from the start.",
     "Design courses with the employers who will hire, and build follow-up data collection into "
     "the enrolment form."),
    ("P025", "ES62", "en", "Anti-discrimination reporting points", "anti-discrimination", BOTH,
     "indirect", "NGOs;migrant-led associations;municipalities",
     "communication;inclusion", "AMIF", 2020, 2023,
     "NGOs and migrant-led associations in several towns act as reporting points where people can "
     "report discrimination, get advice and be accompanied to file a complaint.",
     "Most people reported discrimination only to organisations they already trusted. Few cases "
     "ended in a formal complaint.",
     "Use existing trusted organisations as reporting points and give them a common form so that "
     "cases can be counted region-wide."),
    ("P026", "ES62", "en", "Campaign to register migrants with primary care", "health", "TCN",
     "direct", "health services;NGOs;municipalities",
     "communication;inclusion;monitoring & evaluation", "regional budget", 2021, 2022,
     "A campaign in several languages explained who is entitled to a regional health card and how "
     "to apply. NGOs helped people fill in the forms at weekend sessions.",
     "Registrations rose sharply during the campaign and slowed afterwards. Misinformation about "
     "immigration checks kept some people away.",
     "State clearly that health registration is not shared with immigration authorities, and "
     "keep a permanent help point after the campaign."),
    ("P027", "AT13", "de", "Bildungsberatung in den Erstsprachen",
     "education;vocational training;language", BOTH, "direct",
     "NGOs;migrant-led associations;public employment service",
     "communication;inclusion;multi-level governance", "ESF+;regional budget", 2015, 2023,
     "Beraterinnen und Berater mit eigener Migrationserfahrung informieren Zugewanderte in rund "
     "zwölf Sprachen über Schul- und Berufsabschlüsse, Weiterbildung und Deutschkurse. Die "
     "Beratung ist kostenlos und findet auch in Stadtteilzentren statt.",
     "Beratung in der Erstsprache erreicht Menschen, die die Regelangebote nicht nutzen. Ohne "
     "verbindliche Weitervermittlung an Kursanbieter verpufft ein Teil der Wirkung.",
     "Feste Vereinbarungen mit Arbeitsmarktservice und Kursanbietern zur Weitervermittlung "
     "treffen. Das Sprachenangebot regelmäßig an die Herkunftsländer der Zugewanderten anpassen."),
    ("P028", "BE1", "en", "Buddy scheme for first jobs", "labour market", BOTH, "indirect",
     "employers;NGOs;volunteers", "inclusion;multi-stakeholder approach", "ESF+", 2019, 2022,
     "Working professionals volunteer as buddies for newcomers looking for their first job, "
     "meeting every two weeks for six months to work on CVs, networks and interview practice.",
     "Access to the buddy's professional network mattered more than CV advice. Matching by sector "
     "worked better than matching by language.",
     "Recruit buddies through employers' diversity networks and match by occupation."),
    ("P029", "BE2", "en", "Recognition desk for foreign diplomas", "vocational training;education",
     BOTH, "direct", "universities;public employment service",
     "communication;multi-level governance;monitoring & evaluation", "ESF+;regional budget",
     2018, None,
     "A single regional desk advises migrants on how to have foreign diplomas recognised, checks "
     "files before submission and refers people to bridging courses when recognition is partial.",
     "Checking files before submission halved the share of incomplete applications. Partial "
     "recognition was common and needed a clear next step.",
     "Link the desk directly to bridging courses and to the employment service, and publish "
     "processing times."),
    ("P030", "BE3", "fr", "Parcours d'intégration avec accompagnement social individualisé",
     "social security;language;culture & religion", BOTH, "direct", "NGOs;municipalities",
     "inclusion;multi-level governance;sustainability", "AMIF;regional budget", 2016, 2023,
     "Les primo-arrivants bénéficient d'un bilan social, d'une information sur leurs droits et "
     "devoirs, de cours de français et d'une orientation vers l'emploi. Un travailleur social suit "
     "chaque personne pendant dix-huit mois en lien avec le centre public d'action sociale de sa "
     "commune.",
     "Le suivi individuel a réduit les abandons des cours de français. Les listes d'attente pour "
     "les cours restent le principal obstacle.",
     "Prévoir dès le départ un financement pluriannuel pour les cours de langue. Un outil de suivi "
     "partagé entre communes et associations facilite l'orientation."),
    ("P031", "DE3", "en", "Mobile counselling in shared accommodation",
     "housing;social security;health", "BIP", "indirect", "NGOs;migrant-led associations",
     "inclusion;communication", "AMIF", 2017, 2021,
     "Counsellors visited shared accommodation for refugees every week, advising residents on "
     "finding a flat, applying for benefits and registering with a doctor.",
     "Regular visits built trust that office appointments did not. The tight housing market "
     "limited what counselling alone could achieve.",
     "Combine counselling with a housing-search service and agreements with landlords."),
    ("P032", "DEA", "en", "Municipal integration centres with regional co-funding",
     "labour market;education;language", BOTH, "direct", "municipalities;NGOs;schools",
     "multi-level governance;sustainability;monitoring & evaluation", "regional budget", 2013, None,
     "The region co-funds integration centres in districts and cities that coordinate local "
     "services, language support in schools and cooperation with migrant organisations, under "
     "common goals and annual reporting.",
     "Stable multi-year funding let centres keep experienced staff. Common reporting made results "
     "comparable between districts.",
     "Tie regional co-funding to a small set of shared indicators, and leave local centres free "
     "in how they reach them."),
    ("P033", "DE1", "en", "Integration managers in small towns", "social security;housing", BOTH,
     "indirect", "municipalities;volunteers;NGOs",
     "inclusion;multi-level governance;sustainability", "regional budget;AMIF", 2017, 2022,
     "The region co-funds integration managers employed by small towns and rural districts. They "
     "draw up individual integration plans with refugees and coordinate local volunteers.",
     "Small towns gained a contact person they previously lacked. Caseloads were too high in "
     "districts with many arrivals.",
     "Set a maximum caseload per manager and fund posts for several years."),
    ("P034", "ITH5", "en", "Intercultural centres as community hubs", "culture & religion;language",
     BOTH, "indirect", "municipalities;migrant-led associations;NGOs",
     "inclusion;multi-stakeholder approach;sustainability", "regional budget", 2014, 2022,
     "Municipal intercultural centres, co-funded by the region, host language classes, cultural "
     "events and meetings of migrant associations, and serve as a meeting place for residents.",
     "Centres run jointly with associations attracted both migrants and long-term residents. "
     "Programmes depending on a single project grant did not last.",
     "Give associations a role in running the centre, not only in using it."),
    ("P035", "ITC4", "en", "Job-matching platform for refugees", "labour market", "BIP", "indirect",
     "employers;chambers of commerce;NGOs", "innovation;multi-stakeholder approach", "ESF+",
     2021, 2023,
     "An online platform lists refugees' skills profiles, checked by NGO staff, so that employers "
     "can contact candidates directly. The region promoted the platform through the chambers of "
     "commerce.",
     "Profiles checked in an interview were trusted far more by employers. Small firms needed "
     "help with hiring paperwork.",
     "Combine the platform with personal contact and a help line for employers."),
    ("P036", "PT17", "en", "Neighbourhood mediators in social-housing estates",
     "housing;anti-discrimination;culture & religion", BOTH, "indirect",
     "municipalities;migrant-led associations;housing associations",
     "communication;inclusion;multi-stakeholder approach", "AMIF;ERDF", 2019, None,
     "Mediators recruited from the neighbourhood resolve conflicts between tenants, help families "
     "deal with the housing authority and organise shared activities in public housing estates.",
     "Mediators from the same neighbourhood were accepted quickly by residents. Their role had to "
     "be clearly distinguished from that of the housing inspectors.",
     "Recruit locally, train mediators in conflict resolution, and keep them independent of rent "
     "enforcement."),
    ("P037", "ES30", "en", "Psychological first aid for refugees", "health", "BIP", "indirect",
     "NGOs;health services;universities", "inclusion;monitoring & evaluation", "AMIF", 2018, 2022,
     "Psychologists from NGOs offer early, short-term support to refugees showing signs of "
     "trauma, and refer severe cases to public mental-health services.",
     "Early support reduced pressure on specialised services. Waiting lists for referral remained "
     "long.",
     "Agree referral pathways with public mental-health services and train staff in "
     "trauma-informed care."),
    ("P038", "ES61", "en", "Mobile health units in greenhouse areas", "health;housing", "TCN",
     "direct", "health services;NGOs;municipalities", "inclusion;innovation",
     "ERDF;regional budget", 2020, 2024,
     "Mobile units of the regional health service visit settlements of agricultural workers in "
     "greenhouse areas, providing vaccinations, check-ups and help with health-card applications.",
     "Regular visits reached people who had never used the health service. Poor housing "
     "conditions caused health problems that care alone could not solve.",
     "Coordinate health outreach with housing and social services in the same areas."),
    ("P039", "SE11", "en", "Study circles on working life", "labour market;language", BOTH,
     "indirect", "trade unions;NGOs", "communication;inclusion;sustainability", "ESF+", 2018, 2022,
     "Adult-education associations ran study circles in which newcomers discussed Swedish working "
     "life, rights at work and the role of trade unions, in simple Swedish with support in their "
     "own language.",
     "Small groups allowed participants to ask about their own situation at work. Many joined a "
     "trade union after the course.",
     "Use existing adult-education associations and keep groups below ten participants."),
    ("P040", "SE23", "en", "Language training at the workplace", "language;vocational training",
     BOTH, "direct", "employers;municipalities;universities",
     "innovation;multi-stakeholder approach;monitoring & evaluation", "ESF+;regional budget",
     2020, 2024,
     "Teachers give Swedish lessons at workplaces in care, transport and manufacturing, using the "
     "vocabulary of each job. Supervisors are trained as language supporters.",
     "Learning in the workplace improved both language and safety at work. Employers had to free "
     "paid time for lessons for it to work.",
     "Agree paid lesson time with employers in advance, and involve supervisors as language "
     "supporters."),
]


# --------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------
def _frame(table: str, rows: list[dict]) -> pd.DataFrame:
    """Rows → a frame with exactly the schema's columns, order and pandas types."""
    t = TABLES[table]
    data = {}
    for col in t.columns:
        values = [row.get(col.name) for row in rows]
        data[col.name] = pd.Series(values, dtype=PANDAS_DTYPES[col.dtype])
    return pd.DataFrame(data, columns=t.names)


def _regions() -> pd.DataFrame:
    keys = ("region_id", "name", "country", "level", "parent_id", "lat", "lon")
    rows = [dict(zip(keys, r), nuts_version=NUTS_VERSION) for r in COUNTRIES + PARENTS + REGIONS]
    return _frame("regions", rows)


def _indicators() -> pd.DataFrame:
    keys = ("indicator_id", "area", "phase", "system", "target_groups", "answers", "weight",
            "label", "question")
    rows = [dict(zip(keys, r), kind="policy", direction=1, unit="points", source=INDICATOR_SOURCE,
                 framework=DEFAULT_FRAMEWORK) for r in INDICATORS]
    return _frame("indicators", rows)


def _snap(level: float, answers: dict[str, float]) -> str:
    """The answer code whose value is nearest to ``level`` (first one on a tie)."""
    return min(answers, key=lambda code: abs(answers[code] - level))


def _score_rows(rng: np.random.Generator) -> list[dict]:
    """One row per region × indicator × target group × edition, before gaps are made."""
    region_area = {(r, a): rng.normal(0, NOISE_REGION_AREA) for r, _, _, _, _, _, _ in REGIONS
                   for a in AREAS}
    rows = []
    for region_id, *_ in REGIONS:
        strength, change = REGION_PROFILE[region_id]
        for ind_id, area, phase, system, groups, answers, *_ in INDICATORS:
            amap = parse_answers(answers)
            for group in split_list(groups):
                base = (strength + AREA_EFFECT[area] + PHASE_EFFECT[phase] + SYSTEM_EFFECT[system]
                        + GROUP_EFFECT[group] + region_area[region_id, area]
                        + rng.normal(0, NOISE_CELL))
                later = base + change + rng.normal(0, NOISE_EDITION)
                for edition, level in zip(EDITIONS, (base, later)):
                    if edition < NEW_IN.get(ind_id, EDITIONS[0]):
                        continue
                    code = _snap(float(np.clip(level, 0, 100)), amap)
                    rows.append({"region_id": region_id, "indicator_id": ind_id,
                                 "target_group": group, "edition": edition, "answer": code,
                                 "value": None, "note": None, "_area": area, "_amap": amap,
                                 "source": f"Expert questionnaire {edition} (illustrative)"})
    return rows


def _make_gaps(rows: list[dict], rng: np.random.Generator) -> list[dict]:
    """Drop rows (at random and one whole area), blank a few, give some as values only."""
    keep_blank = set(NO_INFORMATION)
    out = []
    for row in rows:
        key = (row["region_id"], row["indicator_id"], row["target_group"], row["edition"])
        drop_draw, value_draw = rng.random(), rng.random()
        if (row["region_id"], row["_area"], row["edition"]) == MISSING_AREA:
            continue
        if key in keep_blank:
            row.update(answer=None, value=None, note="no information found")
        elif drop_draw < P_MISSING:
            continue
        elif value_draw < P_VALUE_ONLY:
            row.update(value=row["_amap"][row["answer"]], answer=None)
        out.append(row)
    return out


def _scores(rng: np.random.Generator) -> pd.DataFrame:
    return _frame("scores", _make_gaps(_score_rows(rng), rng))


def _outcomes(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for region_id, (nat_emp, neu_gap, eu_gap, nat_u, neu_u, share) in OUTCOME_PROFILE.items():
        trend = np.cumsum([0.0, 1.2, 0.8])  # recovery after 2021
        for i, year in enumerate(OUTCOME_YEARS):
            emp = {"NAT": nat_emp + trend[i] + rng.normal(0, 0.5),
                   "NEU27_2020_FOR": nat_emp - neu_gap + 1.5 * trend[i] + rng.normal(0, 1.5),
                   "EU27_2020_FOR": nat_emp - eu_gap + trend[i] + rng.normal(0, 1.5)}
            unemp = {"NAT": nat_u - 0.4 * trend[i] + rng.normal(0, 0.3),
                     "NEU27_2020_FOR": neu_u - 0.8 * trend[i] + rng.normal(0, 1.0),
                     "EU27_2020_FOR": (nat_u + neu_u) / 2 - 0.5 * trend[i] + rng.normal(0, 1.0)}
            for d in (emp, unemp):  # foreigners split ~60 % non-EU, 40 % EU
                d["TOTAL"] = ((1 - share) * d["NAT"] + share * (0.6 * d["NEU27_2020_FOR"]
                                                                 + 0.4 * d["EU27_2020_FOR"]))
            for group in OUTCOME_GROUPS:
                u = max(unemp[group], 1.5)
                figures = {"employment_rate_20_64": emp[group],
                           "activity_rate_20_64": min(emp[group] / (1 - u / 100), 97.0),
                           "unemployment_rate_20_64": u}
                for measure, value in figures.items():
                    key = (region_id, measure, group, year)
                    flag = "u" if (region_id, group) in LOW_RELIABILITY else None
                    if key in NOT_PUBLISHED:
                        value, flag = None, "u"
                    if key == BREAK_IN_SERIES:
                        flag = "b"
                    rows.append({"region_id": region_id, "measure": measure, "group": group,
                                 "year": year, "unit": "PC", "flag": flag,
                                 "value": None if value is None else round(float(value), 1),
                                 "source": OUTCOME_SOURCES[measure]})
    return _frame("outcomes", rows)


def _measures() -> pd.DataFrame:
    rows = [{"measure": m, "label": label, "unit": "%", "direction": direction,
             "areas": "labour market", "basis": "citizenship", "reference_group": "NAT",
             "migrant_group": "NEU27_2020_FOR", "position": position,
             "source": OUTCOME_SOURCES[m]} for m, label, direction, position in MEASURES]
    return _frame("measures", rows)


def _practices(rng: np.random.Generator) -> pd.DataFrame:
    where = {r[0]: (r[5], r[6]) for r in REGIONS}
    keys = ("practice_id", "region_id", "language", "title", "areas", "target_groups",
            "authority_role", "stakeholders", "criteria", "funding", "start_year", "end_year",
            "summary", "lessons_learnt", "transferability_tips")
    rows = []
    for p in PRACTICES:
        row = dict(zip(keys, p))
        lat, lon = where[row["region_id"]]
        dlat, dlon = rng.uniform(-0.08, 0.08, size=2)
        row.update(lat=round(lat + dlat, 4), lon=round(lon + dlon, 4),
                   url=f"https://example.org/integration-lab/{row['practice_id']}")
        rows.append(row)
    return _frame("practices", rows)


def build_demo() -> dict[str, pd.DataFrame]:
    """The demo tables, keyed by table name, in schema order and types.

    Deterministic: every call returns identical frames (each table has its own seeded
    random stream, so changing one table's generation does not change the others).
    """
    return {
        "regions": _regions(),
        "indicators": _indicators(),
        "scores": _scores(np.random.default_rng([SEED, 1])),
        "practices": _practices(np.random.default_rng([SEED, 2])),
        "outcomes": _outcomes(np.random.default_rng([SEED, 3])),
        "measures": _measures(),
    }
