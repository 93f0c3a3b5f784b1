"""The gaps report as Markdown for content teams (German)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from assistant.gaps.report import GapReport
from assistant.gaps.topics import GapTopic, WeekCount

KIND_NAMES = {
    "unanswered": "unbeantwortet",
    "not_helpful": "nicht hilfreich",
    "dismissed": "verworfen",
    "search_without_click": "Suche ohne Treffer",
    "no_helpful_call": "nichts hilfreich",
}


# Longer health lists are cut in Markdown; CSV and JSON have them all.
MAX_ROWS = 25


def _more(total: int) -> list[str]:
    return [f"… und {total - MAX_ROWS} weitere (vollständig mit --format csv oder json)"] if total > MAX_ROWS else []


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines.extend("| " + " | ".join(_cell(v) for v in row) + " |" for row in rows)
    return lines


def trend_text(trend: Sequence[WeekCount]) -> str:
    return ", ".join(f"{w.week.split('-')[1]}: {w.calls}" for w in trend[-6:])


def _nearest(topic: GapTopic) -> str:
    nearest = topic.nearest_article
    return f"{nearest.title} ({nearest.article_id}, {nearest.score:.2f})" if nearest else "–"


def render_markdown(report: GapReport, limit: int | None = None) -> str:
    place = report.city_name(report.city) if report.city else "alle Städte"
    window = f"seit {report.since.isoformat()}" if report.since else "alle gespeicherten Anrufe"
    lines = [
        f"# Wissenslücken – {place}",
        "",
        f"Stand {report.generated_at:%Y-%m-%d %H:%M} UTC · {window} · {report.signals} Signale",
        "",
        "## Themen nach Wirkung",
        "",
    ]
    topics = report.topics if limit is None else report.topics[:limit]
    if topics:
        lines += _table(
            ["#", "Stadt", "Thema", "Art", "Anrufe", "Wirkung", "Trend", "Gruppe", "Nächster Artikel"],
            (
                [
                    i,
                    report.city_name(t.city),
                    t.label or "–",
                    KIND_NAMES[t.kind],
                    t.count,
                    f"{t.impact:g}",
                    trend_text(t.trend),
                    t.group,
                    _nearest(t),
                ]
                for i, t in enumerate(topics, start=1)
            ),
        )
        for i, topic in enumerate(topics, start=1):
            lines += ["", f"### {i}. {topic.label or '–'} ({report.city_name(topic.city)})", ""]
            lines += [f"- „{_cell(e)}“" for e in topic.examples]
    else:
        lines.append("Keine Wissenslücken im Zeitraum.")
    lines += ["", *_health(report), "", *_asymmetries(report)]
    return "\n".join(lines) + "\n"


def _health(report: GapReport) -> list[str]:
    health = report.health
    lines = ["## Artikelgesundheit", "", "### Oft verworfen oder nicht hilfreich", ""]
    if health.rejected:
        lines += _table(
            ["Artikel", "Titel", "Anrufe", "verworfen", "nicht hilfreich", "hilfreich"],
            (
                [
                    r.article_id,
                    r.title,
                    r.exposed_calls,
                    f"{r.dismissed_rate:.0%}",
                    f"{r.not_helpful_rate:.0%}",
                    r.helpful_calls,
                ]
                for r in health.rejected[:MAX_ROWS]
            ),
        )
        lines += _more(len(health.rejected))
    else:
        lines.append("Keine.")
    lines += ["", "### Nie vorgeschlagen", ""]
    lines += [f"- {a.article_id} – {a.title}" for a in health.never_suggested[:MAX_ROWS]] or ["Keine."]
    lines += _more(len(health.never_suggested))
    lines += ["", "### Veraltet", ""]
    lines += [
        f"- {s.article_id} – {s.title} (Stand {s.updated.isoformat()}, {s.age_days} Tage)"
        for s in health.stale[:MAX_ROWS]
    ] or ["Keine."]
    lines += _more(len(health.stale))
    lines += ["", "### Fast gleiche Artikel", ""]
    lines += [
        f"- {d.first.article_id} und {d.second.article_id} (Ähnlichkeit {d.similarity:.3f})" for d in health.duplicates
    ] or ["Keine."]
    return lines


def _asymmetries(report: GapReport) -> list[str]:
    name = report.city_name
    lines = ["## Unterschiede zwischen Städten", "", "### Themen", ""]
    lines += [
        f"- {a.label}: in {name(a.strong_city)} beantwortet ({a.strong_calls} Anrufe, "
        f"{a.strong_article_title}), in {name(a.weak_city)} nicht ({a.weak_calls} Anrufe)"
        for a in report.topic_asymmetries
    ] or ["Keine."]
    lines += ["", "### Leistungen", ""]
    lines += [
        f"- {a.service}: {a.strong_article_id} hilft in {name(a.strong_city)} "
        f"({a.strong_helpful_calls} von {a.strong_exposed_calls} Anrufen), {a.weak_article_id} in "
        f"{name(a.weak_city)} nicht ({a.weak_rejected_calls} von {a.weak_exposed_calls} abgelehnt)"
        for a in report.service_asymmetries
    ] or ["Keine."]
    lines += ["", "### Fehlende Artikel laut Leistungskatalog", ""]
    if report.missing_articles is None:
        lines.append("Kein Leistungskatalog gefunden.")
    else:
        lines += [f"- {name(m.city)}: {m.title} ({m.service})" for m in report.missing_articles] or ["Keine."]
    return lines
