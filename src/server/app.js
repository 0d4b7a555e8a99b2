// gazette's search page: reads the search from the URL, asks /search for
// hits and facet counts, and draws them. Corpus text only ever reaches the
// page as text nodes (textContent), never as HTML.
"use strict";

const FILTERS = ["lang", "kind", "since", "until", "author"];
const PAGE = 10;
const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

// The search in the URL: q, filters, offset.
function current() {
  const p = new URLSearchParams(location.search);
  const s = { q: p.get("q") || "", offset: parseInt(p.get("offset") || "0", 10) || 0 };
  for (const f of FILTERS) s[f] = p.get(f) || "";
  return s;
}

function go(s) {
  const p = new URLSearchParams();
  if (s.q) p.set("q", s.q);
  for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
  if (s.offset) p.set("offset", String(s.offset));
  history.pushState(null, "", "/?" + p.toString());
  run();
}

function fillForm(s) {
  $("q").value = s.q;
  for (const f of FILTERS) $(f).value = s[f];
}

// Passage text with its highlighted spans (char offsets) as <mark>.
function highlighted(text, spans) {
  const chars = Array.from(text);
  const out = el("div", { class: "text" });
  let at = 0;
  for (const h of spans) {
    out.append(chars.slice(at, h.char_start).join(""));
    out.append(el("mark", {}, chars.slice(h.char_start, h.char_end).join("")));
    at = h.char_end;
  }
  out.append(chars.slice(at).join(""));
  return out;
}

function hitItem(hit) {
  const meta = [];
  const date = (hit.tweet && hit.tweet.date) || hit.doc.date;
  if (date) meta.push(date);
  if (hit.tweet) {
    const who = [hit.tweet.author, hit.tweet.handle ? "@" + hit.tweet.handle : null].filter(Boolean).join(" ");
    if (who) meta.push(who);
  }
  meta.push(hit.passage.kind + ", " + hit.passage.lang);
  if (hit.doc.source) meta.push(hit.doc.source);
  const li = el("li", { class: "hit" });
  if (hit.doc.title) li.append(el("div", { class: "title" }, hit.doc.title));
  li.append(el("div", { class: "meta" }, meta.join(" · ")));
  li.append(highlighted(hit.passage.text, hit.passage.highlights));
  return li;
}

function facetList(name, counts, s) {
  const key = name === "date" ? null : name;
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const ul = el("ul");
  for (const [value, n] of entries) {
    const active = s[key] === value;
    const a = el("a", { class: active ? "facet active" : "facet", "data-facet": name, "data-value": value }, value);
    a.addEventListener("click", () => go({ ...s, [key]: active ? "" : value, offset: 0 }));
    ul.append(el("li", {}, a, el("span", { class: "count" }, String(n))));
  }
  return el("div", { class: "facet-group", id: "facet-" + name }, el("h3", {}, name), ul);
}

// Matches per day as SVG bars; a click narrows the search to that day.
function timeline(days, s) {
  const chart = $("chart");
  chart.replaceChildren();
  const entries = Object.entries(days);
  $("timeline").hidden = entries.length === 0;
  if (!entries.length) return;
  const width = Math.max(320, Math.min(900, entries.length * 24));
  const height = 110, base = 90;
  const max = Math.max(...entries.map((e) => e[1]));
  const bar = width / entries.length;
  const root = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "matches per day" });
  entries.forEach(([day, n], i) => {
    const h = Math.max(1, Math.round((n / max) * (base - 16)));
    const r = svg("rect", { x: i * bar + 1, y: base - h, width: Math.max(1, bar - 2), height: h, "data-day": day, "data-count": n });
    const tip = svg("title");
    tip.textContent = `${day}: ${n}`;
    r.append(tip);
    r.addEventListener("click", () => go({ ...s, since: day, until: day, offset: 0 }));
    root.append(r);
    if (bar >= 18) {
      const label = svg("text", { class: "n", x: i * bar + bar / 2, y: base - h - 3 });
      label.textContent = String(n);
      root.append(label);
    }
  });
  for (const [i, label] of [[0, entries[0][0]], [entries.length - 1, entries[entries.length - 1][0]]]) {
    const t = svg("text", { x: i === 0 ? 0 : width, y: height - 4, "text-anchor": i === 0 ? "start" : "end" });
    t.textContent = label;
    root.append(t);
  }
  chart.append(root);
}

function pages(total, s) {
  const nav = $("pages");
  nav.replaceChildren();
  const link = (label, offset) => {
    const a = el("a", { class: "page" }, label);
    a.addEventListener("click", () => go({ ...s, offset }));
    nav.append(a);
  };
  if (s.offset > 0) link("← previous", Math.max(0, s.offset - PAGE));
  if (s.offset + PAGE < total) link("next →", s.offset + PAGE);
}

async function run() {
  const s = current();
  fillForm(s);
  for (const id of ["hits", "facets", "pages", "chart"]) $(id).replaceChildren();
  $("timeline").hidden = true;
  if (!s.q) {
    $("status").textContent = "";
    return;
  }
  const p = new URLSearchParams({ q: s.q, limit: String(PAGE), offset: String(s.offset), facets: "lang,kind,author,date" });
  for (const f of FILTERS) if (s[f]) p.set(f, s[f]);
  $("status").textContent = "Searching…";
  let body;
  try {
    const resp = await fetch("/search?" + p.toString());
    body = await resp.json();
    if (!resp.ok) throw new Error(body.error ? body.error.message : resp.statusText);
  } catch (e) {
    $("status").textContent = "Error: " + e.message;
    return;
  }
  const first = body.hits.length ? body.hits[0].rank : 0;
  const last = body.hits.length ? body.hits[body.hits.length - 1].rank : 0;
  $("status").textContent = `${body.total} passages match` + (body.hits.length ? ` (showing ${first}–${last})` : "") + `, ${body.took_ms} ms`
    + (body.query_lang && body.query_lang.by !== "given" ? `, read as ${body.query_lang.lang}` : "")
    + (body.stop_words && body.stop_words.length ? `; left out as stop words: ${body.stop_words.join(", ")}` : "");
  for (const w of body.warnings) $("status").append(el("div", { class: "warning" }, w));
  for (const hit of body.hits) $("hits").append(hitItem(hit));
  const facets = body.facets || {};
  for (const name of ["lang", "kind", "author"]) {
    if (facets[name]) $("facets").append(facetList(name, facets[name], s));
  }
  timeline(facets.date || {}, s);
  pages(body.total, s);
  document.body.dataset.ready = "true";
}

document.addEventListener("DOMContentLoaded", () => {
  $("search").addEventListener("submit", (e) => {
    e.preventDefault();
    const s = { q: $("q").value.trim(), offset: 0 };
    for (const f of FILTERS) s[f] = $(f).value.trim();
    go(s);
  });
  window.addEventListener("popstate", run);
  run();
});
