"""The risk matrix: likelihood × impact on a scale the agency configures.

``QMS_RISK_MATRIX = {"size": 5, "levels": {"low": 4, "medium": 9, "high": 15}}`` means a
5 × 5 matrix where a score up to 4 is low, up to 9 medium, up to 15 high and above that
critical. Changing the setting re-grades every risk at once: levels are never stored.
"""

from __future__ import annotations

from django.conf import settings

from planning.choices import IMPACT_WORDS, LIKELIHOOD_WORDS, RiskLevel


def size() -> int:
    return int(settings.QMS_RISK_MATRIX.get("size", 5))


def level(score: int | None) -> str:
    if not score:
        return ""
    limits = settings.QMS_RISK_MATRIX.get("levels", {})
    for name in (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH):
        if score <= limits.get(name.value, 0):
            return name.value
    return RiskLevel.CRITICAL.value


def scale(kind: str) -> list[tuple[int, str]]:
    """(value, label) for likelihood or impact, 1 = least."""
    words = LIKELIHOOD_WORDS if kind == "likelihood" else IMPACT_WORDS
    n = size()
    if n == len(words):
        return [(i + 1, f"{i + 1} · {words[i]}") for i in range(n)]
    return [(i + 1, str(i + 1)) for i in range(n)]


def grid() -> list[list[tuple[int, int, int, str]]]:
    """Rows from the most likely down, each cell (likelihood, impact, score, level)."""
    n = size()
    return [
        [
            (likelihood, impact, likelihood * impact, level(likelihood * impact))
            for impact in range(1, n + 1)
        ]
        for likelihood in range(n, 0, -1)
    ]
