// s3recon dashboard: plain JavaScript, no build step. Everything the server sends is shown through
// textContent or esc(): object keys and messages are data, never markup.
'use strict';

const params = new URLSearchParams(location.search);
if (params.get('token')) { sessionStorage.setItem('s3recon_token', params.get('token')); }
const token = sessionStorage.getItem('s3recon_token');
const $ = (sel, root = document) => root.querySelector(sel);
const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, c => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));
}
function withToken(url) {
  return token ? url + (url.includes('?') ? '&' : '?') + 'token=' + encodeURIComponent(token) : url;
}
async function api(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (token) headers['Authorization'] = 'Bearer ' + token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = data.error || {message: res.statusText};
    const err = new Error((e.field ? e.field + ': ' : '') + e.message);
    err.field = e.field;
    throw err;
  }
  return data;
}
function toast(message, isError) {
  const t = $('#toast');
  t.textContent = message;
  t.className = 'toast' + (isError ? ' error' : '');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.add('hidden'), 6000);
}
function bytes(n) {
  if (n == null || n < 0) return '–';
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
  return (i === 0 ? n : n.toFixed(1)) + ' ' + u[i];
}
function num(n) { return n == null || n < 0 ? '–' : Number(n).toLocaleString('en-US'); }
function duration(ms) {
  if (ms == null) return '–';
  const s = Math.round(ms / 1000);
  return s < 60 ? s + ' s' : Math.floor(s / 3600) + ':' + String(Math.floor(s / 60) % 60).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
}
function time(iso) { return iso ? new Date(iso).toLocaleString() : '–'; }
function stateChip(s) { return '<span class="state ' + esc(s) + '">' + esc(s || '–') + '</span>'; }

// ---- tabs
let currentTab = 'overview';
function show(tab) {
  currentTab = tab;
  $$('#tabs button').forEach(b => b.classList.toggle('active', b.dataset.tab === tab));
  $$('.tab').forEach(s => s.classList.toggle('hidden', s.id !== 'tab-' + tab));
  if (tab === 'overview') loadStats();
  if (tab === 'endpoints' || tab === 'wizard') loadEndpoints();
  if (tab === 'progress') loadMigrations();
  if (tab === 'history') loadHistory();
}
$$('#tabs button').forEach(b => b.addEventListener('click', () => show(b.dataset.tab)));

// ---- overview
const live = [];   // {t, bps} transfer-rate samples from the event stream
let historyPoints = [];
async function loadStats() {
  try {
    const s = await api('GET', '/api/stats');
    $('#stat-runs').textContent = num(s.runs);
    $('#stat-success').textContent = s.successRate == null ? '–' : (s.successRate * 100).toFixed(0) + ' %';
    $('#stat-bytes').textContent = bytes(s.bytesCopied);
    $('#stat-objects').textContent = num(s.objectsCopied);
    $('#stat-speed').textContent = bytes(s.averageBytesPerSecond) + '/s';
    $('#stat-states').innerHTML = Object.entries(s.byState).map(([k, v]) => stateChip(k) + ' ' + num(v)).join(' &nbsp; ');
    historyPoints = s.throughput.map(p => ({t: Date.parse(p.at), bps: p.bytesPerSecond}));
    drawChart();
    const ms = await api('GET', '/api/migrations');
    $('#stat-running').textContent = ms.filter(m => m.status === 'RUNNING').length;
  } catch (e) { toast(e.message, true); }
}
function drawChart() {
  const c = $('#chart');
  const ratio = window.devicePixelRatio || 1;
  const w = c.clientWidth || 1000, h = c.clientHeight || 240;
  c.width = w * ratio; c.height = h * ratio;
  const g = c.getContext('2d');
  g.scale(ratio, ratio);
  g.clearRect(0, 0, w, h);
  const pts = live.concat(historyPoints);
  c.dataset.points = pts.length;   // for tests: what the chart shows
  const left = 70, bottom = h - 24, top = 10, right = w - 10;
  g.strokeStyle = '#dde3e9'; g.fillStyle = '#66727f'; g.font = '11px system-ui';
  if (pts.length === 0) { g.fillText('no transfer yet', left, h / 2); return; }
  const t0 = Math.min(...pts.map(p => p.t)), t1 = Math.max(...pts.map(p => p.t), t0 + 1000);
  const max = Math.max(...pts.map(p => p.bps), 1) * 1.1;   // headroom above the highest sample
  for (let i = 0; i <= 4; i++) {
    const y = bottom - (bottom - top) * i / 4;
    g.beginPath(); g.moveTo(left, y); g.lineTo(right, y); g.stroke();
    g.fillText(bytes(max * i / 4) + '/s', 4, y + 4);
  }
  g.fillText(new Date(t0).toLocaleTimeString(), left, h - 6);
  g.fillText(new Date(t1).toLocaleTimeString(), right - 70, h - 6);
  const x = t => left + (right - left) * (t - t0) / (t1 - t0);
  const y = v => bottom - (bottom - top) * v / max;
  if (live.length > 1) {
    g.strokeStyle = '#1f6feb'; g.lineWidth = 2; g.beginPath();
    // a pause of more than 5 s between samples (no transfer running) breaks the line
    live.forEach((p, i) => i && p.t - live[i - 1].t < 5000 ? g.lineTo(x(p.t), y(p.bps)) : g.moveTo(x(p.t), y(p.bps)));
    g.stroke();
  }
  g.fillStyle = '#1a7f37';
  historyPoints.forEach(p => { g.beginPath(); g.arc(x(p.t), y(p.bps), 4, 0, 7); g.fill(); });
}

