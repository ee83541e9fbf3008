"""Pure scoring of county enforcement figures: schemes, ranks, points, totals and places, as the bulletin's attachment.

No Streamlit and no database here: DataFrames in, new DataFrames out.
"""

from scoring.catalogue import CATALOGUE, CatalogueMeasure, catalogue_measure
from scoring.ranking import competition_rank, missing_note, score_counties
from scoring.rule import DEFAULT_MEASURES, Measure, Scheme, SchemeError, ScoringRule
from scoring.scheme import default_scheme, read_scheme_file, scheme_from_toml, scheme_in_effect, scheme_to_toml

__all__ = [
    "CATALOGUE",
    "DEFAULT_MEASURES",
    "CatalogueMeasure",
    "Measure",
    "Scheme",
    "SchemeError",
    "ScoringRule",
    "catalogue_measure",
    "competition_rank",
    "default_scheme",
    "missing_note",
    "read_scheme_file",
    "scheme_from_toml",
    "scheme_in_effect",
    "scheme_to_toml",
    "score_counties",
]
