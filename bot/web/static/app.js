/* The forum schedule Mini App: plain JS, no framework.
 *
 * Who the person is: Telegram's init data (location hash tgWebAppData, as Telegram opens
 * Mini Apps), sent to the server as "Authorization: tma <init data>" and checked there.
 * Offline: sw.js keeps the page, the programme and the person's agenda; stars made offline
 * wait in localStorage and are sent when the connection is back.
 * Every text from the programme goes into the page through textContent, never as HTML.
 */
'use strict';

const SYNC_EVERY_MS = 30000;
const state = {
  initData: '', userId: null, programme: null, saved: new Set(), offset: 0,
  day: null, texts: {}, locale: 'ru', updatedAt: null, offline: false,
};

// ------------------------------------------------------------------ Telegram

function launchParams() {
  const hash = new URLSearchParams(location.hash.slice(1));
  let data = hash.get('tgWebAppData');
  let theme = hash.get('tgWebAppThemeParams');
  const tg = window.Telegram && window.Telegram.WebApp;
  if (!data && tg && tg.initData) data = tg.initData;
  // Telegram keeps the launch parameters for reloads of the same open page.
  try {
    if (data) sessionStorage.setItem('tgWebAppData', data);
    else data = sessionStorage.getItem('tgWebAppData');
    if (theme) sessionStorage.setItem('tgWebAppThemeParams', theme);
    else theme = sessionStorage.getItem('tgWebAppThemeParams');
  } catch (e) { /* storage may be disabled; the hash still works */ }
  let themeParams = null;
  try { themeParams = theme ? JSON.parse(theme) : null; } catch (e) { themeParams = null; }
  return { initData: data || '', themeParams };
}

function applyTheme(params) {
  if (!params) return;
  document.documentElement.classList.add('tg');
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(value)) {
      document.documentElement.style.setProperty('--tg-' + key.replace(/_/g, '-'), value);
    }
  }
}

function postEvent(eventType, eventData) {
  const data = JSON.stringify(eventData || {});
  try {
    if (window.TelegramWebviewProxy) window.TelegramWebviewProxy.postEvent(eventType, data);
    else if (window.external && 'notify' in window.external) {
      window.external.notify(JSON.stringify({ eventType, eventData }));
    } else if (window.parent !== window) {
      window.parent.postMessage(JSON.stringify({ eventType, eventData }), '*');
    }
  } catch (e) { /* outside Telegram there is nobody to tell */ }
}

function receiveEvent(eventType, eventData) {
  if (eventType === 'theme_changed' && eventData) applyTheme(eventData.theme_params);
}
// Telegram's apps call window.Telegram.WebView.receiveEvent; Telegram Web posts messages.
window.Telegram = window.Telegram || {};
window.Telegram.WebView = window.Telegram.WebView || { receiveEvent };
window.addEventListener('message', (event) => {
  try {
    const message = typeof event.data === 'string' ? JSON.parse(event.data) : event.data;
    if (message && message.eventType) receiveEvent(message.eventType, message.eventData);
  } catch (e) { /* not Telegram's */ }
});

function initDataUser(initData) {
  try {
    const user = JSON.parse(new URLSearchParams(initData).get('user') || 'null');
    return user && user.id ? user : null;
  } catch (e) { return null; }
}

// ------------------------------------------------------------------ search (the bot's folding)

function translate(text, table) {
  let out = '';
  for (const ch of text) out += Object.prototype.hasOwnProperty.call(table, ch) ? table[ch] : ch;
  return out;
}

function sub(text, [pattern, replacement]) {
  return text.replace(new RegExp(pattern, 'gu'), replacement);
}

function fold(text, rules) {
  const lower = sub(text.toLowerCase(), rules.be_infinitive);
  return sub(translate(translate(lower, rules.be_to_ru), rules.latin), rules.be_hard);
}

function phonetic(word, rules) {
  let key = translate(word, rules.cyr_to_lat);
  for (const [pair, single] of rules.digraphs) key = key.split(pair).join(single);
  key = sub(translate(key, rules.letters), rules.vowel_u);
  return key.replace(/(.)\1+/gu, '$1');
}