// ---- endpoints
let endpointNames = [];
async function loadEndpoints() {
  try {
    const list = await api('GET', '/api/endpoints');
    endpointNames = list.map(e => e.name);
    $('#endpoints-table tbody').innerHTML = list.map(e => '<tr><td>' + esc(e.name) + '</td><td><code>' + esc(e.url) +
      '</code></td><td>' + esc(e.region) + '</td><td>' + esc(e.credentials) + '</td><td><button data-test="' + esc(e.name) +
      '">Test</button></td></tr>').join('');
    $$('#endpoints-table button[data-test]').forEach(b => b.addEventListener('click', () => testEndpoint(b.dataset.test)));
    $$('.endpoint-select').forEach(sel => {
      const keep = sel.value;
      sel.innerHTML = list.map(e => '<option>' + esc(e.name) + '</option>').join('');
      if (endpointNames.includes(keep)) sel.value = keep;
      else if (sel.name.startsWith('destination') && list.length > 1) sel.value = list[list.length - 1].name;
    });
    $$('.endpoint-select').forEach(sel => fillBuckets(sel));
  } catch (e) { toast(e.message, true); }
}
async function testEndpoint(name) {
  const out = $('#endpoint-result');
  out.classList.remove('hidden', 'error');
  out.textContent = 'testing ' + name + '…';
  try {
    const r = await api('POST', '/api/endpoints/' + encodeURIComponent(name) + '/test', {});
    out.textContent = name + ': OK in ' + r.millis + ' ms; buckets: ' + (r.buckets.join(', ') || '(none)');
  } catch (e) { out.classList.add('error'); out.textContent = e.message; }
}
async function fillBuckets(sel) {
  const list = $('#' + sel.name.split('.')[0] + '-buckets');
  try {
    const r = await api('GET', '/api/endpoints/' + encodeURIComponent(sel.value) + '/buckets');
    list.innerHTML = r.buckets.map(b => '<option value="' + esc(b) + '">').join('');
  } catch (e) { list.innerHTML = ''; }
}
$$('.endpoint-select').forEach(sel => sel.addEventListener('change', () => fillBuckets(sel)));
$('#endpoint-form').addEventListener('submit', async ev => {
  ev.preventDefault();
  const f = ev.target;
  const body = {};
  ['name', 'url', 'region', 'accessKeyId', 'secretAccessKey'].forEach(k => { if (f[k].value.trim()) body[k] = f[k].value.trim(); });
  try {
    await api('POST', '/api/endpoints', body);
    f.accessKeyId.value = ''; f.secretAccessKey.value = '';   // the page keeps no credential either
    toast('endpoint ' + body.name + ' added');
    loadEndpoints();
  } catch (e) { toast(e.message, true); }
});

