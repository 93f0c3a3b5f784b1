"""The gaps report as JSON-ready dictionaries (the CLI's ``--format json`` and ``GET /api/gaps``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from assistant.gaps.report import GapReport
from assistant.gaps.topics import GapTopic


def topic_dict(topic: GapTopic, city_name: str | None = None) -> dict[str, Any]:
    nearest = topic.nearest_article
    return {
        "id": topic.id,
        "city": topic.city,
        "city_name": city_name or topic.city,
        "label": topic.label,
        "words": topic.words,
        "count": topic.count,
        "impact": topic.impact,
        "kind": topic.kind,
        "kinds": topic.kinds,
        "examples": topic.examples,
        "trend": [{"week": w.week, "calls": w.calls} for w in topic.trend],
        "group": topic.group,
        "group_count": topic.group_count,
        "nearest_article": (
            {"article_id": nearest.article_id, "title": nearest.title, "score": nearest.score} if nearest else None
        ),
        "signal_articles": topic.signal_articles[:5],
    }


def topics_list(report: GapReport, limit: int | None = None) -> list[dict[str, Any]]:
    topics = report.topics if limit is None else report.topics[:limit]
    return [topic_dict(t, report.city_name(t.city)) for t in topics]


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