function words(text, rules) {
  const found = [];
  for (const match of fold(text, rules).matchAll(new RegExp(rules.word, 'gu'))) {
    const parts = match[0].split(/[-'’ʼ]/u);
    if (parts.length > 1) found.push(parts.join(''), ...parts);
    else found.push(match[0]);
  }
  return found;
}

function searchKey(word, rules) { return phonetic(fold(word, rules), rules); }

function queryKeys(query, rules) {
  // Without a stemmer: a long word also matches without its ending (Могилёва ~ Могилёв).
  return words(query, rules).map((w) => {
    const key = phonetic(w, rules);
    return key.length >= 5 ? key.replace(/[aeiu]+$/u, '') : key;
  });
}

function matches(session, keys) {
  if (!keys.length) return true;
  const own = session.keys.split(' ');
  return keys.every((k) => own.some((w) => w.startsWith(k)));
}

// ------------------------------------------------------------------ time

function now() { return new Date(Date.now() + state.offset); }

function forumDate(moment) {
  const tz = state.programme.forum.timezone;
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(moment);
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

function fmtMoment(iso) {
  try {
    return new Intl.DateTimeFormat(state.locale, {
      day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit',
    }).format(new Date(iso));
  } catch (e) { return iso; }
}

// ------------------------------------------------------------------ storage

function key(name) { return `forum:${state.userId}:${name}`; }

function load(name, fallback) {
  try {
    const raw = localStorage.getItem(key(name));
    return raw === null ? fallback : JSON.parse(raw);
  } catch (e) { return fallback; }
}

function store(name, value) {
  try { localStorage.setItem(key(name), JSON.stringify(value)); } catch (e) { /* full */ }
}

function queue() { return load('queue', []); }

// ------------------------------------------------------------------ API

async function api(method, path, { auth = true } = {}) {
  const headers = auth ? { Authorization: 'tma ' + state.initData } : {};
  const response = await fetch('api/' + path, { method, headers, cache: 'no-store' });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, body, offline: response.headers.get('X-Offline-Copy') };
}

function applyMe(me, offline) {
  state.saved = new Set(me.saved);
  for (const op of queue()) {
    if (op.saved) state.saved.add(op.id); else state.saved.delete(op.id);
  }
  if (!offline) {
    state.offset = Date.parse(me.now) - Date.now();
    state.updatedAt = new Date().toISOString();
    store('offset', state.offset);
    store('updatedAt', state.updatedAt);
  }
}

async function refreshMe() {
  const me = await api('GET', `me?u=${state.userId}`);
  if (me.status === 401 || me.status === 403) throw new AuthError();
  if (me.status !== 200 || !me.body) throw new Error('me: ' + me.status);
  state.offline = Boolean(me.offline);
  applyMe(me.body, state.offline);
  return me.body;
}

class AuthError extends Error {}

async function flushQueue() {
  let pending = queue();
  while (pending.length) {
    const op = pending[0];
    let result;
    try {
      result = await api(op.saved ? 'PUT' : 'DELETE', 'agenda/' + encodeURIComponent(op.id));
    } catch (e) { break; } // still offline: keep the queue
    if (result.offline || result.status === 0 || result.status >= 500) break;
    if (result.status === 401) break; // expired: sent on the next open with fresh init data
    pending = queue().slice(1);
    store('queue', pending);
    if (result.status === 200 && result.body) applyMe({ ...result.body }, false);
    else if (result.body && result.body.error) {
      showStatus(state.texts.save_error.replace('{reason}', result.body.error));
      if (op.saved) state.saved.delete(op.id);
    }
  }
  render();
}

function toggle(sessionId) {
  const saved = !state.saved.has(sessionId);
  if (saved) state.saved.add(sessionId); else state.saved.delete(sessionId);
  // Only the last wish per session needs sending.
  const pending = queue().filter((op) => op.id !== sessionId);
  pending.push({ id: sessionId, saved, at: Date.now() });
  store('queue', pending);
  render();
  flushQueue();
}

// ------------------------------------------------------------------ rendering

function fill(node, ...children) {
  // Nested lists and absent parts (null, false) are allowed; text is always text.
  node.replaceChildren();
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  return fill(node, ...children);
}

function starButton(session) {
  const on = state.saved.has(session.id);
  return el('button', {
    class: 'star', type: 'button', 'aria-pressed': on ? 'true' : 'false',
    'data-session': session.id, title: on ? state.texts.unsave : state.texts.save,
    disabled: session.cancelled && !on ? 'disabled' : null,
    onclick: (e) => { e.stopPropagation(); toggle(session.id); },
  }, '⭐');
}

function meta(session) {
  const kind = state.programme.kinds.find((k) => k.id === session.kind);
  const parts = [session.hall, kind && kind.label].filter(Boolean);
  if (session.cancelled) parts.unshift(state.texts.cancelled);
  return parts.join(' · ');
}

function sessionRow(session) {
  return el('div', {
    class: 'session' + (session.cancelled ? ' cancelled' : ''), 'data-session': session.id,
  },
  el('div', { class: 'time' }, `${session.start}–${session.end}`),
  el('div', { class: 'body', onclick: () => openDetails(session.id) },
    el('div', { class: 'name' }, session.title),
    el('div', { class: 'meta' }, meta(session))),
  starButton(session));
}

function filtered() {
  const p = state.programme;
  const query = document.getElementById('search').value.trim();
  const keys = query ? queryKeys(query, p.folding) : [];
  const section = document.getElementById('f-section').value;
  const venue = document.getElementById('f-venue').value;
  const kind = document.getElementById('f-kind').value;
  const onlySaved = document.getElementById('f-saved').checked;
  return p.sessions.filter((s) => (query || onlySaved || s.day === state.day)
    && (!section || s.section === section)
    && (!venue || s.venue === venue)
    && (!kind || s.kind === kind)
    && (!onlySaved || state.saved.has(s.id))
    && matches(s, keys));
}

function renderList() {
  const list = document.getElementById('list');
  const sessions = filtered();
  const byDay = new Map(state.programme.days.map((d) => [d.date, d.label]));
  const children = [];
  let lastDay = null;
  const acrossDays = sessions.some((s) => s.day !== state.day);
  for (const session of sessions) {
    if (acrossDays && session.day !== lastDay) {
      children.push(el('div', { class: 'dayhead' }, byDay.get(session.day) || session.day));
      lastDay = session.day;
    }
    children.push(sessionRow(session));
  }
  if (!sessions.length) children.push(el('p', { class: 'empty' }, state.texts.no_results));
  list.replaceChildren(...children);
}

function renderNowNext() {
  const box = document.getElementById('nownext');
  const moment = now();
  const live = state.programme.sessions.filter((s) => !s.cancelled);
  const current = live.filter((s) => Date.parse(s.start_at) <= moment && moment < Date.parse(s.end_at));
  const later = live.filter((s) => Date.parse(s.start_at) > moment);
  const firstNext = later.length ? Math.min(...later.map((s) => Date.parse(s.start_at))) : null;
  const next = later.filter((s) => Date.parse(s.start_at) === firstNext).slice(0, 4);
  const today = forumDate(moment);
  if (!state.programme.days.some((d) => d.date === today)) { box.hidden = true; return; }
  const line = (s) => el('button', { type: 'button', onclick: () => openDetails(s.id) },
    `${s.start} ${s.title}${s.hall ? ' · ' + s.hall : ''}`);
  const parts = [el('h2', {}, state.texts.now)];
  parts.push(...(current.length ? current.slice(0, 4).map(line)
    : [el('div', { class: 'meta' }, state.texts.nothing_now)]));
  if (next.length && next[0].day === today) parts.push(el('h2', {}, state.texts.next), ...next.map(line));
  box.replaceChildren(...parts);
  box.hidden = false;
}

function renderDays() {
  const today = forumDate(now());
  const nav = document.getElementById('days');
  nav.replaceChildren(...state.programme.days.map((d) => el('button', {
    type: 'button', role: 'tab', 'data-day': d.date,
    class: d.date === today ? 'today' : null,
    'aria-selected': d.date === state.day ? 'true' : 'false',
    onclick: () => { state.day = d.date; render(); },
  }, d.label)));
}

function renderStatus() {
  const t = state.texts;
  const parts = [];
  if (state.offline) parts.push(t.offline);
  if (state.updatedAt) parts.push(t.updated.replace('{when}', fmtMoment(state.updatedAt)));
  const waiting = queue().length;
  if (waiting) parts.push(t.pending.replace('{count}', waiting));
  showStatus(parts.join(' · '), state.offline);
}

function showStatus(text, offline) {
  const status = document.getElementById('status');
  status.textContent = text;
  status.classList.toggle('offline', Boolean(offline));
}

function render() {
  if (!state.programme) return;
  renderDays();
  renderNowNext();
  renderList();
  renderStatus();
  const open = document.getElementById('details').dataset.session;
  if (open && !document.getElementById('details').hidden) openDetails(open);
}

function people(title, list) {
  if (!list.length) return null;
  return [el('h3', {}, title),
    el('ul', {}, list.map((p) => el('li', {}, el('b', {}, p.name), p.about ? ` — ${p.about}` : '')))];
}

function openDetails(sessionId) {
  const p = state.programme;
  const s = p.sessions.find((x) => x.id === sessionId);
  if (!s) return;
  const t = state.texts;
  const section = p.sections.find((x) => x.id === s.section);
  const day = p.days.find((d) => d.date === s.day);
  const on = state.saved.has(s.id);
  const sheet = document.getElementById('details');
  sheet.dataset.session = s.id;
  fill(sheet,
    el('h2', {}, s.title),
    s.cancelled ? el('p', {}, el('b', {}, '❌ ' + t.cancelled)) : null,
    el('p', {}, `🕒 ${day ? day.label : s.day}, ${s.start}–${s.end}`),
    s.place ? el('p', {}, '📍 ' + s.place + ' ', s.map ? el('a', { href: s.map, target: '_blank', rel: 'noopener' }, t.map) : null) : null,
    el('p', {}, '👥 ' + s.format, s.stream ? [' — ', el('a', { href: s.stream, target: '_blank', rel: 'noopener', class: 'stream' }, t.stream)] : null),
    section ? el('p', {}, '🧩 ' + t.section.replace('{number}', section.number).replace('{title}', section.title)) : null,
    people(t.speakers, s.speakers),
    people(t.moderators, s.moderators),
    s.description ? el('p', {}, s.description) : null,
    el('div', { class: 'actions' },
      el('button', {
        type: 'button', class: on ? 'secondary' : null, id: 'details-star',
        disabled: s.cancelled && !on ? 'disabled' : null, onclick: () => toggle(s.id),
      }, on ? t.unsave : t.save),
      el('button', { type: 'button', class: 'secondary', onclick: closeDetails }, t.close)),
  );
  sheet.hidden = false;
  postEvent('web_app_setup_back_button', { is_visible: true });
}

function closeDetails() {
  const sheet = document.getElementById('details');
  sheet.hidden = true;
  delete sheet.dataset.session;
  postEvent('web_app_setup_back_button', { is_visible: false });
}

function fillSelect(id, allLabel, items) {
  const select = document.getElementById(id);
  select.replaceChildren(el('option', { value: '' }, allLabel),
    ...items.map(([value, label]) => el('option', { value }, label)));
  select.onchange = renderList;
}

function setUpControls() {
  const p = state.programme;
  const t = state.texts;
  document.title = t.title;
  document.documentElement.lang = state.locale;
  document.getElementById('title').textContent = `${p.forum.title}`;
  const search = document.getElementById('search');
  search.placeholder = t.search;
  search.oninput = renderList;
  fillSelect('f-section', t.all_sections, p.sections.map((s) => [s.id, `${s.number}. ${s.title}`]));
  fillSelect('f-venue', t.all_venues, p.venues.map((v) => [v.id, v.name]));
  fillSelect('f-kind', t.all_kinds, p.kinds.map((k) => [k.id, k.label]));
  document.getElementById('f-saved-label').textContent = t.only_saved;
  document.getElementById('f-saved').onchange = renderList;
  const today = forumDate(now());
  state.day = p.days.some((d) => d.date === today) ? today : p.days[0].date;
}

// ------------------------------------------------------------------ start

function showMessage(text, retry) {
  document.getElementById('loading').hidden = true;
  document.getElementById('app').hidden = true;
  const box = document.getElementById('message');
  document.getElementById('message-text').textContent = text;
  const button = document.getElementById('message-retry');
  button.hidden = !retry;
  if (retry) { button.textContent = state.texts.retry || '↻'; button.onclick = () => location.reload(); }
  box.hidden = false;
}

// Shown before the server could say anything in the person's language.
const FALLBACK = {
  ru: ['Не удалось подтвердить, кто вы. Откройте страницу заново из бота в Telegram.',
    'Не удалось загрузить программу. Проверьте связь и попробуйте снова.'],
  be: ['Не атрымалася пацвердзіць, хто вы. Адкрыйце старонку зноў з бота ў Telegram.',
    'Не атрымалася загрузіць праграму. Праверце сувязь і паспрабуйце зноў.'],
  en: ['This page could not confirm who you are. Open it again from the bot in Telegram.',
    'The schedule could not be loaded. Check the connection and try again.'],
};

function fallback(index, languageCode) {
  const lang = (languageCode || 'ru').slice(0, 2);
  return (FALLBACK[lang] || FALLBACK.ru)[index];
}

async function registerWorker() {
  if (!('serviceWorker' in navigator)) return;
  try {
    await navigator.serviceWorker.register('sw.js', { scope: './' });
  } catch (e) {
    console.warn('service worker not registered', e);
    return;
  }
  if (navigator.serviceWorker.controller) return;
  // On the first open: wait (briefly) until the worker controls the page, so that the
  // programme and the agenda fetched next are kept for offline use.
  await new Promise((resolve) => {
    navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true });
    setTimeout(resolve, 3000);
  });
}