// ---- wizard
let wizardMigration = null;   // {id, json} of the migration the current form values created
function wizardSpec() {
  const f = $('#wizard');
  const v = n => f.elements[n].value.trim();
  const lines = n => v(n).split(/[\n,]/).map(s => s.trim()).filter(Boolean);
  const opt = {};
  // every "options.*" field of the form, by its kind: the API names the same field in its errors
  Array.from(f.elements).filter(e => e.name && e.name.startsWith('options.')).forEach(e => {
    const k = e.name.slice('options.'.length);
    if (e.type === 'checkbox') opt[k] = e.checked;
    else if (e.tagName === 'TEXTAREA') opt[k] = lines(e.name);
    else if (e.type === 'number') { if (e.value.trim()) opt[k] = Math.round(Number(e.value) * Number(e.dataset.scale || 1) * 1e6) / 1e6; }
    else if (e.value.trim()) opt[k] = e.value.trim();
  });
  const side = s => ({endpoint: v(s + '.endpoint'), bucket: v(s + '.bucket'), prefix: v(s + '.prefix')});
  const spec = {source: side('source'), destination: side('destination'), options: opt};
  if (v('name')) spec.name = v('name');
  return spec;
}
async function wizardMigrationId() {
  const spec = wizardSpec();
  const json = JSON.stringify(spec);
  if (wizardMigration && wizardMigration.json === json) return wizardMigration.id;
  const m = await api('POST', '/api/migrations', spec);
  wizardMigration = {id: m.id, json};
  return m.id;
}
function wizardOut(text, isError) {
  const out = $('#wizard-result');
  out.classList.remove('hidden');
  out.classList.toggle('error', !!isError);
  out.textContent = text;
}
// A check (validate, estimate, trial) runs in the background on the server: start it, then poll it.
async function runCheck(id, kind, body, doing) {
  const c = await api('POST', '/api/migrations/' + id + '/' + kind, body);
  const started = Date.now();
  for (let check = c; ; ) {
    if (check.status === 'DONE') return check.result;
    if (check.status === 'FAILED') {
      const err = new Error((check.error.field ? check.error.field + ': ' : '') + check.error.message);
      err.field = check.error.field;
      throw err;
    }
    wizardOut(doing + '… ' + Math.round((Date.now() - started) / 1000) + ' s');
    await new Promise(r => setTimeout(r, 400));
    check = await api('GET', '/api/checks/' + encodeURIComponent(c.id));
  }
}
async function wizardAction(action) {
  $$('#wizard .actions button').forEach(b => b.disabled = true);
  $$('#wizard .invalid').forEach(e => e.classList.remove('invalid'));
  try {
    const id = await wizardMigrationId();
    if (action === 'validate') {
      const r = await runCheck(id, 'validate', {}, 'validating');
      wizardOut((r.passed ? 'PASSED' : 'FAILED') + '\n' + r.checks.map(c => c.status.padEnd(8) + c.name + '  ' + c.detail + (c.hint ? '\n        hint: ' + c.hint : '')).join('\n'), !r.passed);
    } else if (action === 'trial') {
      const r = await runCheck(id, 'trial', {n: 10}, 'copying 10 objects under the trial prefix, verifying, deleting');
      wizardOut((r.passed ? 'PASSED' : 'FAILED') + ': ' + r.copied + '/' + r.objects + ' copied, ' + r.verified +
        ' verified under ' + r.prefix + ', ' + r.objectsPerSecond.toFixed(1) + ' objects/s, ' +
        (r.bytesPerSecond / 1e6).toFixed(2) + ' MB/s' + (r.leftBehind ? ', ' + r.leftBehind + ' LEFT BEHIND' : '') +
        (r.failures.length ? '\n' + r.failures.join('\n') : ''), !r.passed);
    } else if (action === 'estimate') {
      const r = await runCheck(id, 'estimate', {}, 'estimating');
      wizardOut(r.describe);
    } else {
      await api('POST', '/api/migrations/' + id + '/' + action, {});
      toast((action === 'plan' ? 'dry run' : 'migration') + ' started');
      show('progress');
    }
  } catch (e) {
    wizardOut(e.message, true);
    const bad = e.field && $('#wizard').elements[e.field];
    if (bad) {
      bad.classList.add('invalid');
      const d = bad.closest('details');
      if (d) d.open = true;   // an engine option at fault: show it
    }
  } finally {
    $$('#wizard .actions button').forEach(b => b.disabled = false);
  }
}
$('#wizard-validate').addEventListener('click', () => wizardAction('validate'));
$('#wizard-estimate').addEventListener('click', () => wizardAction('estimate'));
$('#wizard-plan').addEventListener('click', () => wizardAction('plan'));
$('#wizard-trial').addEventListener('click', () => wizardAction('trial'));
$('#wizard-start').addEventListener('click', () => wizardAction('start'));

