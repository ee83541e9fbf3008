"""Pure scoring of county enforcement figures: ranks, points, totals and places, as the bulletin's attachment.

No Streamlit and no database here: DataFrames in, new DataFrames out.
"""

from scoring.ranking import competition_rank, missing_note, score_counties
from scoring.rule import DEFAULT_MEASURES, Measure, ScoringRule

__all__ = ["DEFAULT_MEASURES", "Measure", "ScoringRule", "competition_rank", "missing_note", "score_counties"]
