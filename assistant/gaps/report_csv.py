"""The gaps report as one CSV table; the ``section`` column says what a row is."""

from __future__ import annotations

import csv
import io

from assistant.gaps.report import GapReport

COLUMNS = (
    "section",
    "city",
    "id",
    "label",
    "kind",
    "calls",
    "impact",
    "trend",
    "group",
    "article_id",
    "article_title",
    "score",
    "detail",
)


def render_csv(report: GapReport, limit: int | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    topics = report.topics if limit is None else report.topics[:limit]
    for topic in topics:
        nearest = topic.nearest_article
        writer.writerow(
            {
                "section": "topic",
                "city": topic.city,
                "id": topic.id,
                "label": topic.label,
                "kind": topic.kind,
                "calls": topic.count,
                "impact": topic.impact,
                "trend": " ".join(f"{w.week}:{w.calls}" for w in topic.trend),
                "group": topic.group,
                "article_id": nearest.article_id if nearest else "",
                "article_title": nearest.title if nearest else "",
                "score": nearest.score if nearest else "",
                "detail": " | ".join(topic.examples),
            }
        )
    health = report.health
    for rejected in health.rejected:
        writer.writerow(
            {
                "section": "article_rejected",
                "city": rejected.city,
                "article_id": rejected.article_id,
                "article_title": rejected.title,
                "calls": rejected.exposed_calls,
                "detail": f"dismissed_rate={rejected.dismissed_rate:.3f} "
                f"not_helpful_rate={rejected.not_helpful_rate:.3f} helpful_calls={rejected.helpful_calls}",
            }
        )
    for never in health.never_suggested:
        writer.writerow(
            {
                "section": "article_never_suggested",
                "city": never.city,
                "article_id": never.article_id,
                "article_title": never.title,
            }
        )
    for old in health.stale:
        writer.writerow(
            {
                "section": "article_stale",
                "city": old.city,
                "article_id": old.article_id,
                "article_title": old.title,
                "detail": f"updated={old.updated.isoformat()} age_days={old.age_days}",
            }
        )
    for pair in health.duplicates:
        writer.writerow(
            {
                "section": "article_duplicate",
                "city": pair.city,
                "article_id": pair.first.article_id,
                "article_title": pair.first.title,
                "score": pair.similarity,
                "detail": f"similar_to={pair.second.article_id}",
            }
        )
    for d in report.topic_asymmetries:
        writer.writerow(
            {
                "section": "city_difference_topic",
                "city": d.weak_city,
                "id": d.weak_topic,
                "label": d.label,
                "calls": d.weak_calls,
                "group": d.group,
                "article_id": d.strong_article_id,
                "article_title": d.strong_article_title,
                "detail": f"answered_in={d.strong_city} answered_calls={d.strong_calls}",
            }
        )
    for service in report.service_asymmetries:
        writer.writerow(
            {
                "section": "city_difference_service",
                "city": service.weak_city,
                "label": service.service,
                "calls": service.weak_exposed_calls,
                "article_id": service.weak_article_id,
                "detail": f"rejected_calls={service.weak_rejected_calls} helps_in={service.strong_city} "
                f"({service.strong_article_id}: {service.strong_helpful_calls}/{service.strong_exposed_calls})",
            }
        )
    for m in report.missing_articles or []:
        writer.writerow(
            {"section": "missing_article", "city": m.city, "label": m.title, "detail": f"service={m.service}"}
        )
    return buffer.getvalue()