// ---- progress
let migrationsTimer = null;
function scheduleMigrations() {
  if (migrationsTimer) return;
  migrationsTimer = setTimeout(() => { migrationsTimer = null; if (currentTab === 'progress') loadMigrations(); }, 300);
}
async function loadMigrations() {
  try {
    const list = await api('GET', '/api/migrations');
    $('#no-migrations').classList.toggle('hidden', list.length > 0);
    $('#migrations').innerHTML = list.slice().reverse().map(migrationCard).join('');
    // widths through the CSSOM: the page's Content-Security-Policy allows no inline style attribute
    $$('#migrations .bar > div').forEach(d => { d.style.width = d.dataset.width + '%'; });
    $$('#migrations button[data-act]').forEach(b => b.addEventListener('click', async () => {
      try {
        await api('POST', '/api/migrations/' + b.dataset.id + '/' + b.dataset.act, {});
        toast(b.dataset.act + ' requested');
        loadMigrations();
      } catch (e) { toast(e.message, true); }
    }));
    $$('#migrations button[data-run]').forEach(b => b.addEventListener('click', () => openRun(b.dataset.run)));
  } catch (e) { toast(e.message, true); }
}
function migrationCard(m) {
  const s = m.spec;
  const running = m.status === 'RUNNING';
  const phases = m.phases.map(p => {
    const f = p.fractionDone == null || p.fractionDone < 0 ? (p.status === 'DONE' ? 1 : 0) : p.fractionDone;
    const detail = p.status === 'DONE'
      ? 'done: ' + num(p.objects) + ' objects, ' + bytes(p.bytes) + ' in ' + duration(p.durationMillis)
      : p.objectsDone == null ? 'starting…'
      : num(p.objectsDone) + (p.objectsTotal >= 0 ? ' / ' + num(p.objectsTotal) : '') + ' objects, ' + bytes(p.bytesDone) +
        (p.bytesTotal >= 0 ? ' / ' + bytes(p.bytesTotal) : '') + ', ' + bytes(p.bytesPerSecond) + '/s' +
        (p.etaMillis != null ? ', ETA ' + duration(p.etaMillis) : '');
    return '<div class="phase ' + esc(p.status) + '" data-phase="' + esc(p.phase) + '"><b>' + esc(p.phase) +
      '</b><div class="bar"><div data-width="' + (f * 100).toFixed(1) + '"></div></div><span>' + esc(detail) + '</span></div>';
  }).join('');
  const plan = m.plan ? '<div class="where">dry run: ' + num(m.plan.copies) + ' to copy, ' + num(m.plan.recopies) + ' to re-copy, ' +
    num(m.plan.deletes) + ' to delete, ' + bytes(m.plan.bytesToCopy) + '</div>' : '';
  return '<div class="panel migration" data-id="' + esc(m.id) + '" data-status="' + esc(m.status) + '" data-state="' + esc(m.state) + '">' +
    '<div class="head"><h2>' + esc(s.name) + '</h2>' + stateChip(running ? m.state + ' …' : m.state) +
    '<span class="where">' + esc(m.action || '') + '</span></div>' +
    '<div class="where">' + esc(s.source.endpoint + ':' + s.source.bucket + '/' + s.source.prefix) + ' → ' +
    esc(s.destination.endpoint + ':' + s.destination.bucket + '/' + s.destination.prefix) + ' · ' + esc(m.id) + '</div>' +
    plan + phases + (m.error ? '<p class="error-text">' + esc(m.error) + '</p>' : '') +
    '<div class="actions">' +
    (running ? '<button class="danger" data-act="cancel" data-id="' + esc(m.id) + '">Cancel</button>'
      : '<button data-act="resume" data-id="' + esc(m.id) + '">' + (m.state === 'CANCELLED' || m.state === 'FAILED' ? 'Resume' : 'Run again') + '</button>' +
        '<button data-act="plan" data-id="' + esc(m.id) + '">Dry run</button>') +
    '<button data-open-latest="' + esc(m.id) + '">Runs</button></div></div>';
}
document.addEventListener('click', ev => {
  const b = ev.target.closest('button[data-open-latest]');
  if (!b) return;
  const f = $('#history-filter');
  f.q.value = b.dataset.openLatest;
  historyOffset = 0;
  show('history');
});

