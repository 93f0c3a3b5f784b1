// Souffleur gaps page for content teams: knowledge gaps ranked by impact, article health, city differences.
"use strict";

(() => {
  const TOKEN_KEY = "souffleur-content-token";
  // What each kind of evidence is called on the page, and what it means (tooltips and legend).
  const KINDS = {
    unanswered: ["unbeantwortet", "Die Frage bekam keinen sicheren Vorschlag, und das Anliegen wurde auch sonst nicht beantwortet."],
    not_helpful: ["nicht hilfreich", "Ein vorgeschlagener Artikel wurde als „Nicht hilfreich“ markiert."],
    dismissed: ["verworfen", "Vorschläge wurden ausgeblendet, und im Gespräch half nichts."],
    search_without_results: ["Suche ohne Treffer", "Die Suche von Hand fand keinen Artikel."],
    search_without_click: ["Suchtreffer nicht genutzt", "Die Suche von Hand fand Artikel, aber keiner wurde geöffnet oder genutzt."],
    no_helpful_call: ["nichts hilfreich", "Im ganzen Gespräch wurde nichts als hilfreich markiert oder kopiert (schwacher Hinweis)."],
  };
  const TRENDS = { new: "neu", rising: "steigend", falling: "fallend", steady: "gleichbleibend" };
  // A known gap's question: the topic's example questions joined, at most this many words (the engine
  // compares a concern's last 200 words) and characters (the API's limit).
  const GAP_WORDS = 200;
  const GAP_CHARS = 4000;
  const MARK_GAP = "Als bekannte Lücke merken";
  const GAP_MARKED = "Als bekannte Lücke gemerkt";
  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  const calls = (n) => plural(n, "Anruf", "Anrufe");
  const $ = (id) => document.getElementById(id);
  // known: the stored known gaps; gapButtons: "city\nquestion" -> the topic's button that marks it.
  const state = { cities: [], loaded: false, token: "", known: [], gapButtons: new Map() };

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

  // A request with the token; the reply's JSON (true for an empty reply), or null after showing the error.
  async function send(method, path, body, failure) {
    const options = { method, headers: { "X-Content-Token": state.token } };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, options);
    } catch (error) {
      showError("Der Server ist nicht erreichbar. Bitte später erneut versuchen.");
      return null;
    }
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      showError("Zugang verweigert: Das Zugangstoken ist ungültig. Bitte öffnen Sie den Link mit gültigem Token erneut.");
      return null;
    }
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (error) { /* keep the status text */ }
      showError(failure + detail);
      return null;
    }
    return response.status === 204 ? true : response.json();
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

  // The kind of evidence as shown: a search that found nothing is told apart from one whose results went unused.
  function kindOf(topic) {
    if (topic.kind === "search_without_click" && topic.searches_without_results >= (topic.kinds.search_without_click || 0)) {
      return "search_without_results";
    }
    return topic.kind;
  }

  function kindCounts(topic) {
    const counts = Object.assign({}, topic.kinds);
    const empty = topic.searches_without_results || 0;
    if (empty && counts.search_without_click) {
      counts.search_without_click -= empty;
      counts.search_without_results = empty;
      if (!counts.search_without_click) delete counts.search_without_click;
    }
    return counts;
  }

  // Calls per week over the last eight weeks (weeks without calls as empty bars), with a word for the trend.
  function trendNode(topic) {
    const weeks = topic.recent_weeks || [];
    const top = Math.max(1, ...weeks.map((w) => w.calls));
    const said = weeks.map((w) => `KW ${Number(w.week.split("-W")[1])}: ${calls(w.calls)}`).join(", ");
    const bars = el("span", { class: "week-bars", "aria-hidden": "true" });
    for (const week of weeks) {
      const bar = el("span", { class: week.calls ? "week-bar" : "week-bar zero" });
      bar.style.height = `${Math.max(2, Math.round((14 * week.calls) / top))}px`;
      bars.append(bar);
    }
    const first = weeks.length ? Number(weeks[0].week.split("-W")[1]) : 0;
    const last = weeks.length ? Number(weeks[weeks.length - 1].week.split("-W")[1]) : 0;
    return el("span", { class: "trend", title: `KW ${first}–${last}: ${said}` }, bars,
      el("span", { class: "trend-word" }, TRENDS[topic.trend_direction] || ""));
  }

  function nearestText(article) {
    if (!article) return el("span", { class: "muted" }, "kein passender Artikel");
    return `${article.title} (${percent(article.score)})`;
  }

  function draftButton(topic) {
    if (!topic.draft) return "";
    const button = el("button", { type: "button", class: "draft", title: `Artikelentwurf ${topic.draft.file_name} herunterladen` }, "Entwurf");
    button.addEventListener("click", (event) => {
      event.stopPropagation();
      const blob = new Blob([topic.draft.markdown], { type: "text/markdown;charset=utf-8" });
      const link = el("a", { href: URL.createObjectURL(blob), download: topic.draft.file_name });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    return button;
  }

  function gapKey(city, question) {
    return city + "\n" + question;
  }

  // What is stored as the known gap's question: the callers' questions of the topic, joined with spaces.
  function gapQuestion(topic) {
    const text = (topic.examples || []).join(" ").split(/\s+/).filter(Boolean).slice(0, GAP_WORDS).join(" ");
    return text.length > GAP_CHARS ? text.slice(0, GAP_CHARS).replace(/\s+\S*$/, "") : text;
  }

  function showMarked(button, marked) {
    button.disabled = marked;
    button.textContent = marked ? GAP_MARKED : MARK_GAP;
  }

  // Each topic's button says whether a stored known gap is the topic's.
  function updateMarkButtons() {
    const stored = new Set(state.known.map((gap) => gapKey(gap.city, gap.question)));
    const marked = new Set();
    for (const [key, button] of state.gapButtons) if (stored.has(key)) marked.add(button);
    for (const button of new Set(state.gapButtons.values())) showMarked(button, marked.has(button));
  }

  function knownGapBlock(topic) {
    const question = gapQuestion(topic);
    const button = el("button", { type: "button", class: "mark-gap" }, MARK_GAP);
    const block = el("div", { class: "known-gap" }, button, el("p", { class: "muted" },
      "Souffleur zeigt dann bei ähnlichen Anliegen dieser Stadt keinen sicheren Vorschlag („answer“) mehr, nur noch „vielleicht“."));
    if (!question) {
      button.disabled = true;
      return block;
    }
    state.gapButtons.set(gapKey(topic.city, question), button);
    button.addEventListener("click", async (event) => {
      event.stopPropagation();
      button.disabled = true;
      const body = { city: topic.city, question, label: topic.label || "" };
      const stored = await send("POST", "/api/gaps/known", body, "Die Lücke konnte nicht gemerkt werden: ");
      if (!stored) {
        button.disabled = false;
        return;
      }
      state.gapButtons.set(gapKey(stored.city, stored.question), button); // as stored (redacted once more)
      showMarked(button, true);
      await loadKnown();
    });
    return block;
  }

  function detailCell(topic) {
    const cell = el("td", { colspan: "8" });
    cell.append(el("h3", {}, "Was Anrufende gefragt haben"));
    const list = el("ol", { class: "examples" });
    for (const example of topic.examples) list.append(el("li", {}, el("q", {}, example)));
    cell.append(list);
    cell.append(el("h3", {}, "Nächster vorhandener Artikel"));
    const nearest = topic.nearest_article;
    cell.append(
      nearest
        ? el("p", { class: "nearest" }, el("strong", {}, nearest.title), ` – ${nearest.article_id}, Treffersicherheit ${percent(nearest.score)}`)
        : el("p", { class: "nearest" }, "Kein passender Artikel: keiner deckt diese Fragen sicher ab.")
    );
    const kinds = Object.entries(kindCounts(topic)).map(([kind, n]) => `${(KINDS[kind] || [kind])[0]}: ${calls(n)}`).join(" · ");
    cell.append(el("p", { class: "muted" }, `Hinweise: ${kinds}`));
    const elsewhere = topic.group_count - topic.count;
    cell.append(el("p", { class: "muted" },
      `Gewicht ${String(topic.impact).replace(".", ",")}` +
      (elsewhere > 0 ? ` · dieselbe Frage in anderen Städten: ${calls(elsewhere)}` : "")));
    if (topic.draft) cell.append(el("p", {}, draftButton(topic), " Markdown im Artikelformat, Status „draft“, mit den Fragen als Synonymen."));
    cell.append(knownGapBlock(topic));
    return cell;
  }

  function renderTopics(topics) {
    const body = $("themen-zeilen");
    clear(body);
    state.gapButtons.clear();
    $("keine-themen").hidden = topics.length > 0;
    $("themen").hidden = topics.length === 0;
    topics.forEach((topic, index) => {
      const detailId = "detail-" + topic.id;
      const button = el("button", { type: "button", "aria-expanded": "false", "aria-controls": detailId }, topic.label || "–");
      const kind = kindOf(topic);
      const [kindName, kindMeaning] = KINDS[kind] || [kind, ""];
      const row = el(
        "tr",
        { class: "topic", "data-topic": topic.id },
        el("td", { class: "num" }, index + 1),
        el("td", {}, topic.city_name),
        el("td", {}, button, topic.question ? el("div", { class: "question" }, el("q", {}, topic.question)) : ""),
        el("td", {}, el("span", { class: "kind kind-" + kind, title: kindMeaning }, kindName)),
        el("td", { class: "num" }, topic.count),
        el("td", {}, trendNode(topic)),
        el("td", {}, nearestText(topic.nearest_article)),
        el("td", {}, draftButton(topic))
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
    updateMarkButtons();
  }

  function listOrNone(items, render) {
    if (!items || items.length === 0) return el("p", { class: "empty" }, "Keine.");
    const list = el("ul", { class: "list" });
    for (const item of items) list.append(el("li", {}, render(item)));
    return list;
  }

  function knownGapItem(gap) {
    const day = new Date(gap.created_at).toLocaleDateString("de-DE");
    const remove = el("button", { type: "button", class: "remove", title: "Nicht mehr als bekannte Lücke behandeln" }, "Entfernen");
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      const done = await send("DELETE", `/api/gaps/known/${encodeURIComponent(gap.id)}`, undefined, "Die Lücke konnte nicht entfernt werden: ");
      if (done) await loadKnown();
      else remove.disabled = false;
    });
    const item = el("span", {}, `${cityName(gap.city)}: ${gap.label || "–"} (gemerkt am ${day})`, remove);
    const checks = [];
    const like = (gap.answered_like || [])[0];
    // The checks: an article answered a question like this gap before, or the assistant would show an
    // article as the answer without the gap; either may answer the matter after all.
    if (like) {
      checks.push(el("p", { class: "answered-like" },
        `Prüfen: „${like.title}“ hat schon eine ähnliche Frage beantwortet: `, el("q", {}, like.question),
        ". Beantwortet der Artikel das Anliegen, entfernen Sie die Lücke: sonst bekommen auch solche Fragen keinen sicheren Vorschlag mehr."));
    }
    const shown = (gap.answered_without_gap || []).find((card) => !like || card.article_id !== like.article_id);
    if (shown) {
      checks.push(el("p", { class: "answered-without-gap" },
        `Prüfen: Ohne diese Lücke zeigt Souffleur „${shown.title}“ als Antwort: `, el("q", {}, shown.answer),
        ". Beantwortet das die Frage, entfernen Sie die Lücke."));
    }
    return checks.length ? el("span", {}, item, ...checks) : item;
  }

  function renderKnown(gaps) {
    state.known = gaps;
    const box = $("bekannte");
    clear(box);
    box.append(listOrNone(gaps, knownGapItem));
    updateMarkButtons();
  }

  async function loadKnown() {
    const gaps = await send("GET", "/api/gaps/known", undefined, "Die bekannten Lücken konnten nicht geladen werden: ");
    if (gaps) renderKnown(gaps);
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
            el("th", { scope: "col", class: "num", title: "Gespräche, in denen der Artikel vorgeschlagen oder gefunden wurde" }, "Anrufe"),
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
    box.append(listOrNone(health.stale, (s) => `${s.title} (${s.article_id}) – Stand ${s.updated}, ${plural(s.age_days, "Tag", "Tage")} alt`));
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
        (a) => `${a.label}: in ${cityName(a.strong_city)} beantwortet (${calls(a.strong_calls)}, „${a.strong_article_title}“), in ${cityName(a.weak_city)} nicht (${calls(a.weak_calls)})`
      )
    );
    box.append(el("h3", {}, "Leistungen"));
    box.append(
      listOrNone(
        data.service_asymmetries,
        (a) => `${a.service}: hilft in ${cityName(a.strong_city)} (${a.strong_helpful_calls} von ${a.strong_exposed_calls} ${a.strong_exposed_calls === 1 ? "Anruf" : "Anrufen"}), in ${cityName(a.weak_city)} nicht (${a.weak_rejected_calls} von ${a.weak_exposed_calls} abgelehnt)`
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
    $("stand").textContent = `Stand ${when} · ${plural(data.topics.length, "Thema", "Themen")} · ${plural(data.signals, "Hinweis", "Hinweise")}`;
    await loadKnown();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const token = takeToken();
    state.token = token;
    $("filter").addEventListener("submit", (event) => {
      event.preventDefault();
      load(token);
    });
    $("stadt").addEventListener("change", () => load(token));
    load(token);
  });
})();
