// Souffleur agent sidebar: live suggestions for one call over the call WebSocket.
"use strict";

(() => {
  const callId = decodeURIComponent(location.pathname.split("/").pop());
  const token = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const state = { lastSeq: 0, current: new Map(), dismissed: new Set(), topic: 0, cityName: "", ended: false, retry: 0, socket: null };
  // Manual search results below this confidence are not offered as answers ("keine sicheren Treffer").
  const SEARCH_FLOOR = 0.5;
  const percent = (score) => `${Math.round(score * 100)} %`;
  const germanDate = (iso) => {
    const date = new Date(`${iso}T12:00:00`);
    return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString("de-DE", { day: "numeric", month: "long", year: "numeric" });
  };

  // "shown" is reported once per card and call, also across reloads of the page.
  const shownKey = `souffleur-shown:${callId}`;
  function alreadyShown(articleId) {
    try {
      const seen = JSON.parse(localStorage.getItem(shownKey) || "[]");
      if (seen.includes(articleId)) return true;
      seen.push(articleId);
      localStorage.setItem(shownKey, JSON.stringify(seen));
    } catch (e) { /* storage unavailable: report it anyway */ }
    return false;
  }

  // ---- the article Markdown subset, rendered as DOM nodes (never as HTML) ----------------------------
  // Paragraphs, "-"/"*" and numbered lists, **bold**, *italic*, [links](https://...). Anything else is text.
  const SAFE_LINK = /^(https?:|mailto:|tel:)/i;
  function inline(text) {
    const nodes = [];
    const pattern = /\*\*([^*]+)\*\*|\*([^*]+)\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
      if (match[1] !== undefined) nodes.push(el("strong", {}, match[1]));
      else if (match[2] !== undefined) nodes.push(el("em", {}, match[2]));
      else if (SAFE_LINK.test(match[4])) nodes.push(el("a", { href: match[4], target: "_blank", rel: "noopener noreferrer" }, match[3]));
      else nodes.push(document.createTextNode(match[3]));
      last = match.index + match[0].length;
    }
    if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
    return nodes;
  }

  function markdown(text) {
    const fragment = document.createDocumentFragment();
    let list = null;
    let paragraph = [];
    const flush = () => {
      if (paragraph.length) fragment.append(el("p", {}, ...inline(paragraph.join(" "))));
      paragraph = [];
    };
    for (const raw of text.split("\n")) {
      const line = raw.trim();
      const bullet = /^[-*+]\s+(.*)$/.exec(line);
      const numbered = /^\d+[.)]\s+(.*)$/.exec(line);
      if (bullet || numbered) {
        flush();
        const tag = bullet ? "ul" : "ol";
        if (!list || list.tagName.toLowerCase() !== tag) { list = el(tag); fragment.append(list); }
        list.append(el("li", {}, ...inline((bullet || numbered)[1])));
      } else if (!line) {
        flush();
        list = null;
      } else if (list && /^\s{2,}/.test(raw)) {
        list.lastChild.append(" ", ...inline(line));
      } else {
        list = null;
        paragraph.push(line.replace(/^#+\s*/, ""));
      }
    }
    flush();
    return fragment;
  }

  // Marks `sentence` inside `root` (whitespace and Markdown markers ignored); returns the first <mark>.
  function markSentence(root, sentence) {
    const compact = (value) => value.replace(/[\s*_]+/g, "");
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const chars = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (let i = 0; i < node.data.length; i++) if (!/[\s*_]/.test(node.data[i])) chars.push([node, i]);
    }
    const haystack = chars.map(([node, i]) => node.data[i]).join("");
    const needle = compact(sentence || "").replace(/…$/, "");
    let start = needle ? haystack.indexOf(needle) : -1;
    let length = needle.length;
    if (start < 0 && needle.length > 40) { length = 40; start = haystack.indexOf(needle.slice(0, 40)); }
    if (start < 0) return null;
    const pieces = new Map();
    for (const [node, i] of chars.slice(start, start + length)) {
      const range = pieces.get(node) || [i, i];
      pieces.set(node, [range[0], i]);
    }
    let first = null;
    for (const [node, [from, to]] of pieces) {
      const range = document.createRange();
      range.setStart(node, from);
      range.setEnd(node, to + 1);
      const mark = el("mark", { class: "answer-mark" });
      range.surroundContents(mark);
      first = first || mark;
    }
    return first;
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (key === "class") node.className = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child));
    return node;
  }

  function setStatus(text, kind) {
    const node = $("verbindung");
    node.textContent = text;
    node.className = "status " + kind;
  }

  function toast(text) {
    const node = $("meldung");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { node.hidden = true; }, 2500);
  }

  async function api(path, options = {}) {
    const headers = Object.assign({ "X-Call-Token": token }, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      let detail = response.statusText;
      try { detail = (await response.json()).detail; } catch (e) { /* keep status text */ }
      throw new Error(detail);
    }
    return response.status === 204 ? null : response.json();
  }

  // Resolves to true when the server stored the feedback (an error is shown and resolves to false).
  function feedback(articleId, event, sentence) {
    const body = sentence === undefined ? { article_id: articleId, event } : { article_id: articleId, event, sentence };
    return api(`/api/calls/${encodeURIComponent(callId)}/feedback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }).then(() => true, (error) => { toast("Rückmeldung nicht gespeichert: " + error.message); return false; });
  }

  // The agent marks the sentence that answered the caller's last question: similar questions about the
  // article get it highlighted from now on.
  async function markAnswer(articleId, sentence) {
    if (await feedback(articleId, "answered", sentence)) {
      toast("Danke: Diese Stelle wird bei ähnlichen Fragen hervorgehoben");
    }
  }

  function cityBadge(suggestion) {
    const common = Boolean(state.city) && suggestion.city !== state.city;
    return el("span", { class: common ? "badge badge-common" : "badge" }, common ? "alle Städte" : state.cityName);
  }

  // Why a card is only "vielleicht passend" although its confidence may be high: said instead of the
  // percentage, which stays in the tooltip (the server's `reason`; confident and unsure cards show the
  // percentage).
  const REASONS = {
    earlier: "schon vorher gezeigt",
    named: "passt zu dem, was der Anrufer gerade sagt",
    known_gap: "ähnliche Anliegen waren nicht abgedeckt",
    moved_on: "Anrufer spricht wohl schon über etwas anderes",
  };

  function card(suggestion, source) {
    const tier = suggestion.tier || "answer";
    const item = el("li", { class: `card new tier-${tier}`, tabindex: "-1", "data-article": suggestion.article_id });
    item.suggestion = suggestion;
    const open = () => { openArticle(item.suggestion); feedback(suggestion.article_id, "opened"); };
    const press = (button, event) => {
      for (const other of item.querySelectorAll("button.gut, button.schlecht")) other.setAttribute("aria-pressed", "false");
      button.setAttribute("aria-pressed", "true");
      feedback(suggestion.article_id, event);
      toast(event === "helpful" ? "Danke: als hilfreich markiert" : "Danke: als nicht hilfreich markiert");
    };
    const good = el("button", { type: "button", class: "gut", "aria-pressed": "false" }, "Hilfreich");
    const bad = el("button", { type: "button", class: "schlecht", "aria-pressed": "false" }, "Nicht hilfreich");
    good.addEventListener("click", () => press(good, "helpful"));
    bad.addEventListener("click", () => press(bad, "not_helpful"));
    const copy = el("button", { type: "button", class: "kopieren" }, "Kopieren");
    copy.addEventListener("click", async () => {
      const text = `${suggestion.answer}\n(${suggestion.title})`;
      try { await navigator.clipboard.writeText(text); toast("Antwort kopiert"); }
      catch (e) { toast("Kopieren nicht möglich: Text bitte markieren"); }
      feedback(suggestion.article_id, "copied");
    });
    const fits = el("button", { type: "button", class: "passt",
      title: "Die hervorgehobene Stelle hat die Frage beantwortet: bei ähnlichen Fragen wieder zeigen" }, "Antwort passt");
    fits.addEventListener("click", () => markAnswer(suggestion.article_id, item.suggestion.answer));
    const dismiss = el("button", { type: "button", class: "ausblenden" }, "Ausblenden");
    dismiss.addEventListener("click", () => {
      feedback(suggestion.article_id, "dismissed");
      state.dismissed.add(suggestion.article_id);
      state.current.delete(suggestion.article_id);
      item.remove();
      refreshEmpty();
    });
    item.append(
      el("h3", {}, el("button", { type: "button", class: "titel", onclick: open }, suggestion.title)),
      el("div", { class: "meta" }, cityBadge(suggestion), el("span", {}, suggestion.heading || ""),
        ...(tier === "maybe" ? [el("span", { class: "tier" }, "vielleicht passend")] : []),
        ...(REASONS[suggestion.reason]
          ? [el("span", { class: "reason", title: `Treffersicherheit ${percent(suggestion.score)}` }, REASONS[suggestion.reason])]
          : [el("span", { class: "confidence", title: "Wie sicher die Suche ist, dass der Artikel die Frage beantwortet" },
            `Treffersicherheit ${percent(suggestion.score)}`)])),
      el("p", { class: "answer" }, el("mark", {}, suggestion.answer)),
      el("p", { class: "snippet" }, suggestion.snippet),
      el("div", { class: "actions", role: "group", "aria-label": "Rückmeldung" },
        good, bad, fits, copy, ...(source === "live" ? [dismiss] : [])),
    );
    setTimeout(() => item.classList.remove("new"), 700);
    return item;
  }

  function refreshEmpty() {
    $("keine-vorschlaege").hidden = $("vorschlaege").children.length > 0;
  }

  // The suggestions of the current concern, best first. An event with `tier` carries the full set and
  // replaces the previous one; an older server sends only new cards, which join the set.
  function addSuggestions(event) {
    if (event.topic !== undefined && event.topic !== state.topic) moveToEarlier(event.topic);
    const incoming = event.suggestions || [];
    const fullSet = incoming.some((s) => s.tier !== undefined);
    const next = new Map(fullSet ? [] : state.current);
    for (const suggestion of incoming) {
      if (state.dismissed.has(suggestion.article_id)) continue;
      const known = state.current.get(suggestion.article_id);
      const same = known && known.suggestion.answer === suggestion.answer && known.suggestion.reason === suggestion.reason;
      if (same && (known.suggestion.tier || "answer") === (suggestion.tier || "answer")) {
        known.suggestion = suggestion;
        next.set(suggestion.article_id, known);
        continue;
      }
      const item = card(suggestion, "live");
      if (known) known.replaceWith(item);
      next.set(suggestion.article_id, item);
      if (!alreadyShown(suggestion.article_id)) feedback(suggestion.article_id, "shown");
    }
    for (const [articleId, item] of state.current) if (!next.has(articleId)) item.remove();
    // A card of an earlier concern shown again (kept as "vielleicht passend" when the new concern is
    // unsure) leaves "Frühere Vorschläge": one card per article.
    for (const item of [...$("fruehere-liste").children]) if (next.has(item.dataset.article)) item.remove();
    $("fruehere").hidden = $("fruehere-liste").children.length === 0;
    const order = (item) => (fullSet ? item.suggestion.rank || 99 : -item.suggestion.score);
    const ranked = [...next.values()].sort((a, b) => order(a) - order(b));
    $("vorschlaege").replaceChildren(...ranked);
    state.current = next;
    refreshEmpty();
  }

  function moveToEarlier(topic) {
    state.topic = topic;
    const earlier = $("fruehere-liste");
    const current = [...$("vorschlaege").children];
    state.current = new Map();
    if (!current.length) return;
    for (const item of current.reverse()) earlier.prepend(item);
    $("fruehere").hidden = false;
    refreshEmpty();
  }

  function addTranscript(event) {
    const who = event.speaker === "caller" ? "Anrufer" : "Agent";
    if (!event.final) {
      $("zwischenstand").textContent = `${who}: ${event.text} …`;
      return;
    }
    $("zwischenstand").textContent = "";
    const list = $("verlauf");
    list.append(el("li", { class: event.speaker }, el("span", { class: "who" }, who + ":"), event.text));
    list.scrollTop = list.scrollHeight;
  }

  function handle(event) {
    if (event.seq !== null && event.seq !== undefined) {
      if (event.seq <= state.lastSeq) return;
      if (event.seq > state.lastSeq + 1) {
        state.socket.send(JSON.stringify({ type: "resume", after: state.lastSeq }));
        return;
      }
      state.lastSeq = event.seq;
    }
    switch (event.type) {
      case "hello":
        state.city = event.city;
        state.cityName = event.city_name;
        $("stadt").textContent = event.city_name;
        $("suche").placeholder = `In ${event.city_name} suchen (Taste /)`;
        if (event.status === "ended") ended();
        break;
      case "transcript": addTranscript(event); break;
      case "suggestions": addSuggestions(event); break;
      case "topic": moveToEarlier(event.topic); break;
      case "call_ended": ended(); break;
      case "error": toast(event.message); break;
      default: break;
    }
  }

  function ended() {
    state.ended = true;
    setStatus("Gespräch beendet", "ended");
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // The token travels as a subprotocol, not in the URL (URLs end up in server logs).
    const url = `${scheme}://${location.host}/ws/calls/${encodeURIComponent(callId)}?after=${state.lastSeq}`;
    const socket = new WebSocket(url, ["souffleur", "souffleur.token." + token]);
    state.socket = socket;
    socket.onopen = () => { state.retry = 0; if (!state.ended) setStatus("verbunden", "ok"); };
    socket.onmessage = (message) => {
      try { handle(JSON.parse(message.data)); } catch (e) { console.error(e); }
    };
    socket.onclose = (close) => {
      if (close.code === 1008 || close.code === 4404) {
        setStatus("Kein Zugriff auf dieses Gespräch", "ended");
        return;
      }
      if (!state.ended) setStatus("Verbindung unterbrochen – verbinde neu …", "down");
      const delay = Math.min(5000, 300 * 2 ** state.retry++);
      setTimeout(connect, delay);
    };
  }

  // Opens the article at the section that answers, with the answering sentence marked.
  async function openArticle(suggestion) {
    const returnTo = document.activeElement;
    try {
      const article = await api(`/api/articles/${suggestion.article_id}?call_id=${encodeURIComponent(callId)}`);
      $("artikel-titel").textContent = article.title;
      $("artikel").dataset.article = suggestion.article_id;
      const facts = $("artikel-fakten");
      facts.replaceChildren();
      const rows = [["Stadt", article.city_name], ["Zuständig", article.office], ["Kontakt", article.contact],
        ["Gebühren", article.fees], ["Stand", article.updated && germanDate(article.updated)], ["Quelle", article.source]];
      for (const [label, value] of rows) {
        if (!value) continue;
        const content = label === "Quelle" && SAFE_LINK.test(value)
          ? el("a", { href: value, target: "_blank", rel: "noopener noreferrer" }, value) : value;
        facts.append(el("dt", {}, label), el("dd", {}, content));
      }
      const body = $("artikel-inhalt");
      body.replaceChildren();
      let target = null;
      for (const section of article.sections) {
        const part = el("section", { class: "abschnitt" }, el("h3", {}, section.heading), markdown(section.text));
        body.append(part);
        if (!target && suggestion.heading && section.heading === suggestion.heading) target = part;
      }
      let mark = target && markSentence(target, suggestion.answer);
      if (!mark) mark = markSentence(body, suggestion.answer);
      const panel = $("artikel");
      panel.hidden = false;
      panel.returnFocus = returnTo;
      const anchor = mark || target;
      if (anchor) {
        (mark ? mark.closest("section") : anchor).classList.add("answering");
        anchor.scrollIntoView({ block: mark ? "center" : "start" });
      } else {
        panel.scrollTop = 0;
      }
      $("artikel-schliessen").focus({ preventScroll: true });
    } catch (error) {
      toast("Artikel nicht verfügbar: " + error.message);
    }
  }

  function closeArticle() {
    const panel = $("artikel");
    panel.hidden = true;
    const back = panel.returnFocus;
    panel.returnFocus = null;
    if (back && document.contains(back)) back.focus();
  }

  async function search(event) {
    event.preventDefault();
    const query = $("suche").value.trim();
    const results = $("suchergebnisse");
    if (!query) return;
    results.replaceChildren(el("li", { class: "empty" }, "Suche läuft …"));
    try {
      const data = await api(`/api/search?call_id=${encodeURIComponent(callId)}&k=5&q=${encodeURIComponent(query)}`);
      const found = [...data.suggestions].sort((a, b) => b.score - a.score);
      const sure = found.filter((s) => s.score >= SEARCH_FLOOR);
      const unsure = found.filter((s) => s.score < SEARCH_FLOOR);
      results.replaceChildren();
      for (const suggestion of sure) results.append(card(suggestion, "search"));
      if (!sure.length) {
        results.append(el("li", { class: "empty floor" },
          `Keine sicheren Treffer (keiner erreicht ${percent(SEARCH_FLOOR)} Treffersicherheit).`));
      }
      if (unsure.length) {
        const weak = el("ol", { class: "cards unsure" });
        for (const suggestion of unsure) weak.append(card(suggestion, "search"));
        results.append(el("li", { class: "unsure-group" },
          el("details", {}, el("summary", {}, `${unsure.length} unsichere${unsure.length === 1 ? "r" : ""} Treffer anzeigen`), weak)));
      }
    } catch (error) {
      results.replaceChildren(el("li", { class: "empty" }, "Suche fehlgeschlagen: " + error.message));
    }
  }

  document.addEventListener("keydown", (event) => {
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (event.key === "Escape" && !$("artikel").hidden) { closeArticle(); return; }
    if (typing) return;
    if (event.key === "/") { event.preventDefault(); $("suche").focus(); return; }
    if (["1", "2", "3"].includes(event.key)) {
      const item = $("vorschlaege").children[Number(event.key) - 1];
      if (item) { item.querySelector("button.titel").click(); }
    }
  });

  $("artikel-schliessen").addEventListener("click", closeArticle);
  $("als-antwort").addEventListener("click", () => {
    const selection = window.getSelection();
    const text = selection ? selection.toString().replace(/\s+/g, " ").trim() : "";
    if (!text || !$("artikel-inhalt").contains(selection.anchorNode)) {
      toast("Bitte zuerst im Artikel den Satz markieren, der die Frage beantwortet");
      return;
    }
    markAnswer($("artikel").dataset.article, text);
  });
  $("suchformular").addEventListener("submit", search);
  connect();
})();