// ---- history
let historyOffset = 0, historyTotal = 0;
async function loadHistory() {
  const f = $('#history-filter');
  const q = new URLSearchParams();
  ['q', 'state', 'kind', 'sort', 'order', 'limit'].forEach(k => { if (f[k].value) q.set(k, f[k].value); });
  q.set('offset', historyOffset);
  try {
    const page = await api('GET', '/api/runs?' + q);
    $('#history-table tbody').innerHTML = page.items.map(r => '<tr class="link" data-run="' + esc(r.runId) + '"><td>' + esc(time(r.startedAt)) +
      '</td><td><code>' + esc(r.runId) + '</code></td><td>' + esc(r.kind) + '</td><td>' + stateChip(r.state) + '</td><td>' +
      esc(r.source + ' → ' + r.destination) + '</td><td>' + esc(duration(r.durationMillis)) + '</td><td>' + esc(bytes(r.bytesCopied)) +
      '</td><td>' + esc(r.differences < 0 ? '–' : num(r.differences)) + '</td></tr>').join('');
    $$('#history-table tr[data-run]').forEach(tr => tr.addEventListener('click', () => openRun(tr.dataset.run)));
    const to = Math.min(page.offset + page.limit, page.total);
    $('#history-page').textContent = page.total === 0 ? 'no runs' : num(page.offset + 1) + '–' + num(to) + ' of ' + num(page.total);
    $('#history-prev').disabled = $('#history-first').disabled = page.offset === 0;
    $('#history-next').disabled = $('#history-last').disabled = to >= page.total;
    historyTotal = page.total;
  } catch (e) { toast(e.message, true); }
}
$('#history-filter').addEventListener('submit', ev => { ev.preventDefault(); historyOffset = 0; loadHistory(); });
$('#history-prev').addEventListener('click', () => { historyOffset = Math.max(0, historyOffset - Number($('#history-filter').limit.value)); loadHistory(); });
$('#history-next').addEventListener('click', () => { historyOffset += Number($('#history-filter').limit.value); loadHistory(); });
$('#history-first').addEventListener('click', () => { historyOffset = 0; loadHistory(); });
$('#history-last').addEventListener('click', () => {
  const limit = Number($('#history-filter').limit.value);
  historyOffset = Math.max(0, Math.floor((historyTotal - 1) / limit) * limit);
  loadHistory();
});

