"""Compare what a vendor claimed with what its sample batch shows.

Each claim yields one or more :class:`Comparison` rows with a verdict and a sentence an evaluator can
read as it is. Tolerances and the statistical rule for rates are documented on :class:`Tolerances`.
Claims about another modality than the batch's are skipped unless ``include_other_modalities`` is set,
in which case they come back as "not_measurable".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Literal

from scipy.stats import binom

from app.measurements.batch import BatchReport
from app.measurements.claims import Claimed, Claims, Tolerances

Verdict = Literal["verified", "contradicted", "not_measurable"]
VERIFIED: Verdict = "verified"
CONTRADICTED: Verdict = "contradicted"
NOT_MEASURABLE: Verdict = "not_measurable"
_UNITS = {"audio": ("clip", "clips"), "image": ("image", "images"), "text": ("text", "texts")}


@dataclass(frozen=True)
class Comparison:
    """One claim set against the batch: ``measured`` is a percentage or number comparable to ``claimed``."""

    claim_key: str
    question_id: str
    claimed: object
    measured: object
    verdict: Verdict
    message: str

    def to_dict(self) -> dict:
        return asdict(self)


def compare_with_claims(
    report: BatchReport,
    claims: Claims,
    *,
    tolerances: Tolerances = Tolerances(),
    include_other_modalities: bool = False,
) -> list[Comparison]:
    """All comparisons of ``claims`` with ``report``, in the order of the fields of :class:`Claims`."""
    checks: list[tuple[str, tuple[str, ...], Callable]] = [
        ("locale_contributors", (), _locale_counts),
        ("locale_shares", (), _locale_shares),
        ("demographic_shares", (), _demographics),
        ("max_contributor_share_pct", (), _largest_contributor),
        ("consent_coverage_pct", (), _consent),
        ("min_sample_rate_hz", ("audio",), _sample_rate),
        ("max_clipped_clips_pct", ("audio",), _clipping),
        ("min_snr_db", ("audio",), _snr),
        ("max_silence_pct", ("audio",), _silence),
        ("min_resolution", ("image",), _resolution),
        ("min_sharpness", ("image",), _sharpness),
        ("max_duplicate_rate_pct", ("image", "text"), _duplicates),
        ("min_language_match_pct", ("text",), _language),
        ("max_pii_rate_pct", ("text",), _pii),
    ]
    results: list[Comparison] = []
    for key, modalities, check in checks:
        claim: Claimed | None = getattr(claims, key)
        if claim is None:
            continue
        if modalities and report.modality not in modalities:
            if include_other_modalities:
                results.append(
                    Comparison(
                        key,
                        claim.question_id,
                        claim.value,
                        None,
                        NOT_MEASURABLE,
                        f"The batch holds {report.modality} items, so this claim about "
                        f"{' or '.join(modalities)} ({claim.question_id}) cannot be checked on it.",
                    )
                )
            continue
        results.extend(check(report, claim, tolerances))
    return results


# --- metadata claims ---------------------------------------------------------------------------


def _locale_counts(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    rows = []
    measured = {loc: len(people) for loc, people in report.metadata.contributors_by_locale.items()}
    for locale, claimed in sorted(claim.value.items()):
        have = measured.get(locale, 0)
        key = f"locale_contributors:{locale}"
        if have > claimed:
            rows.append(
                Comparison(
                    key,
                    claim.question_id,
                    claimed,
                    have,
                    CONTRADICTED,
                    f"Vendor claims {_num(claimed)} contributors in {locale} ({claim.question_id}); "
                    f"the sample batch alone has {have} distinct contributors there.",
                )
            )
        else:
            rows.append(
                Comparison(
                    key,
                    claim.question_id,
                    claimed,
                    have,
                    VERIFIED,
                    f"Vendor claims {_num(claimed)} contributors in {locale} ({claim.question_id}); "
                    f"the batch has {have}, which does not exceed the claim.",
                )
            )
    return rows + _locale_shares(report, claim, tol, key_prefix="locale_contributor_share")


def _locale_shares(
    report: BatchReport, claim: Claimed, tol: Tolerances, key_prefix: str = "locale_share"
) -> list[Comparison]:
    claimed = _normalised(claim.value)
    contributors = report.metadata.contributors
    if contributors < tol.min_contributors_for_shares:
        return [
            Comparison(
                key_prefix,
                claim.question_id,
                _pcts(claimed),
                None,
                NOT_MEASURABLE,
                f"The batch has {contributors} distinct contributor(s), too few to check the claimed "
                f"locale shares ({claim.question_id}); at least {tol.min_contributors_for_shares} "
                "are needed.",
            )
        ]
    rows = []
    measured = {loc: len(p) / contributors for loc, p in report.metadata.contributors_by_locale.items()}
    for locale in sorted(set(claimed) | set(measured)):
        c, m = claimed.get(locale, 0.0), measured.get(locale, 0.0)
        off = abs(m - c) * 100 > tol.share_pp
        people = len(report.metadata.contributors_by_locale.get(locale, []))
        rows.append(
            Comparison(
                f"{key_prefix}:{locale}",
                claim.question_id,
                _pct_value(c),
                _pct_value(m),
                CONTRADICTED if off else VERIFIED,
                f"Vendor's answer ({claim.question_id}) puts {_pct(c)} of contributors in {locale}; the batch has "
                f"{people} of {contributors} contributors ({_pct(m)}) there"
                + (
                    f", more than {_num(tol.share_pp)} points off." if off else f", within {_num(tol.share_pp)} points."
                ),
            )
        )
    return rows


def _demographics(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    rows = []
    for attribute, categories in sorted(claim.value.items()):
        key = f"demographic_shares:{attribute}"
        claimed = {str(k).strip().lower(): v for k, v in _normalised(categories).items()}
        recorded = report.metadata.demographics.get(attribute)
        if not recorded:
            rows.append(
                Comparison(
                    key,
                    claim.question_id,
                    _pcts(claimed),
                    None,
                    NOT_MEASURABLE,
                    f"The batch metadata records no {attribute}, so the claimed {attribute} mix "
                    f"({claim.question_id}) cannot be checked.",
                )
            )
            continue
        people = sum(v["contributors"] for v in recorded.values())
        if people < tol.min_contributors_for_shares:
            rows.append(
                Comparison(
                    key,
                    claim.question_id,
                    _pcts(claimed),
                    None,
                    NOT_MEASURABLE,
                    f"Only {people} contributor(s) in the batch have a recorded {attribute}; too few to "
                    f"check the claimed mix ({claim.question_id}).",
                )
            )
            continue
        measured: dict[str, float] = {}
        for category, figures in recorded.items():
            name = category.strip().lower()
            measured[name] = measured.get(name, 0.0) + figures["contributors"] / people
        off = [
            c
            for c in sorted(set(claimed) | set(measured))
            if abs(measured.get(c, 0.0) - claimed.get(c, 0.0)) * 100 > tol.share_pp
        ]
        detail = "; ".join(
            f"{c}: claimed {_pct(claimed.get(c, 0.0))}, batch {_pct(measured.get(c, 0.0))}"
            for c in (off or sorted(set(claimed) | set(measured)))
        )
        rows.append(
            Comparison(
                key,
                claim.question_id,
                _pcts(claimed),
                _pcts(measured),
                CONTRADICTED if off else VERIFIED,
                f"Vendor's {attribute} mix ({claim.question_id}) against {people} contributors in the batch: {detail}"
                + (
                    f" (more than {_num(tol.share_pp)} points off)."
                    if off
                    else f" (all within {_num(tol.share_pp)} points)."
                ),
            )
        )
    return rows


def _largest_contributor(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    largest, meta = report.metadata.largest_contributor, report.metadata
    if not largest or not meta.contributors:
        return [
            Comparison(
                "max_contributor_share_pct",
                claim.question_id,
                claim.value,
                None,
                NOT_MEASURABLE,
                f"The batch metadata names no contributors, so the claimed maximum share per "
                f"contributor ({claim.question_id}) cannot be checked.",
            )
        ]
    measured = float(largest["share"]) * 100
    floor = 100 / meta.contributors
    text = (
        f"Vendor claims no contributor supplies more than {_num(claim.value)}% of the data "
        f"({claim.question_id}); in the batch, {largest['contributor']} supplies {largest['items']} of "
        f"{meta.rows} items ({_pct(measured / 100)})"
    )
    if measured <= claim.value + tol.contributor_share_pp:
        return [
            Comparison(
                "max_contributor_share_pct", claim.question_id, claim.value, _round(measured), VERIFIED, text + "."
            )
        ]
    if floor > claim.value + tol.contributor_share_pp:
        return [
            Comparison(
                "max_contributor_share_pct",
                claim.question_id,
                claim.value,
                _round(measured),
                NOT_MEASURABLE,
                text + f", but with only {meta.contributors} contributors in the batch "
                f"one of them necessarily supplies at least {_pct(floor / 100)}.",
            )
        ]
    return [
        Comparison(
            "max_contributor_share_pct", claim.question_id, claim.value, _round(measured), CONTRADICTED, text + "."
        )
    ]


def _consent(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    meta = report.metadata
    if meta.rows == 0 or "consent_version" in meta.missing_columns:
        return [
            Comparison(
                "consent_coverage_pct",
                claim.question_id,
                claim.value,
                None,
                NOT_MEASURABLE,
                f"The batch metadata has no consent_version column, so the claimed consent coverage "
                f"({claim.question_id}) cannot be checked.",
            )
        ]
    missing = len(meta.items_without_consent)
    return [
        _rate_comparison(
            "consent_coverage_pct",
            claim,
            missing,
            meta.rows,
            1 - claim.value / 100,
            tol,
            claimed_text=f"Vendor claims {_num(claim.value)}% of items have a recorded consent version",
            measured_text=f"{missing} of {meta.rows} items ({_pct(missing / meta.rows)}) have none",
            measured=_round(100 * (meta.rows - missing) / meta.rows),
        )
    ]


# --- audio, image and text claims -------------------------------------------------------------


def _sample_rate(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    return [
        _threshold(
            report,
            claim,
            tol,
            "min_sample_rate_hz",
            "sample_rate",
            lambda v: v < claim.value,
            f"below {_num(claim.value)} Hz are rejected",
            f"below {_num(claim.value)} Hz",
            worst=min,
            unit=" Hz",
        )
    ]


def _clipping(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    measured = [m for m in report.items if m.error is None and m.clipping_ratio is not None]
    if not measured:
        return [_nothing("max_clipped_clips_pct", claim, report)]
    clipped = sum(1 for m in measured if m.clipping_ratio > tol.clipped_clip_ratio)
    n = len(measured)
    return [
        _rate_comparison(
            "max_clipped_clips_pct",
            claim,
            clipped,
            n,
            claim.value / 100,
            tol,
            claimed_text=f"Vendor claims at most {_num(claim.value)}% clipped clips",
            measured_text=f"{clipped} of {n} clips ({_pct(clipped / n)}) clip",
            measured=_round(100 * clipped / n),
        )
    ]


def _snr(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    return [
        _threshold(
            report,
            claim,
            tol,
            "min_snr_db",
            "snr_db",
            lambda v: v < claim.value - tol.snr_db,
            f"under {_num(claim.value)} dB SNR are rejected",
            f"more than {_num(tol.snr_db)} dB below it by our estimate",
            worst=min,
            unit=" dB",
        )
    ]


def _silence(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    return [
        _threshold(
            report,
            claim,
            tol,
            "max_silence_pct",
            "silence_ratio",
            lambda v: v * 100 > claim.value + tol.silence_pp,
            f"with more than {_num(claim.value)}% silence are rejected",
            f"more than {_num(claim.value + tol.silence_pp)}% silent",
            worst=max,
            unit="",
            show=lambda v: _pct(v),
        )
    ]


def _resolution(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    short, long = sorted(int(x) for x in claim.value)

    def too_small(m) -> bool:
        a, b = sorted((m.width or 0, m.height or 0))
        return a < short or b < long

    return [
        _threshold(
            report,
            claim,
            tol,
            "min_resolution",
            None,
            too_small,
            f"smaller than {long}×{short} pixels are rejected",
            f"smaller than {long}×{short}",
            worst=None,
            unit="",
        )
    ]


def _sharpness(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    limit = claim.value * tol.sharpness_ratio
    return [
        _threshold(
            report,
            claim,
            tol,
            "min_sharpness",
            "blur_laplacian_var",
            lambda v: v < limit,
            f"blurrier than a Laplacian variance of {_num(claim.value)} are rejected",
            f"under {_num(limit)}, half that threshold since tools measure blur differently",
            worst=min,
            unit="",
        )
    ]


def _duplicates(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    n, dupes = report.aggregate.get("measured") or 0, report.aggregate.get("duplicate_items") or 0
    if not n:
        return [_nothing("max_duplicate_rate_pct", claim, report)]
    kind = "near-duplicate" if report.modality == "image" else "duplicate (exact or normalised)"
    return [
        _rate_comparison(
            "max_duplicate_rate_pct",
            claim,
            dupes,
            n,
            claim.value / 100,
            tol,
            claimed_text=f"Vendor claims at most {_num(claim.value)}% duplicates",
            measured_text=f"{dupes} of {n} {_UNITS[report.modality][1]} ({_pct(dupes / n)}) are {kind} copies of "
            "another item",
            measured=_round(100 * dupes / n),
        )
    ]


def _language(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    judged = report.aggregate.get("language_judged") or 0
    if not judged:
        return [_nothing("min_language_match_pct", claim, report)]
    wrong = judged - report.aggregate["language_matched"]
    allowed = 1 - claim.value / 100 + tol.language_id_error_pp / 100
    return [
        _rate_comparison(
            "min_language_match_pct",
            claim,
            wrong,
            judged,
            allowed,
            tol,
            claimed_text=f"Vendor claims {_num(claim.value)}% of texts are in the item's language",
            measured_text=f"{wrong} of {judged} texts with a clear language ({_pct(wrong / judged)}) are in another "
            "language than their locale",
            measured=_round(100 * (judged - wrong) / judged),
        )
    ]


def _pii(report: BatchReport, claim: Claimed, tol: Tolerances) -> list[Comparison]:
    n = report.aggregate.get("measured") or 0
    if not n:
        return [_nothing("max_pii_rate_pct", claim, report)]
    found = len(report.aggregate.get("pii_items", []))
    return [
        _rate_comparison(
            "max_pii_rate_pct",
            claim,
            found,
            n,
            claim.value / 100,
            tol,
            claimed_text=f"Vendor claims at most {_num(claim.value)}% of texts contain personal data",
            measured_text=f"{found} of {n} texts ({_pct(found / n)}) contain an e-mail, phone, IBAN or card number "
            "pattern",
            measured=_round(100 * found / n),
        )
    ]


# --- shared rules ------------------------------------------------------------------------------


def _threshold(
    report: BatchReport,
    claim: Claimed,
    tol: Tolerances,
    key: str,
    field_name: str | None,
    violates: Callable,
    rule: str,
    offence: str,
    *,
    worst: Callable | None,
    unit: str,
    show: Callable | None = None,
) -> Comparison:
    """A per-item threshold the vendor says it enforces: any item beyond it (after tolerance) contradicts."""
    items = [m for m in report.items if m.error is None and (field_name is None or getattr(m, field_name) is not None)]
    if not items:
        return _nothing(key, claim, report)
    values = [getattr(m, field_name) if field_name else m for m in items]
    bad = [v for v in values if violates(v)]
    n, k = len(items), len(bad)
    one, many = _UNITS[report.modality]
    text = f"Vendor claims {many} {rule} ({claim.question_id}); {k} of {n} {many} ({_pct(k / n)}) are {offence}"
    if worst is not None and bad:
        extreme = worst(bad)
        text += f" (worst {show(extreme) if show else _num(extreme) + unit})"
    return Comparison(
        key, claim.question_id, _claim_value(claim), _round(100 * k / n), CONTRADICTED if k else VERIFIED, text + "."
    )


def _rate_comparison(
    key: str,
    claim: Claimed,
    k: int,
    n: int,
    claimed_rate: float,
    tol: Tolerances,
    *,
    claimed_text: str,
    measured_text: str,
    measured: float,
) -> Comparison:
    """A claimed rate against k offenders in n: contradicted when k is implausible under that rate."""
    rate = min(max(claimed_rate, 0.0), 1.0)
    p_value = float(binom.sf(k - 1, n, rate)) if k > 0 else 1.0
    text = f"{claimed_text} ({claim.question_id}); {measured_text}"
    if p_value < tol.alpha:
        chance = "" if rate == 0 else f", more than chance allows in a sample of {n} (p = {p_value:.2g})"
        return Comparison(key, claim.question_id, _claim_value(claim), measured, CONTRADICTED, text + chance + ".")
    if k / n > rate:
        text += f", above the claim but within what a sample of {n} can show by chance"
    return Comparison(key, claim.question_id, _claim_value(claim), measured, VERIFIED, text + ".")


def _nothing(key: str, claim: Claimed, report: BatchReport) -> Comparison:
    return Comparison(
        key,
        claim.question_id,
        _claim_value(claim),
        None,
        NOT_MEASURABLE,
        f"No {_UNITS[report.modality][0]} of the batch could be measured for this claim ({claim.question_id}).",
    )


def _normalised(values: dict) -> dict[str, float]:
    total = sum(float(v) for v in values.values())
    return {str(k): (float(v) / total if total else 0.0) for k, v in values.items()}


def _claim_value(claim: Claimed) -> object:
    return list(claim.value) if isinstance(claim.value, tuple) else claim.value


def _pcts(shares: dict[str, float]) -> dict[str, float]:
    return {k: _pct_value(v) for k, v in shares.items()}


def _pct_value(fraction: float) -> float:
    return _round(fraction * 100)


def _pct(fraction: float) -> str:
    return f"{_num(_round(fraction * 100))}%"


def _round(value: float) -> float:
    return round(float(value), 1)


def _num(value: float | int | Sequence) -> str:
    if isinstance(value, (int,)) or float(value).is_integer():
        return str(int(value))
    return f"{float(value):.1f}".rstrip("0").rstrip(".")
