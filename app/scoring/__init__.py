"""DataVet's scoring engine: pure functions over plain data (no Flask, no database, no clock, no I/O).

Modules: ``model`` (requirements, score results), ``autoscorers`` (registry of answer scorers),
``aggregate`` (totals, must-haves, ranking), ``weights`` (normalisation, AHP), ``price``,
``robustness`` (critical weights, rank acceptability), ``agreement`` (Krippendorff's alpha),
``consistency`` (checks on vendor numbers).
"""
