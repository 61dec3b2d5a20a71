// The status page: a client of the daemon's own API (same origin, session cookie + CSRF token).
// Plain browser JavaScript, no build step.
'use strict';

const state = { csrf: undefined, jobs: new Map(), lastId: undefined, source: undefined };
const $ = (sel) => document.querySelector(sel);

async function api(path, opts = {}) {
  const headers = { accept: 'application/json' };
  if (opts.method === 'POST') {
    headers['content-type'] = 'application/json';
    if (state.csrf) headers['x-csrf-token'] = state.csrf;
  }
  const res = await fetch(path, { ...opts, headers, credentials: 'same-origin' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok)
    throw Object.assign(new Error(body.error?.message ?? `HTTP ${res.status}`), { status: res.status });
  return body;
}

function text(el, value) {
  el.textContent = value ?? '';
  return el;
}

function make(tag, cls, content) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (content !== undefined) el.textContent = content;
  return el;
}

function renderJob(job) {
  const body = $('#jobs tbody');
  let row = body.querySelector(`tr[data-job-id="${CSS.escape(job.id)}"]`);
  if (!row) {
    row = make('tr');
    row.dataset.jobId = job.id;
    row.append(
      make('td', 'file'),
      make('td', 'folder'),
      make('td', 'state'),
      make('td', 'progress'),
      make('td', 'act'),
    );
    body.prepend(row);
  }
  row.dataset.file = job.file;
  row.dataset.state = job.state;
  const [file, folder, st, progress, act] = row.children;
  text(file, job.file);
  // Cluster mode: the node that runs the job (or ran it).
  text(folder, job.node ? `${job.folder} · on ${job.node}` : job.folder);
  st.className = `state state-${job.state}`;
  text(st, job.state);
  progress.replaceChildren();
  if (job.state === 'failed') {
    progress.append(
      make(
        'div',
        'reason',
        `${job.error?.message ?? 'Failed'}${job.error?.hint ? ` ${job.error.hint}` : ''}`,
      ),
    );
    // Where the file now lies, so a person can find it (the Retry button brings it back).
    if (job.setAsideTo) progress.append(make('div', 'aside', `Moved to ${job.setAsideTo}`));
  } else if (job.state !== 'done') {
    const bar = make('progress');
    bar.max = 100;
    if (typeof job.percent === 'number') bar.value = job.percent;
    progress.append(bar);
    if (job.message) progress.append(make('div', 'message', job.message));
  } else if (job.output) {
    progress.append(make('div', 'message', job.output));
  }
  act.replaceChildren();
  if (job.state === 'failed' || job.state === 'done') {
    const b = make('button', 'retry', 'Retry');
    b.type = 'button';
    b.addEventListener('click', () => act_(b, `/api/jobs/${encodeURIComponent(job.id)}/retry`));
    if (job.state === 'failed') act.append(b);
  } else {
    const b = make('button', 'cancel', 'Cancel');
    b.type = 'button';
    b.addEventListener('click', () => act_(b, `/api/jobs/${encodeURIComponent(job.id)}/cancel`));
    act.append(b);
  }
  $('#no-jobs').hidden = body.children.length > 0;
}

async function act_(button, path) {
  button.disabled = true;
  try {
    const r = await api(path, { method: 'POST', body: '{}' });
    button.textContent = 'Sent';
    button.title = r.message ?? '';
  } catch (err) {
    button.disabled = false;
    alert(err.message);
  }
}

function renderCounts() {
  const counts = {};
  for (const j of state.jobs.values()) counts[j.state] = (counts[j.state] ?? 0) + 1;
  const parts = Object.entries(counts).map(([s, n]) => `${n} ${s}`);
  text($('#counts'), parts.length ? `Jobs: ${parts.join(', ')}` : '');
}

function renderRunState(s) {
  const badge = $('#run-state');
  badge.className = `badge ${s.paused || s.scheduleClosed ? 'paused' : 'running'}`;
  text(
    badge,
    s.paused
      ? s.drain
        ? `Paused after current (${s.running} running)`
        : 'Paused'
      : s.scheduleClosed
        ? `Outside schedule${s.resumesAt ? ` until ${new Date(s.resumesAt).toLocaleString()}` : ''}`
        : `Running (${s.running} running, ${s.waiting} waiting)`,
  );
  $('#pause').disabled = s.paused && !s.drain;
  $('#drain').disabled = s.paused && s.drain;
  $('#resume').disabled = !s.paused;
}

