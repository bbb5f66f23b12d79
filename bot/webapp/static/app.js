// Our space: four pages drawn from the bot's JSON API. No framework, no build step.
// Every call carries Telegram's signed initData; the bot takes the person from it alone.
"use strict";

const tg = (window.Telegram && window.Telegram.WebApp) || null;
const initData = tg ? tg.initData : "";
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
// The page's words come from the bot in the person's language (api/words), with the
// weekday names and the plural forms it needs; the HTML's English is only a fallback.
let wordsLoaded = Promise.resolve();  // the words' request, set off when the page starts
let WORDS = { words: {}, days: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], pause_days: [] };

function t(key, values) {
  const template = WORDS.words[key] || key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? String(values[name]) : whole));
}

function applyWords(data) {
  WORDS = data;
  document.documentElement.lang = data.lang;
  for (const node of document.querySelectorAll("[data-word]")) node.textContent = t(node.dataset.word);
  for (const node of document.querySelectorAll("[data-word-label]")) node.setAttribute("aria-label", t(node.dataset.wordLabel));
  document.title = t("title");
}

function el(tag, attrs, ...children) {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

class ApiError extends Error {}

async function api(path, body) {
  const options = { headers: { Authorization: "tma " + initData } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch("api/" + path, options);
  const data = await response.json().catch(() => ({}));
  if (path !== "words") await wordsLoaded;  // fetched side by side, drawn in their words
  if (!response.ok) throw new ApiError(data.error || t("went_wrong"));
  return data;
}

function say(text, isError) {
  const status = $("status");
  status.textContent = text || "";
  status.classList.toggle("error", Boolean(isError));
}

function card(value, label) {
  return el("div", { class: "card" }, el("b", { text: value }), el("span", { text: label }));
}

// --- Our week ----------------------------------------------------------------------------
let weeksAgo = 0;

function weekChart(data) {
  const svg = $("week-chart");
  svg.replaceChildren(el("svg:title", { id: "week-chart-title", text: t("chart_title", data.names) }));
  const top = Math.max(1, ...data.daily.map((d) => Math.max(d.me, d.partner)), ...data.last_week_daily.map((n) => n / 2));
  const base = 155, height = 130, slot = 340 / 7, bar = 14;
  const y = (n) => base - (n / top) * height;
  data.daily.forEach((day, i) => {
    const x = i * slot + slot / 2;
    const label = t("chart_bar", { day: WORDS.days[i], me: data.names.me, mine: day.me, partner: data.names.partner, theirs: day.partner });
    svg.append(
      el("svg:rect", { class: "bar-me", x: x - bar - 1, y: y(day.me), width: bar, height: base - y(day.me), rx: 3 }, el("svg:title", { text: label })),
      el("svg:rect", { class: "bar-partner", x: x + 1, y: y(day.partner), width: bar, height: base - y(day.partner), rx: 3 }, el("svg:title", { text: label })),
      el("svg:text", { x: x, y: 172, "text-anchor": "middle", text: WORDS.days[i] }),
    );
  });
  if (data.last_week_daily.some((n) => n > 0)) {  // per partner, so it sits among the bars
    const points = data.last_week_daily.map((n, i) => `${i * slot + slot / 2},${y(n / 2)}`).join(" ");
    svg.append(el("svg:polyline", { class: "last-week", points }, el("svg:title", { text: t("chart_before") })));
  }
  const before = data.last_week_daily.some((n) => n > 0);
  const legend = [
    el("span", { class: "swatch me" }), " " + data.names.me + "  ",
    el("span", { class: "swatch partner" }), " " + data.names.partner + "  ",
  ];
  if (before) legend.push(el("span", { class: "swatch line" }), " " + t("legend_before"));
  $("week-legend").replaceChildren(...legend);
}

async function showWeek() {
  const data = await api("week?weeks_ago=" + weeksAgo);
  if (!data.paired) return notPaired("week", data);
  $("week-title").textContent = weeksAgo === 0 ? t("this_week", { range: data.range }) : data.range;
  $("later").disabled = weeksAgo === 0;
  $("week-cards").replaceChildren(...data.cards.map((c) => card(c.value, c.label)));
  weekChart(data);
  $("week-words").textContent = data.words;
}

// --- Our history -------------------------------------------------------------------------
async function showHistory() {
  const data = await api("history");
  if (!data.paired) return notPaired("history", data);
  $("history-cards").replaceChildren(...data.cards.map((c) => card(c.value, c.label)));
  const svg = $("heatmap");
  svg.replaceChildren(el("svg:title", { id: "heatmap-title", text: t("heatmap_title", { n: data.days_connected }) }));
  const size = 22, gap = 3, left = 30;
  WORDS.days.forEach((name, row) => svg.append(el("svg:text", { x: 0, y: row * (size + gap) + 15, text: name })));
  data.days.forEach((day, i) => {
    const week = Math.floor(i / 7), row = i % 7;
    const off = day.day > data.today || day.day < data.paired_on;
    const kind = off ? "off" : day.both ? "both" : day.me + day.partner > 0 ? "one" : "";
    svg.append(el("svg:rect", { class: "cell " + kind, x: left + week * (size + gap), y: row * (size + gap), width: size, height: size, rx: 4 }, el("svg:title", { text: day.label })));
  });
  const list = $("top-rituals");
  list.replaceChildren(...data.top_rituals.map((r) => el("li", { text: `${r.name} — ${r.moments}` })));
  if (!data.top_rituals.length) list.replaceChildren(el("li", { text: t("top_empty") }));
}

// --- Moments -----------------------------------------------------------------------------
function tapId() {
  return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Math.random().toString(36).slice(2) + Date.now().toString(36);
}

async function showMoments() {
  const data = await api("moments");
  if (!data.paired) return notPaired("moments", data);
  $("moment-buttons").replaceChildren(...data.buttons.map((b) => el("button", {
    type: "button", text: b.label,
    onclick: async (event) => {
      event.currentTarget.disabled = true;
      try {
        const logged = await api("moments", { kind: b.kind, tap: tapId() });
        say(logged.said);
        if (tg && tg.HapticFeedback) tg.HapticFeedback.notificationOccurred("success");
        await showMoments();
      } catch (error) { say(error.message, true); }
    },
  })));
  const timeline = $("timeline");
  timeline.replaceChildren(...data.entries.map((e) => el("li", {},
    el("span", { text: `${e.emoji} ${e.who} · ${e.label}` }),
    e.note ? el("span", { class: "note", text: `“${e.note}”` }) : null,
    el("span", { class: "when", text: e.when }),
  )));
  if (!data.entries.length) timeline.replaceChildren(el("li", { text: t("no_moments") }));
}

// --- Settings ----------------------------------------------------------------------------
// One change at a time, in the order they were made: two quick edits (a window's start,
// then its end) must reach the bot in that order, or the earlier one could win.
let saving = Promise.resolve();

function save(change) {
  saving = saving.then(() => saveNow(change));
  return saving;
}

async function saveNow(change) {
  try {
    const data = await api("settings", change);
    say(data.said);
    renderSettings(data);
  } catch (error) {
    say(error.message, true);
    await showSettings().catch((again) => say(again.message, true)); // show what is saved
  }
}

function timeInput(label, value, onchange) {
  return el("input", { type: "time", value, "aria-label": label, onchange });
}

function windowRow(name, window, send) {
  let start = window ? window.start : "", end = window ? window.end : "";
  const both = () => { if (start && end) send(`${start}-${end}`); };
  return el("div", { class: "row" },
    timeInput(t("window_from", { name }), start, (e) => { start = e.target.value; both(); }),
    el("span", { text: t("window_to") }),
    timeInput(t("window_until", { name }), end, (e) => { end = e.target.value; both(); }),
  );
}

function toggle(id, label, checked, onchange) {
  return el("div", { class: "row" },
    el("label", { for: id, text: label }),
    el("input", { type: "checkbox", id, checked, onchange: (e) => onchange(e.target.checked) }),
  );
}

function renderSettings(data) {
  const form = $("settings-form");
  const groups = data.rituals.map((r) => el("fieldset", { "data-ritual": r.ritual },
    el("legend", { text: r.name }),
    toggle("on-" + r.ritual, t("nudge_me"), r.enabled, (enabled) => save({ change: "ritual", ritual: r.ritual, enabled })),
    windowRow(r.name, r.window, (value) => save({ change: "window", ritual: r.ritual, value })),
    r.next ? el("p", { class: "hint", text: r.next }) : null,
  ));
  const bedtime = el("fieldset", {},
    el("legend", { text: t("bedtime") }),
    toggle("on-bedtime", t("nudge_me"), data.bedtime.enabled, (enabled) => save({ change: "ritual", ritual: "bedtime", enabled })),
    el("div", { class: "row" }, el("label", { for: "bedtime-at", text: t("bedtime_at") }),
      el("input", { type: "time", id: "bedtime-at", value: data.bedtime.at, onchange: (e) => e.target.value && save({ change: "bedtime", value: e.target.value }) })),
  );
  const quiet = el("fieldset", {},
    el("legend", { text: t("quiet") }),
    toggle("quiet-on", t("quiet_on"), data.quiet !== null, (on) => save(on ? { change: "quiet", value: "22:00-07:00" } : { change: "quiet", value: "off" })),
    data.quiet ? windowRow(t("quiet"), data.quiet, (value) => save({ change: "quiet", value })) : null,
    toggle("relays-wait", t("relays_wait"), data.relays_wait, (enabled) => save({ change: "relays_wait", enabled })),
  );
  const days = el("select", { id: "pause-days", "aria-label": t("pause_days") },
    ...WORDS.pause_days.map((text, i) => el("option", { value: i + 1, text, selected: i === 2 })));
  const pause = el("fieldset", {},
    el("legend", { text: t("pause") }),
    data.paused_through
      ? el("div", { class: "row" }, el("span", { text: data.paused_label }),
          el("button", { type: "button", class: "primary", text: t("resume_button"), onclick: () => save({ change: "resume" }) }))
      : el("div", { class: "row" }, days,
          el("button", { type: "button", class: "primary", text: t("pause_button"), onclick: () => save({ change: "pause", days: days.value }) })),
  );
  const other = el("fieldset", {},
    el("legend", { text: t("other") }),
    toggle("digest", t("digest"), data.sunday_digest, (enabled) => save({ change: "digest", enabled })),
    el("div", { class: "row" }, el("label", { for: "timezone", text: t("timezone") }),
      el("input", { type: "text", id: "timezone", value: data.timezone || "", placeholder: t("timezone_hint"), autocomplete: "off",
        onchange: (e) => e.target.value.trim() && save({ change: "timezone", value: e.target.value.trim() }) })),
  );
  form.replaceChildren(...groups, bedtime, quiet, pause, other);
}

async function showSettings() {
  renderSettings(await api("settings"));
}

// --- Tabs --------------------------------------------------------------------------------
const PAGES = { week: showWeek, history: showHistory, moments: showMoments, settings: showSettings };

function notPaired(page, data) {
  $(page).replaceChildren(el("p", { class: "words", text: data.error }));
}

async function open(page) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.getAttribute("aria-controls") === page;
    tab.setAttribute("aria-selected", String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute("aria-controls")).hidden = !selected;
  }
  if (tg && tg.BackButton) page === "week" ? tg.BackButton.hide() : tg.BackButton.show();
  say("");
  try { await PAGES[page](); } catch (error) { say(error.message, true); }
  document.body.dataset.ready = page; // for tests and screen readers alike: the page is drawn
}

