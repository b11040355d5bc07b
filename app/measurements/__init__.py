"""Sample-batch verification: safe extraction, metadata, per-modality metrics, claims vs measurement.

Plain functions over files and arrays returning frozen dataclasses (``to_dict()`` gives JSON-ready
data); no Flask or database here, so the app can run them in a background job.
"""

from app.measurements.archive import ExtractedBatch, UnsafeArchive, extract_batch
from app.measurements.batch import AnalysisOptions, BatchReport, ItemMetrics, analyse_batch
from app.measurements.claims import Claimed, Claims, Tolerances
from app.measurements.compare import Comparison, compare_with_claims
from app.measurements.metadata import MetadataSummary

__all__ = [
    "AnalysisOptions",
    "BatchReport",
    "Claimed",
    "Claims",
    "Comparison",
    "ExtractedBatch",
    "ItemMetrics",
    "MetadataSummary",
    "Tolerances",
    "UnsafeArchive",
    "analyse_batch",
    "compare_with_claims",
    "extract_batch",
]