// ---- run detail
let runId = null, diffType = '', diffOffset = 0;
const DIFF_PAGE = 50;
async function openRun(id) {
  runId = id; diffType = ''; diffOffset = 0;
  show('run');
  $('#run-empty').classList.add('hidden');
  $('#run-detail').classList.remove('hidden');
  try {
    const r = await api('GET', '/api/runs/' + encodeURIComponent(id));
    $('#run-id').textContent = r.runId;
    $('#run-state').className = 'state ' + r.state;
    $('#run-state').textContent = r.state;
    const t = r.summary && r.summary.transfer;
    const facts = [['Kind', r.kind], ['Started', time(r.startedAt)], ['Duration', duration(r.durationMillis)], ['Attempts', r.attempts],
      ['Source', r.source], ['Destination', r.destination], ['Copied', t ? num(t.objectsCopied) + ' objects, ' + bytes(t.bytesCopied) : '–'],
      ['Deleted / failed', t ? num(t.objectsDeleted) + ' / ' + num(t.objectsFailed) : '–'],
      ['Verification', r.summary?.verification ? r.summary.verification.mode + ', ' + num(r.summary.verification.verified) + ' verified' : '–'],
      ['Error', r.error || '–']];
    $('#run-facts').innerHTML = facts.map(([k, v]) => '<div><span>' + esc(k) + '</span>' + esc(v) + '</div>').join('');
    $('#run-fix-sh').href = withToken('/api/runs/' + encodeURIComponent(id) + '/fixplan.sh');
    $('#run-fix-jsonl').href = withToken('/api/runs/' + encodeURIComponent(id) + '/fixplan.jsonl');
    const c = (r.summary && r.summary.counts) || {};
    const types = [['', 'all', null], ['MISSING_IN_DESTINATION', 'missing', c.missingInDestination], ['EXTRA_IN_DESTINATION', 'extra', c.extraInDestination],
      ['SIZE_MISMATCH', 'size', c.sizeMismatch], ['CONTENT_MISMATCH', 'content', c.contentMismatch], ['STALE', 'stale', c.stale], ['UNVERIFIED', 'unverified', c.unverified]];
    $('#diff-types').innerHTML = types.map(([k, label, n]) => '<span class="chip' + (k === diffType ? ' active' : '') + '" data-type="' + k + '">' +
      esc(label) + (n == null ? '' : ' ' + num(n)) + '</span>').join('') + (c.matched != null ? '<span class="where">matched ' + num(c.matched) + '</span>' : '');
    $$('#diff-types .chip').forEach(ch => ch.addEventListener('click', () => {
      diffType = ch.dataset.type; diffOffset = 0;
      $$('#diff-types .chip').forEach(x => x.classList.toggle('active', x === ch));
      loadDifferences();
    }));
    loadDifferences();
    loadLog();
  } catch (e) { toast(e.message, true); }
}
async function loadDifferences() {
  const q = new URLSearchParams({offset: diffOffset, limit: DIFF_PAGE});
  if (diffType) q.set('type', diffType);
  if ($('#diff-q').value.trim()) q.set('q', $('#diff-q').value.trim());
  try {
    const page = await api('GET', '/api/runs/' + encodeURIComponent(runId) + '/differences?' + q);
    const side = (s, f) => s ? (f === 'size' ? num(s.size) : esc(s.eTag)) : '–';
    $('#diff-table tbody').innerHTML = page.items.map(d => '<tr><td>' + esc(d.type) + '</td><td class="key">' + esc(d.key) + '</td><td>' +
      side(d.source, 'size') + '</td><td>' + side(d.destination, 'size') + '</td><td><code>' + side(d.source, 'etag') + '</code></td><td><code>' +
      side(d.destination, 'etag') + '</code></td></tr>').join('') || '<tr><td colspan="6" class="hint">no differences</td></tr>';
    $('#diff-page').textContent = page.items.length ? num(page.offset + 1) + '–' + num(page.offset + page.items.length) + (page.more ? ' …' : '') : '';
    $('#diff-prev').disabled = page.offset === 0;
    $('#diff-next').disabled = !page.more;
  } catch (e) { toast(e.message, true); }
}
$('#diff-prev').addEventListener('click', () => { diffOffset = Math.max(0, diffOffset - DIFF_PAGE); loadDifferences(); });
$('#diff-next').addEventListener('click', () => { diffOffset += DIFF_PAGE; loadDifferences(); });
$('#diff-search').addEventListener('click', () => { diffOffset = 0; loadDifferences(); });
// any row of a million: the server seeks to it in differences.jsonl; the page holds one page of rows
$('#diff-go').addEventListener('click', () => { diffOffset = Math.max(0, (Number($('#diff-at').value) || 1) - 1); loadDifferences(); });
async function loadLog() {
  const q = new URLSearchParams();
  if ($('#log-level').value) q.set('level', $('#log-level').value);
  if ($('#log-q').value.trim()) q.set('q', $('#log-q').value.trim());
  $('#log-export').href = withToken('/api/runs/' + encodeURIComponent(runId) + '/log.txt?' + q);
  try {
    const page = await api('GET', '/api/runs/' + encodeURIComponent(runId) + '/log?' + q);
    $('#log-lines').textContent = page.items.map(l => l.at + ' ' + l.level.padEnd(5) + ' ' + l.message).join('\n') || '(no lines)';
  } catch (e) { toast(e.message, true); }
}
$('#log-search').addEventListener('click', loadLog);
$('#log-level').addEventListener('change', loadLog);

// ---- live events: one stream; the browser resumes it with Last-Event-ID after a drop
function connect() {
  const es = new EventSource(withToken('/api/events?skip=difference,objectCopied,objectDeleted,retry'));
  es.onopen = () => { $('#live').className = 'live on'; $('#live').textContent = 'live'; };
  es.onerror = () => { $('#live').className = 'live off'; $('#live').textContent = 'reconnecting'; };
  const onEvent = ev => {
    const e = JSON.parse(ev.data);
    if (e.type === 'progress' && e.phase === 'TRANSFERRING') {
      live.push({t: Date.parse(e.at), bps: e.bytesPerSecond});
      if (live.length > 600) live.shift();
      if (currentTab === 'overview') drawChart();
    }
    if (e.type === 'finished' && currentTab === 'overview') loadStats();
    scheduleMigrations();
  };
  ['progress', 'phaseStarted', 'phaseFinished', 'stateChanged', 'finished', 'resumed', 'objectFailed', 'gap'].forEach(t => es.addEventListener(t, onEvent));
}
connect();
setInterval(() => { if (currentTab === 'progress') loadMigrations(); }, 3000);
window.addEventListener('resize', () => { if (currentTab === 'overview') drawChart(); });
show('overview');
loadEndpoints();
