// Souffleur agent sidebar: live suggestions for one call over the call WebSocket.
"use strict";

(() => {
  const callId = decodeURIComponent(location.pathname.split("/").pop());
  const token = new URLSearchParams(location.search).get("token") || "";
  const $ = (id) => document.getElementById(id);
  const state = { lastSeq: 0, shown: new Map(), topic: 0, cityName: "", ended: false, retry: 0, socket: null };

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

  function feedback(articleId, event) {
    return api(`/api/calls/${encodeURIComponent(callId)}/feedback`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ article_id: articleId, event }),
    }).catch((error) => toast("Rückmeldung nicht gespeichert: " + error.message));
  }

  function cityBadge(suggestion) {
    const common = Boolean(state.city) && suggestion.city !== state.city;
    return el("span", { class: common ? "badge badge-common" : "badge" }, common ? "alle Städte" : state.cityName);
  }

  function card(suggestion, source) {
    const item = el("li", { class: "card new", tabindex: "-1", "data-article": suggestion.article_id });
    const open = () => { openArticle(suggestion.article_id); feedback(suggestion.article_id, "opened"); };
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
    const dismiss = el("button", { type: "button", class: "ausblenden" }, "Ausblenden");
    dismiss.addEventListener("click", () => { feedback(suggestion.article_id, "dismissed"); item.remove(); refreshEmpty(); });
    item.append(
      el("h3", {}, el("button", { type: "button", class: "titel", onclick: open }, suggestion.title)),
      el("div", { class: "meta" }, cityBadge(suggestion), el("span", {}, suggestion.heading || ""),
        el("span", { title: "Konfidenz" }, `${Math.round(suggestion.score * 100)} %`)),
      el("p", { class: "answer" }, el("mark", {}, suggestion.answer)),
      el("p", { class: "snippet" }, suggestion.snippet),
      el("div", { class: "actions", role: "group", "aria-label": "Rückmeldung" },
        good, bad, copy, ...(source === "live" ? [dismiss] : [])),
    );
    setTimeout(() => item.classList.remove("new"), 700);
    return item;
  }

  function refreshEmpty() {
    $("keine-vorschlaege").hidden = $("vorschlaege").children.length > 0;
  }

  function addSuggestions(event) {
    if (event.topic !== undefined && event.topic !== state.topic) moveToEarlier(event.topic);
    const list = $("vorschlaege");
    for (const suggestion of event.suggestions || []) {
      if (state.shown.has(suggestion.article_id)) continue;
      state.shown.set(suggestion.article_id, suggestion);
      list.prepend(card(suggestion, "live"));
      feedback(suggestion.article_id, "shown");
    }
    refreshEmpty();
  }

  function moveToEarlier(topic) {
    state.topic = topic;
    const earlier = $("fruehere-liste");
    const current = [...$("vorschlaege").children];
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

  async function openArticle(articleId) {
    try {
      const article = await api(`/api/articles/${articleId}?call_id=${encodeURIComponent(callId)}`);
      $("artikel-titel").textContent = article.title;
      const facts = $("artikel-fakten");
      facts.replaceChildren();
      const rows = [["Stadt", article.city_name], ["Zuständig", article.office], ["Kontakt", article.contact],
        ["Gebühren", article.fees], ["Stand", article.updated], ["Quelle", article.source]];
      for (const [label, value] of rows) if (value) facts.append(el("dt", {}, label), el("dd", {}, value));
      const body = $("artikel-inhalt");
      body.replaceChildren();
      for (const section of article.sections) body.append(el("h3", {}, section.heading), el("p", {}, section.text));
      const panel = $("artikel");
      panel.hidden = false;
      panel.dataset.returnFocus = document.activeElement && document.activeElement.id;
      $("artikel-schliessen").focus();
    } catch (error) {
      toast("Artikel nicht verfügbar: " + error.message);
    }
  }

  function closeArticle() {
    $("artikel").hidden = true;
  }

  async function search(event) {
    event.preventDefault();
    const query = $("suche").value.trim();
    const results = $("suchergebnisse");
    if (!query) return;
    results.replaceChildren(el("li", { class: "empty" }, "Suche läuft …"));
    try {
      const data = await api(`/api/search?call_id=${encodeURIComponent(callId)}&k=5&q=${encodeURIComponent(query)}`);
      results.replaceChildren();
      if (!data.suggestions.length) results.append(el("li", { class: "empty" }, "Keine Treffer."));
      for (const suggestion of data.suggestions) results.append(card(suggestion, "search"));
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
  $("suchformular").addEventListener("submit", search);
  connect();
})();
