// Souffleur gaps page for content teams: knowledge gaps ranked by impact, article health, city differences.
"use strict";

(() => {
  const TOKEN_KEY = "souffleur-content-token";
  const KINDS = {
    unanswered: "unbeantwortet",
    not_helpful: "nicht hilfreich",
    dismissed: "verworfen",
    search_without_click: "Suche ohne Treffer",
    no_helpful_call: "nichts hilfreich",
  };
  const BARS = "▁▂▃▄▅▆▇█";
  const $ = (id) => document.getElementById(id);
  const state = { cities: [], loaded: false };

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    return node;
  }

  // The token comes once in ?token=, is kept for this browser tab only, and leaves the address bar.
  function takeToken() {
    const params = new URLSearchParams(location.search);
    const fromUrl = params.get("token");
    if (fromUrl) {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
      params.delete("token");
      const rest = params.toString();
      history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
    }
    return sessionStorage.getItem(TOKEN_KEY) || "";
  }

  function showError(text) {
    const node = $("fehler");
    node.textContent = text;
    node.hidden = false;
    $("stand").textContent = "Fehler";
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function cityName(key) {
    const city = state.cities.find((c) => c.key === key);
    return city ? city.name : key === "common" ? "alle Städte" : key;
  }

  function percent(value) {
    return Math.round(value * 100) + " %";
  }

  function trendNode(trend) {
    const weeks = trend.slice(-8);
    const top = Math.max(1, ...weeks.map((w) => w.calls));
    const spark = weeks.map((w) => BARS[Math.min(BARS.length - 1, Math.round(((BARS.length - 1) * w.calls) / top))]).join("");
    const said = weeks.map((w) => `KW ${w.week.split("-W")[1]}: ${w.calls} ${w.calls === 1 ? "Anruf" : "Anrufe"}`).join(", ");
    return el("span", { class: "trend", title: said, "aria-label": said }, spark || "–");
  }

  function nearestText(article) {
    if (!article) return "–";
    return `${article.title} (${article.score.toFixed(2).replace(".", ",")})`;
  }

  function detailCell(topic) {
    const cell = el("td", { colspan: "7" });
    cell.append(el("h3", {}, "Beispielsätze"));
    const list = el("ol", { class: "examples" });
    for (const example of topic.examples) list.append(el("li", {}, el("q", {}, example)));
    cell.append(list);
    cell.append(el("h3", {}, "Nächster vorhandener Artikel"));
    const nearest = topic.nearest_article;
    cell.append(
      nearest
        ? el("p", { class: "nearest" }, el("strong", {}, nearest.title), ` – ${nearest.article_id}, Treffer-Konfidenz ${nearest.score.toFixed(2).replace(".", ",")}`)
        : el("p", { class: "nearest" }, "Kein Artikel gefunden.")
    );
    const kinds = Object.entries(topic.kinds).map(([kind, calls]) => `${KINDS[kind] || kind}: ${calls}`).join(" · ");
    cell.append(el("p", { class: "muted" }, `Signale (Anrufe je Art): ${kinds}`));
    cell.append(el("p", { class: "muted" }, `Wirkung ${topic.impact} · Gruppe ${topic.group}: ${topic.group_count} Anrufe in allen Städten`));
    return cell;
  }

  function renderTopics(topics) {
    const body = $("themen-zeilen");
    clear(body);
    $("keine-themen").hidden = topics.length > 0;
    $("themen").hidden = topics.length === 0;
    topics.forEach((topic, index) => {
      const detailId = "detail-" + topic.id;
      const button = el("button", { type: "button", "aria-expanded": "false", "aria-controls": detailId }, topic.label || "–");
      const row = el(
        "tr",
        { class: "topic", "data-topic": topic.id },
        el("td", { class: "num" }, index + 1),
        el("td", {}, topic.city_name),
        el("td", {}, button),
        el("td", {}, el("span", { class: "kind kind-" + topic.kind }, KINDS[topic.kind] || topic.kind)),
        el("td", { class: "num" }, topic.count),
        el("td", {}, trendNode(topic.trend)),
        el("td", {}, nearestText(topic.nearest_article))
      );
      const detail = el("tr", { class: "detail", id: detailId, hidden: "" }, detailCell(topic));
      const toggle = () => {
        const open = detail.hidden;
        detail.hidden = !open;
        row.classList.toggle("open", open);
        button.setAttribute("aria-expanded", String(open));
      };
      button.addEventListener("click", toggle);
      row.addEventListener("click", (event) => {
        if (!button.contains(event.target)) toggle();
      });
      body.append(row, detail);
    });
  }

  function listOrNone(items, render) {
    if (!items || items.length === 0) return el("p", { class: "empty" }, "Keine.");
    const list = el("ul", { class: "list" });
    for (const item of items) list.append(el("li", {}, render(item)));
    return list;
  }

  function renderHealth(health) {
    const box = $("gesundheit");
    clear(box);
    box.append(el("h3", {}, "Oft verworfen oder nicht hilfreich"));
    if (health.rejected.length) {
      const table = el("table", { class: "gap-table" });
      table.append(
        el(
          "thead",
          {},
          el(
            "tr",
            {},
            el("th", { scope: "col" }, "Artikel"),
            el("th", { scope: "col", class: "num" }, "Anrufe"),
            el("th", { scope: "col", class: "num" }, "verworfen"),
            el("th", { scope: "col", class: "num" }, "nicht hilfreich"),
            el("th", { scope: "col", class: "num" }, "hilfreich")
          )
        )
      );
      const body = el("tbody");
      for (const r of health.rejected) {
        body.append(
          el(
            "tr",
            {},
            el("td", {}, `${r.title} (${r.article_id})`),
            el("td", { class: "num" }, r.exposed_calls),
            el("td", { class: "num" }, percent(r.dismissed_rate)),
            el("td", { class: "num" }, percent(r.not_helpful_rate)),
            el("td", { class: "num" }, r.helpful_calls)
          )
        );
      }
      table.append(body);
      box.append(table);
    } else {
      box.append(el("p", { class: "empty" }, "Keine."));
    }
    box.append(el("h3", {}, "Veraltet"));
    box.append(listOrNone(health.stale, (s) => `${s.title} (${s.article_id}) – Stand ${s.updated}, ${s.age_days} Tage alt`));
    box.append(el("h3", {}, "Fast gleiche Artikel"));
    box.append(
      listOrNone(health.duplicates, (d) => `${d.first.title} und ${d.second.title} (${cityName(d.city)}, Ähnlichkeit ${d.similarity.toFixed(3)})`)
    );
    box.append(el("h3", {}, "Nie vorgeschlagen"));
    if (health.never_suggested.length) {
      const details = el("details", {}, el("summary", {}, `${health.never_suggested.length} Artikel anzeigen`));
      details.append(listOrNone(health.never_suggested, (a) => `${a.title} (${a.article_id})`));
      box.append(details);
    } else {
      box.append(el("p", { class: "empty" }, "Keine."));
    }
  }

  function renderDifferences(data) {
    const box = $("unterschiede");
    clear(box);
    box.append(el("h3", {}, "Themen"));
    box.append(
      listOrNone(
        data.topic_asymmetries,
        (a) => `${a.label}: in ${cityName(a.strong_city)} beantwortet (${a.strong_calls} Anrufe, „${a.strong_article_title}“), in ${cityName(a.weak_city)} nicht (${a.weak_calls} Anrufe)`
      )
    );
    box.append(el("h3", {}, "Leistungen"));
    box.append(
      listOrNone(
        data.service_asymmetries,
        (a) => `${a.service}: hilft in ${cityName(a.strong_city)} (${a.strong_helpful_calls} von ${a.strong_exposed_calls} Anrufen), in ${cityName(a.weak_city)} nicht (${a.weak_rejected_calls} von ${a.weak_exposed_calls} abgelehnt)`
      )
    );
    box.append(el("h3", {}, "Fehlende Artikel laut Leistungskatalog"));
    if (data.missing_articles === null) {
      box.append(el("p", { class: "empty" }, "Kein Leistungskatalog gefunden."));
      return;
    }
    if (data.missing_articles.length === 0) {
      box.append(el("p", { class: "empty" }, "Keine – jede Leistung des Katalogs hat einen Artikel."));
      return;
    }
    const byCity = new Map();
    for (const missing of data.missing_articles) {
      if (!byCity.has(missing.city)) byCity.set(missing.city, []);
      byCity.get(missing.city).push(missing);
    }
    for (const [city, items] of byCity) {
      const details = el("details", {}, el("summary", {}, `${cityName(city)}: ${items.length} Leistungen ohne Artikel`));
      details.append(listOrNone(items, (m) => `${m.title} (${m.service})`));
      box.append(details);
    }
  }

  function fillCities(cities) {
    state.cities = cities;
    if (state.loaded) return;
    const select = $("stadt");
    for (const city of cities) select.append(el("option", { value: city.key }, city.name));
    state.loaded = true;
  }

  async function load(token) {
    if (!token) {
      showError("Kein Zugang: Bitte öffnen Sie die Seite über den Link mit Ihrem Zugangstoken (…/gaps?token=…).");
      return;
    }
    const params = new URLSearchParams();
    if ($("stadt").value) params.set("city", $("stadt").value);
    if ($("seit").value) params.set("since", $("seit").value);
    $("stand").textContent = "Lade …";
    let response;
    try {
      response = await fetch("/api/gaps?" + params.toString(), { headers: { "X-Content-Token": token } });
    } catch (error) {
      showError("Der Server ist nicht erreichbar. Bitte später erneut versuchen.");
      return;
    }
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showError("Zugang verweigert: Das Zugangstoken ist ungültig. Bitte öffnen Sie den Link mit gültigem Token erneut.");
      return;
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (error) { /* keep the status text */ }
      showError("Der Bericht konnte nicht erstellt werden: " + detail);
      return;
    }
    const data = await response.json();
    $("fehler").hidden = true;
    fillCities(data.cities);
    renderTopics(data.topics);
    renderHealth(data.health);
    renderDifferences(data);
    const when = new Date(data.generated_at).toLocaleString("de-DE");
    $("stand").textContent = `Stand ${when} · ${data.topics.length} Themen · ${data.signals} Signale`;
  }

  document.addEventListener("DOMContentLoaded", () => {
    const token = takeToken();
    $("filter").addEventListener("submit", (event) => {
      event.preventDefault();
      load(token);
    });
    $("stadt").addEventListener("change", () => load(token));
    load(token);
  });
})();
