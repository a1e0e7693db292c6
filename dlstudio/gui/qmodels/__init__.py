"""Qt item models over core data (DataFrames, profiles, trials)."""
