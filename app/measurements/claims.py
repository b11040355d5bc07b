"""What a vendor claimed in its questionnaire, and how far a measurement may differ before it contradicts.

The app fills :class:`Claims` from the vendor's answers; each value carries the question it came
from, so every comparison can cite it. All fields are optional: an unanswered question is no claim.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Claimed(Generic[T]):
    """One claimed value and the id of the question whose answer stated it (e.g. "QA-04")."""

    value: T
    question_id: str


@dataclass(frozen=True)
class Claims:
    """A vendor's checkable claims. Percentages are 0..100; shares may be fractions, percentages or
    counts, since they are normalised to sum to 1 within each claim.

    * ``locale_contributors``: locale -> number of active contributors (also checked as counts: a batch
      cannot hold more distinct contributors of a locale than the vendor says it has).
    * ``locale_shares``: locale -> share of contributors, when the vendor gave shares instead of counts.
    * ``demographic_shares``: attribute (metadata column, e.g. "gender") -> category -> share.
    * ``max_contributor_share_pct``: the largest share of items from one contributor.
    * ``consent_coverage_pct``: share of items with a recorded consent version (usually 100).
    * Audio: ``min_sample_rate_hz``, ``max_clipped_clips_pct`` (share of clips that clip),
      ``min_snr_db`` and ``max_silence_pct`` (per clip, items outside are said to be rejected).
    * Images: ``min_resolution`` as (width, height) in either orientation, ``min_sharpness`` (the
      vendor's blur threshold as a minimum variance of the Laplacian).
    * Images and text: ``max_duplicate_rate_pct``. Text: ``min_language_match_pct``, ``max_pii_rate_pct``.
    """

    locale_contributors: Claimed[dict[str, float]] | None = None
    locale_shares: Claimed[dict[str, float]] | None = None
    demographic_shares: Claimed[dict[str, dict[str, float]]] | None = None
    max_contributor_share_pct: Claimed[float] | None = None
    consent_coverage_pct: Claimed[float] | None = None
    min_sample_rate_hz: Claimed[int] | None = None
    max_clipped_clips_pct: Claimed[float] | None = None
    min_snr_db: Claimed[float] | None = None
    max_silence_pct: Claimed[float] | None = None
    min_resolution: Claimed[tuple[int, int]] | None = None
    min_sharpness: Claimed[float] | None = None
    max_duplicate_rate_pct: Claimed[float] | None = None
    min_language_match_pct: Claimed[float] | None = None
    max_pii_rate_pct: Claimed[float] | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Tolerances:
    """How far a measurement may stray from a claim before it counts as contradicting it.

    * ``share_pp`` (10): a locale or demographic share more than 10 percentage points from the claim
      contradicts it; ``min_contributors_for_shares`` (10): with fewer distinct contributors in the
      batch, shares are too coarse to judge (one person moves a share by 10 points or more).
    * ``contributor_share_pp`` (5): the largest single-contributor share may exceed the claim by 5 points.
    * ``alpha`` (0.05): a claimed rate ("at most 2 % of clips clip") is contradicted when the number of
      offending items in the batch would occur with probability below ``alpha`` if the true rate were
      the claimed one (one-sided binomial test); a pilot batch is a sample, not the whole delivery.
      Per-item thresholds ("clips under 16 kHz are rejected") claim a rate of 0, so any offender counts.
    * ``snr_db`` (3): our SNR estimate is good to about ±3 dB, so a clip is below a claimed minimum SNR
      only when its estimate is more than 3 dB under it.
    * ``silence_pp`` (5): a clip exceeds a claimed maximum silence only by more than 5 points (frame
      decisions at the threshold are noisy).
    * ``sharpness_ratio`` (0.5): blur measures differ between tools, so a picture is too blurred only
      when its Laplacian variance is under half the vendor's stated minimum.
    * ``language_id_error_pp`` (5): allowance for the language identifier's own mistakes.
    * ``clipped_clip_ratio`` (0.001): a clip "clips" when more than 0.1 % of its samples are at full scale.
    """

    share_pp: float = 10.0
    min_contributors_for_shares: int = 10
    contributor_share_pp: float = 5.0
    alpha: float = 0.05
    snr_db: float = 3.0
    silence_pp: float = 5.0
    sharpness_ratio: float = 0.5
    language_id_error_pp: float = 5.0
    clipped_clip_ratio: float = 0.001