const TABS = Array.from(document.querySelectorAll('[role="tab"]'));
for (const tab of TABS) {
  tab.addEventListener("click", () => open(tab.getAttribute("aria-controls")));
  tab.addEventListener("keydown", (e) => {  // arrow keys move between tabs, as a tab list does
    const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!step) return;
    const next = TABS[(TABS.indexOf(tab) + step + TABS.length) % TABS.length];
    next.focus();
    open(next.getAttribute("aria-controls"));
  });
}
$("earlier").addEventListener("click", () => { weeksAgo += 1; open("week"); });
$("later").addEventListener("click", () => { weeksAgo = Math.max(0, weeksAgo - 1); open("week"); });
// A swipe to the right goes back a week, to the left forward again (the buttons do the same).
let touchX = null;
$("week").addEventListener("touchstart", (e) => { touchX = e.changedTouches[0].clientX; }, { passive: true });
$("week").addEventListener("touchend", (e) => {
  if (touchX === null) return;
  const dx = e.changedTouches[0].clientX - touchX;
  touchX = null;
  if (Math.abs(dx) < 60) return;
  if (dx > 0) $("earlier").click(); else if (!$("later").disabled) $("later").click();
}, { passive: true });
if (tg) {
  tg.ready();
  tg.expand();
  if (tg.colorScheme) document.documentElement.dataset.theme = tg.colorScheme;
  if (tg.BackButton) tg.BackButton.onClick(() => open("week"));
}
wordsLoaded = api("words").then(applyWords);
wordsLoaded.catch(() => {});  // a refusal is said by the page's own call
open("week");