async function start() {
  const params = launchParams();
  applyTheme(params.themeParams);
  postEvent('web_app_ready');
  postEvent('web_app_expand');
  state.initData = params.initData;
  const user = initDataUser(state.initData);
  if (!user) { showMessage(fallback(0, navigator.language)); return; }
  state.userId = user.id;
  state.offset = load('offset', 0);
  state.updatedAt = load('updatedAt', null);
  await registerWorker();
  let me;
  try {
    me = await refreshMe();
  } catch (e) {
    showMessage(e instanceof AuthError ? fallback(0, user.language_code) : fallback(1, user.language_code), !(e instanceof AuthError));
    return;
  }
  state.locale = me.locale;
  const programme = await api('GET', `programme?lang=${encodeURIComponent(me.locale)}`, { auth: false })
    .catch(() => null);
  if (!programme || programme.status !== 200 || !programme.body) {
    showMessage(fallback(1, me.locale), true);
    return;
  }
  state.programme = programme.body;
  state.texts = programme.body.texts;
  setUpControls();
  document.getElementById('loading').hidden = true;
  document.getElementById('app').hidden = false;
  render();
  window.forumApp = { state, searchKey: (w) => searchKey(w, state.programme.folding), flushQueue };
  if (navigator.onLine) flushQueue();
  document.body.dataset.ready = 'true';
}

async function sync() {
  if (!state.programme || document.hidden) return;
  try {
    await refreshMe();
    if (!state.offline) await flushQueue();
  } catch (e) {
    if (e instanceof AuthError) return; // init data expired while open: keep showing the copy
    state.offline = true;
  }
  render();
}

window.addEventListener('online', () => { state.offline = false; flushQueue().then(sync); });
window.addEventListener('offline', () => { state.offline = true; renderStatus(); });
document.addEventListener('visibilitychange', sync);
window.addEventListener('keydown', (e) => { if (e.key === 'Escape') closeDetails(); });
window.Telegram.WebView.receiveEvent = (type, data) => {
  if (type === 'back_button_pressed') closeDetails();
  else receiveEvent(type, data);
};
setInterval(sync, SYNC_EVERY_MS);
setInterval(() => { if (state.programme) { renderNowNext(); renderStatus(); } }, 60000);
start();