async function loadJobs() {
  const { jobs, lastEventId } = await api('/api/jobs?limit=200');
  state.lastId = lastEventId;
  $('#jobs tbody').replaceChildren();
  state.jobs.clear();
  for (const j of jobs.reverse()) {
    state.jobs.set(j.id, j);
    renderJob(j);
  }
  renderCounts();
  $('#no-jobs').hidden = jobs.length > 0;
}

async function loadFolders() {
  const { folders } = await api('/api/folders');
  const list = $('#folders');
  list.replaceChildren();
  for (const f of folders) {
    const li = make('li');
    li.append(make('strong', '', f.name), document.createTextNode(` ${f.inbox} → ${f.outbox}`));
    if (f.ruleError) li.append(make('div', 'rule-error', `Rule file error: ${f.ruleError}`));
    if (f.schedule) li.append(make('div', 'muted', `Schedule: ${f.schedule.join('; ')}`));
    list.append(li);
  }
}

let logTimer;
function loadLogSoon() {
  clearTimeout(logTimer);
  logTimer = setTimeout(loadLog, 300);
}
async function loadLog() {
  const { lines } = await api('/api/log');
  const list = $('#log');
  list.replaceChildren(
    ...lines
      .slice(0, 50)
      .map((l) => make('li', l.level, `${new Date(l.at).toLocaleTimeString()} ${l.message}`)),
  );
}

async function loadState() {
  renderRunState(await api('/api/state'));
}

async function loadCluster() {
  const res = await fetch('/api/cluster', { credentials: 'same-origin' });
  if (!res.ok) return; // one host: no cluster line
  const c = await res.json();
  const names = c.nodes.map((n) => (n.node === c.node ? `${n.node} (this one)` : n.node));
  const held = c.cloudPaused ? '; cloud jobs held on every node (out of credits)' : '';
  text(
    $('#cluster'),
    `Cluster: ${names.length} node${names.length === 1 ? '' : 's'} alive: ${names.join(', ')}${held}`,
  );
  $('#cluster').hidden = false;
}

async function loadCredits() {
  const c = await api('/api/credits');
  text($('#credits'), 'available' in c ? `NemoVideo credits: ${c.available}` : `Credits unknown: ${c.error}`);
}

function connect() {
  // Streams from where the list left off; EventSource sends Last-Event-ID itself on reconnects.
  const es = new EventSource(`/api/events?lastEventId=${encodeURIComponent(state.lastId ?? '')}`);
  state.source = es;
  es.onopen = () => text($('#live'), 'Live');
  es.onerror = () => text($('#live'), 'Reconnecting…');
  const onJob = (e) => {
    const ev = JSON.parse(e.data);
    state.jobs.set(ev.job.id, ev.job);
    renderJob(ev.job);
    renderCounts();
    if (ev.type !== 'job.progress') {
      loadLogSoon();
      void loadState();
    }
  };
  for (const t of ['job.created', 'job.stage', 'job.progress', 'job.done', 'job.failed', 'job.held'])
    es.addEventListener(t, onJob);
  for (const t of ['paused', 'resumed'])
    es.addEventListener(t, () => {
      void loadState();
      loadLogSoon();
    });
  es.addEventListener('rules.reloaded', () => {
    void loadFolders();
    loadLogSoon();
  });
  es.addEventListener('resync', () => void loadJobs());
  return es;
}

async function control(path, body) {
  try {
    renderRunState(await api(path, { method: 'POST', body: JSON.stringify(body ?? {}) }));
  } catch (err) {
    alert(err.message);
  }
}

async function main() {
  try {
    const s = await api('/api/session');
    state.csrf = s.csrf;
  } catch (err) {
    if (err.status === 401) {
      $('#signin').hidden = false;
      for (const id of ['#pause', '#drain', '#resume']) $(id).disabled = true;
      text($('#run-state'), 'Signed out');
      return;
    }
    throw err;
  }
  for (const id of ['#overview', '#jobs-section', '#folders-section', '#log-section']) $(id).hidden = false;
  $('#pause').addEventListener('click', () => control('/api/pause', { drain: false }));
  $('#drain').addEventListener('click', () => control('/api/pause', { drain: true }));
  $('#resume').addEventListener('click', () => control('/api/resume'));
  await Promise.all([loadJobs(), loadFolders(), loadLog(), loadState()]);
  connect();
  void loadCredits();
  void loadCluster();
  setInterval(() => {
    void loadState();
    void loadCluster();
  }, 10_000);
}

void main();
