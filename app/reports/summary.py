"""The executive summary: a handful of sentences leadership reads before any table."""

from __future__ import annotations

from app.reports.comparison import Comparison


def _names(items) -> str:
    names = list(items)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _winner_sentence(comparison: Comparison) -> str | None:
    ranked = comparison.results.ranked
    if not ranked:
        return None
    first = ranked[0]
    if len(ranked) == 1:
        return f"{first.vendor} is the only vendor ranked, with {first.total:.1f} of 100."
    second = ranked[1]
    if second.rank == first.rank:
        return f"{first.vendor} and {second.vendor} share first place with {first.total:.1f} of 100."
    return (
        f"{first.vendor} leads with {first.total:.1f} of 100, {first.total - second.total:.1f} points ahead "
        f"of {second.vendor} ({second.total:.1f})."
    )


def _robustness_sentences(comparison: Comparison) -> list[str]:
    robustness = comparison.robustness
    if not robustness.available:
        return [robustness.note] if robustness.note else []
    sentences = []
    closest = robustness.closest
    if closest is None:
        sentences.append("No change to the weight of any single section changes the winner.")
    else:
        sentences.append(
            f"The smallest weight change that changes the winner: {closest.title} from "
            f"{closest.weight_share:.0%} to {closest.new_share:.0%} of the total weight "
            f"({closest.change * 100:+.1f} points) makes {closest.new_winner} the winner."
        )
    leader = max(robustness.acceptability, key=lambda row: row.first_place)
    sentences.append(
        f"With the weights redrawn at random around the buyer's {robustness.draws:,} times, {leader.vendor} "
        f"comes first in {leader.first_place:.0%} of the draws."
    )
    return sentences


def price_sentences(comparison: Comparison) -> list[str]:
    """Each vendor's price per unit, cost per accepted unit and its ratio to the budget, with the currency."""
    settings = comparison.results.price
    if settings is None or settings.price_question is None:
        return []
    vendors = [v for v in comparison.vendors if v.price is not None]
    if not vendors:
        return []
    budget = (
        f"against a budget of {settings.money(settings.budget)} per accepted {settings.unit_words}"
        if settings.budget
        else "no budget set"
    )
    sentences = [f"Prices in {settings.currency} per {settings.unit_words}, {budget}."]
    sentences += [f"{v.vendor}: {settings.describe(v.price.cost)}." for v in vendors]
    if not settings.scored and settings.not_scored_reason:
        sentences.append(settings.not_scored_reason)
    return sentences


def _agreement_sentence(comparison: Comparison) -> str | None:
    agreement = comparison.agreement
    if not agreement.evaluators:
        return None
    if agreement.alpha is None:
        text = (
            f"Evaluator agreement cannot be assessed yet ({agreement.scored_answers} answers scored by two "
            f"or more evaluators)."
        )
    else:
        text = (
            f"Evaluator agreement (Krippendorff's alpha, ordinal) is {agreement.alpha:.2f}: {agreement.label}, "
            f"over {agreement.scored_answers} answers scored by two or more evaluators."
        )
    if agreement.gaps:
        settled = sum(1 for gap in agreement.gaps if gap.consensus is not None)
        many = len(agreement.gaps) != 1
        text += (
            f" {len(agreement.gaps)} answer{'s' if many else ''} had scores 2 or more points apart; "
            f"{settled} settled by consensus."
        )
    return text


def executive_summary(comparison: Comparison) -> tuple[str, ...]:
    """Plain sentences: who leads and by how much, who is set apart, what each bid costs, how sure we are,
    what is missing."""
    results = comparison.results
    submitted = len(comparison.vendors)
    if not submitted:
        waiting = f": waiting for {_names(results.not_submitted)}" if results.not_submitted else ""
        return (f"No vendor has submitted a response yet{waiting}.",)
    sentences = [f"{submitted} vendor{'s' if submitted != 1 else ''} submitted; {len(results.ranked)} ranked."]
    winner = _winner_sentence(comparison)
    if winner:
        sentences.append(winner)
    if results.disqualified:
        sentences.append(f"Shown apart for failing a must-have: {_names(v.vendor for v in results.disqualified)}.")
    sentences += price_sentences(comparison)
    sentences += _robustness_sentences(comparison)
    coverage = comparison.coverage
    if coverage.available and results.ranked:
        best, _ = coverage.for_vendor(results.ranked[0].response_id)
        if best is not None and best.weakest_ratio is not None:
            sentences.append(
                f"{best.vendor} commits the required {coverage.unit} in full in {best.locales_met} of "
                f"{best.locales_required} required locales (its weakest locale at {best.weakest_ratio:.0%} "
                "of the requirement)."
            )
    agreement = _agreement_sentence(comparison)
    if agreement:
        sentences.append(agreement)
    awaiting = sum(v.awaiting_people for v in comparison.vendors)
    if awaiting:
        sentences.append(f"{awaiting} criteria still await evaluators' scores and count 0 until scored.")
    if results.not_submitted:
        sentences.append(f"Not submitted: {_names(results.not_submitted)}.")
    return tuple(sentences)
