"""The gaps report as JSON-ready dictionaries (the CLI's ``--format json`` and ``GET /api/gaps``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from assistant.gaps.report import GapReport
from assistant.gaps.topics import GapTopic, WeekCount, iso_week

TREND_WEEKS = 8


def recent_weeks(trend: list[WeekCount], until: date, weeks: int = TREND_WEEKS) -> list[dict[str, Any]]:
    """Calls per ISO week for the ``weeks`` weeks up to the week of ``until``, weeks without calls as 0
    (so a bar chart reads as a trend)."""
    counts = {w.week: w.calls for w in trend}
    days = [until - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return [{"week": iso_week_of(day), "calls": counts.get(iso_week_of(day), 0)} for day in days]


def iso_week_of(day: date) -> str:
    from datetime import datetime

    return iso_week(datetime(day.year, day.month, day.day))


def trend_direction(weeks: list[dict[str, Any]]) -> str:
    """``new`` (calls only in the last two weeks), ``rising``, ``falling`` or ``steady``: the last half
    of the weeks against the first half."""
    calls = [w["calls"] for w in weeks]
    half = len(calls) // 2
    before, recent = sum(calls[:half]), sum(calls[half:])
    if sum(calls[:-2]) == 0 and sum(calls[-2:]) > 0:
        return "new"
    if recent > before * 1.25:
        return "rising"
    if recent < before * 0.8:
        return "falling"
    return "steady"


def topic_dict(topic: GapTopic, city_name: str | None = None, until: date | None = None) -> dict[str, Any]:
    nearest = topic.nearest_article
    weeks = recent_weeks(topic.trend, until or date.today())
    return {
        "id": topic.id,
        "city": topic.city,
        "city_name": city_name or topic.city,
        "label": topic.label,
        "title": topic.title or topic.label,
        "question": topic.question,
        "words": topic.words,
        "count": topic.count,
        "impact": topic.impact,
        "kind": topic.kind,
        "kinds": topic.kinds,
        "examples": topic.examples,
        "trend": [{"week": w.week, "calls": w.calls} for w in topic.trend],
        "recent_weeks": weeks,
        "trend_direction": trend_direction(weeks),
        "searches_without_results": topic.searches_without_results,
        "group": topic.group,
        "group_count": topic.group_count,
        "nearest_article": (
            {"article_id": nearest.article_id, "title": nearest.title, "score": nearest.score} if nearest else None
        ),
        "signal_articles": topic.signal_articles[:5],
        "draft": {"file_name": topic.draft_file, "markdown": topic.draft} if topic.draft else None,
    }


def topics_list(report: GapReport, limit: int | None = None) -> list[dict[str, Any]]:
    topics = report.topics if limit is None else report.topics[:limit]
    until = report.generated_at.date()
    return [topic_dict(t, report.city_name(t.city), until) for t in topics]


def report_dict(report: GapReport, limit: int | None = None) -> dict[str, Any]:
    health = report.health
    return {
        "generated_at": report.generated_at.isoformat(timespec="seconds"),
        "city": report.city,
        "since": report.since.isoformat() if report.since else None,
        "cities": [{"key": c.key, "name": c.name} for c in report.cities],
        "signals": report.signals,
        "topics": topics_list(report, limit),
        "health": {
            "never_suggested": [asdict(a) for a in health.never_suggested],
            "rejected": [
                {
                    **asdict(r),
                    "dismissed_rate": round(r.dismissed_rate, 3),
                    "not_helpful_rate": round(r.not_helpful_rate, 3),
                }
                for r in health.rejected
            ],
            "stale": [{**asdict(s), "updated": s.updated.isoformat()} for s in health.stale],
            "duplicates": [asdict(d) for d in health.duplicates],
        },
        "topic_asymmetries": [asdict(a) for a in report.topic_asymmetries],
        "service_asymmetries": [asdict(a) for a in report.service_asymmetries],
        "missing_articles": (
            [asdict(m) for m in report.missing_articles] if report.missing_articles is not None else None
        ),
    }
