// A firm's dispatch board (数字指控调度中心): one page at /board/{enterprise}, drawn from
// GET api/enterprises/{e}/board and kept live from the Server-Sent Events of .../board/stream. Opened with the
// firm's own key, or an official's or administrator's; no reload, and it reconnects by itself.
import * as echarts from './lib/echarts.esm.min.js';

const FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';
const SHOWN = 12;

const TEXT = {
  zh: {
    title: '数字指控调度中心', connecting: '连接中', live: '实时', reconnecting: '重连中', offline: '离线', asOf: '数据时间',
    valueToday: '今日产值', outputToday: '今日完工', activeOrders: '在制订单', stepsDone: '工序完成率', stepsDoneNote: '全部在制订单的工序',
    doneThisWeek: '本周完成订单', oee: '今日OEE', salesOrdered: '销售订单额', pieces: '件', orders: '单',
    orders2: '订单进度', terminals: '机台状态', sales: '销售与财务', oeeTitle: '设备综合效率（OEE）',
    vsYesterday: '较昨日', yesterdayNone: '昨日无产出', due: '交期', eta: '预计完工', noEta: '暂无预计',
    planned: (q) => `计划 ${fmtInt(q)} 件`, completed: (c) => `完工 ${fmtInt(c)}`, ofAll: (p) => `工序完成 ${pct(p)}`,
    status: { unplanned: '未排产', 'on-track': '正常', 'at-risk': '有风险', late: '已延期', done: '已完成' },
    state: { running: '运行', idle: '待机', fault: '故障', offline: '离线', unknown: '未报状态' },
    bottleneck: (b) => `瓶颈工序 <b>${esc(b.name || b.step)}</b>：${b.ratePerHour != null ? `当前 ${fmtInt(b.ratePerHour)} 件/时` : '尚无产出'}` +
      (b.neededRatePerHour != null ? `，按期需 ${fmtInt(b.neededRatePerHour)} 件/时` : '，已过交期') + `，尚余 ${fmtInt(b.remaining)} 件`,
    more: (n) => `另有 ${fmtInt(n)} 单`, total: (n) => `共 ${fmtInt(n)} 单`, terminalsTotal: (n, run) => `${fmtInt(n)} 台 · 运行 ${fmtInt(run)}`,
    noOrders: '暂无在制订单', noTerminals: '暂无机台上报', perHour: '件/时', since: '自', customers: '客户',
    salesBars: ['订单额', '已发货', '已开票', '已回款'], salesCount: (n) => `销售订单 ${fmtInt(n)} 张`, salesToday: (v) => `今日接单 ${money(v)}`,
    oeeParts: ['可用率', '性能率', '合格率', 'OEE'], shifts: (s) => `班次 ${s}`, noTerminal: '未分工序',
    keyPrompt: '请输入本企业、官员或管理员的访问密钥', keyPlaceholder: '本企业、官员或管理员的访问密钥', useKey: '进入',
    keyWhere: '企业密钥由管理员用 brain key create --role enterprise --enterprise 企业编号 创建',
    needKey: '需要访问密钥', wrongKey: '密钥无效，或无权查看本企业', unknownFirm: '未登记的企业',
  },
  en: {
    title: 'Dispatch Board', connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', offline: 'Offline', asOf: 'As of',
    valueToday: 'Output value today', outputToday: 'Finished today', activeOrders: 'Active orders', stepsDone: 'Steps done', stepsDoneNote: 'of all active orders',
    doneThisWeek: 'Orders done this week', oee: 'OEE today', salesOrdered: 'Sales orders', pieces: 'pcs', orders: '',
    orders2: 'Orders', terminals: 'Terminals', sales: 'Sales and finance', oeeTitle: 'Overall equipment effectiveness',
    vsYesterday: 'vs yesterday', yesterdayNone: 'none yesterday', due: 'due', eta: 'ETA', noEta: 'no ETA yet',
    planned: (q) => `${fmtInt(q)} planned`, completed: (c) => `${fmtInt(c)} done`, ofAll: (p) => `${pct(p)} of steps`,
    status: { unplanned: 'Unplanned', 'on-track': 'On track', 'at-risk': 'At risk', late: 'Late', done: 'Done' },
    state: { running: 'running', idle: 'idle', fault: 'fault', offline: 'offline', unknown: 'no status' },
    bottleneck: (b) => `Bottleneck <b>${esc(b.name || b.step)}</b>: ${b.ratePerHour != null ? `${fmtInt(b.ratePerHour)} pcs/h now` : 'no output yet'}` +
      (b.neededRatePerHour != null ? `, ${fmtInt(b.neededRatePerHour)} pcs/h needed by due` : ', past due') + `, ${fmtInt(b.remaining)} pcs left`,
    more: (n) => `${fmtInt(n)} more`, total: (n) => `${fmtInt(n)} in all`, terminalsTotal: (n, run) => `${fmtInt(n)} · ${fmtInt(run)} running`,
    noOrders: 'No active orders', noTerminals: 'No terminal has reported', perHour: 'pcs/h', since: 'since', customers: 'customers',
    salesBars: ['Ordered', 'Shipped', 'Invoiced', 'Received'], salesCount: (n) => `${fmtInt(n)} sales orders`, salesToday: (v) => `${money(v)} ordered today`,
    oeeParts: ['Availability', 'Performance', 'Quality', 'OEE'], shifts: (s) => `shifts ${s}`, noTerminal: 'no step yet',
    keyPrompt: "Enter the firm's key, or an official's or administrator's", keyPlaceholder: "The firm's, an official's or an administrator's key", useKey: 'Enter',
    keyWhere: 'An administrator makes a firm key with brain key create --role enterprise --enterprise ID',
    needKey: 'An access key is needed', wrongKey: 'The key is not valid for this board', unknownFirm: 'No such enterprise',
  },
};

function fmtInt(n) { return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Math.round(n)); }
function pct(p) { return `${(Math.round(p * 1000) / 10).toFixed(1)}%`; }
function money(v) { return lang === 'en' ? `¥${new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 }).format(v)}` : (Math.abs(v) >= 1e4 ? `¥${(v / 1e4).toFixed(2)}万` : `¥${Math.round(v)}`); }
function esc(s) { return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]); }

let lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem('ib-lang') || 'zh';
if (!TEXT[lang]) lang = 'zh';
const t = () => TEXT[lang];
const enterprise = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() || '');
const api = `api/enterprises/${encodeURIComponent(enterprise)}/board`;

// A key in the address's fragment (/board/qiaofeng#key=..., for a kiosk screen; a fragment never reaches the
// server) is taken into the session and removed from the address at once.
const fragmentKey = new URLSearchParams(location.hash.slice(1)).get('key');
if (fragmentKey) {
  sessionStorage.setItem('ib-key', fragmentKey);
  history.replaceState(null, '', location.pathname + location.search);
}

// The key kept in sessionStorage 'ib-key' (for the browser session only); EventSource carries it as ?access_token=.
function accessKey() { return sessionStorage.getItem('ib-key') || ''; }
function authHeaders() { const key = accessKey(); return key ? { Authorization: `Bearer ${key}` } : {}; }
function streamUrl() { const key = accessKey(); return key ? `${api}/stream?access_token=${encodeURIComponent(key)}` : `${api}/stream`; }

const charts = {};
let view = null;
function chart(id) { return (charts[id] ??= echarts.init(document.getElementById(id), null, { renderer: 'svg' })); }

function setFigure(id, value, text) {
  const el = document.querySelector(`#${id} .value`);
  el.dataset.value = String(value);
  el.textContent = text;
}

function delta(id, today, yesterday) {
  const el = document.querySelector(`#${id} .delta`);
  el.classList.remove('up', 'down');
  if (!yesterday) { el.textContent = today ? t().yesterdayNone : ''; return; }
  const change = (today - yesterday) / yesterday;
  el.classList.add(change >= 0 ? 'up' : 'down');
  el.textContent = `${t().vsYesterday} ${change >= 0 ? '▲' : '▼'} ${(Math.abs(change) * 100).toFixed(1)}%`;
}

// An instant as the district's clock shows it: the offset of the view's asOf (e.g. +08:00), not the browser's.
function districtTime(iso, asOf) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(asOf);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(Date.parse(iso) + offset * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

function drawCounters(v) {
  document.getElementById('firm').textContent = v.name || v.enterprise;
  setFigure('kpi-value', v.outputToday.value, money(v.outputToday.value));
  delta('kpi-value', v.outputToday.value, v.outputYesterday.value);
  setFigure('kpi-units', v.outputToday.units, fmtInt(v.outputToday.units));
  delta('kpi-units', v.outputToday.units, v.outputYesterday.units);
  setFigure('kpi-orders', v.activeOrders, fmtInt(v.activeOrders));
  setFigure('kpi-steps', v.stepsDone, pct(v.stepsDone));
  setFigure('kpi-week', v.doneThisWeek, fmtInt(v.doneThisWeek));
  const oee = v.oee.oee;
  setFigure('kpi-oee', oee ?? '', oee == null ? '--' : pct(oee));
  document.getElementById('oee-parts').textContent = ['availability', 'performance', 'quality']
    .map((k, i) => `${t().oeeParts[i]} ${v.oee[k] == null ? '--' : pct(v.oee[k])}`).join(' · ');
  setFigure('kpi-sales', v.sales.orderedValue, money(v.sales.orderedValue));
  document.getElementById('sales-today').textContent = v.sales.orderedToday ? t().salesToday(v.sales.orderedToday) : '';
  document.getElementById('as-of').textContent = v.asOf.slice(0, 19).replace('T', ' ');
  document.body.dataset.version = String(v.version);
}

function drawOrders(v) {
  const list = document.getElementById('orders');
  document.getElementById('orders-total').textContent = t().total(v.activeOrders);
  list.replaceChildren();
  if (!v.orders.length) {
    list.insertAdjacentHTML('beforeend', `<li class="empty">${esc(t().noOrders)}</li>`);
    return;
  }
  for (const o of v.orders.slice(0, SHOWN)) {
    const li = document.createElement('li');
    li.className = 'order';
    li.dataset.order = o.order;
    li.dataset.status = o.status;
    const who = o.customers?.length ? `<em>${esc(t().customers)}: ${esc(o.customers.join('、'))}</em>` : '';
    const when = `${t().due} ${o.due ? districtTime(o.due, v.asOf) : '--'} · ${o.eta ? `${t().eta} ${districtTime(o.eta, v.asOf)}` : t().noEta}`;
    const bars = o.steps.map((s) => {
      const hot = o.bottleneck && o.bottleneck.step === s.step ? ' bottleneck' : '';
      return `<div class="step${hot}" data-step="${esc(s.step)}" data-good="${s.good}" data-scrap="${s.scrap}">` +
        `<div class="label"><span>${esc(s.name || s.step)}</span><span>${fmtInt(s.good)}${s.scrap ? ` <span class="scrap">-${fmtInt(s.scrap)}</span>` : ''}</span></div>` +
        `<div class="bar"><i style="width:${(Math.min(1, s.progress) * 100).toFixed(1)}%"></i></div></div>`;
    }).join('');
    li.innerHTML =
      `<div class="head"><span class="tag">${esc(t().status[o.status] ?? o.status)}</span>` +
      `<span class="what"><b>${esc(o.order)}</b>${esc(o.product ?? '')} · ${o.quantity != null ? t().planned(o.quantity) : ''} · <span class="done">${t().completed(o.completed)}</span> · <span class="share">${t().ofAll(o.progress)}</span>${who}</span>` +
      `<span class="when">${esc(when)}</span></div>` +
      (o.bottleneck ? `<div class="why">${t().bottleneck(o.bottleneck)}</div>` : '') +
      `<div class="bars">${bars}</div>`;
    list.append(li);
  }
  if (v.activeOrders > SHOWN) list.insertAdjacentHTML('beforeend', `<li class="more">${esc(t().more(v.activeOrders - SHOWN))}</li>`);
}

function drawTerminals(v) {
  const box = document.getElementById('steps');
  const all = v.steps.flatMap((g) => g.terminals);
  document.getElementById('terminals-total').textContent = t().terminalsTotal(all.length, all.filter((x) => x.state === 'running').length);
  box.replaceChildren();
  if (!all.length) {
    box.insertAdjacentHTML('beforeend', `<div class="empty">${esc(t().noTerminals)}</div>`);
    return;
  }
  for (const g of v.steps) {
    const group = document.createElement('div');
    group.className = 'group';
    group.dataset.step = g.step;
    const tiles = g.terminals.map((x) => {
      const state = x.state ?? 'unknown';
      const since = x.since ? ` ${t().since} ${districtTime(x.since, v.asOf).slice(6)}` : '';
      return `<div class="tile" data-terminal="${esc(x.terminal)}" data-state="${esc(state)}" data-rate="${x.ratePerHour}">` +
        `<div class="id"><span>${esc(x.terminal)}</span><span class="rate">${fmtInt(x.ratePerHour)}</span></div>` +
        `<div class="state">${esc(t().state[state] ?? state)}${x.fault ? ` ${esc(x.fault)}` : ''}${esc(since)}</div></div>`;
    }).join('');
    const oee = g.oee.oee == null ? '' : `OEE ${pct(g.oee.oee)}`;
    group.innerHTML = `<h3><span>${esc(g.name || g.step || t().noTerminal)}</span><small>${oee} · ${t().perHour}</small></h3><div class="tiles">${tiles}</div>`;
    box.append(group);
  }
}

function drawSales(v) {
  const s = v.sales;
  document.getElementById('sales-count').textContent = t().salesCount(s.salesOrders);
  chart('chart-sales').setOption({
    textStyle: { fontFamily: FONT },
    grid: { left: 90, right: 90, top: 10, bottom: 10 },
    xAxis: { type: 'value', show: false },
    yAxis: { type: 'category', inverse: true, data: t().salesBars, axisLabel: { color: '#d6ecff', fontSize: 15 }, axisLine: { show: false }, axisTick: { show: false } },
    series: [{
      type: 'bar', barWidth: 18,
      data: [s.orderedValue, s.shippedValue, s.invoicedValue, s.receivedValue],
      itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: '#13c2c2' }, { offset: 1, color: '#ffc53d' }]), borderRadius: 3 },
      label: { show: true, position: 'right', color: '#ffc53d', fontSize: 14, formatter: (p) => money(p.value) },
    }],
  });
}

function drawOee(v) {
  document.getElementById('shifts').textContent = t().shifts(v.shifts.shifts.map((s) => `${s.start}-${s.end}`).join(', '));
  const parts = [v.oee.availability, v.oee.performance, v.oee.quality, v.oee.oee];
  chart('chart-oee').setOption({
    textStyle: { fontFamily: FONT },
    series: parts.map((p, i) => ({
      type: 'gauge', center: [`${12.5 + i * 25}%`, '58%'], radius: '70%', min: 0, max: 100, startAngle: 210, endAngle: -30,
      progress: { show: true, width: 8, itemStyle: { color: i === 3 ? '#ffc53d' : '#36cfc9' } },
      axisLine: { lineStyle: { width: 8, color: [[1, 'rgba(24,144,255,0.2)']] } },
      axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
      title: { offsetCenter: [0, '70%'], color: '#7f9cc0', fontSize: 13 },
      detail: { offsetCenter: [0, 0], color: i === 3 ? '#ffc53d' : '#d6ecff', fontSize: 18, formatter: () => (p == null ? '--' : pct(p)) },
      data: [{ value: p == null ? 0 : Math.min(100, p * 100), name: t().oeeParts[i] }],
    })),
  });
}

function render(v) {
  view = v;
  drawCounters(v);
  drawOrders(v);
  drawTerminals(v);
  drawSales(v);
  drawOee(v);
}

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = t()[el.dataset.i18n];
    if (typeof text === 'string') el.textContent = text;
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t()[el.dataset.i18nPlaceholder];
  document.title = `${view?.name ? `${view.name} · ` : ''}${t().title}`;
  document.getElementById('lang').textContent = lang === 'zh' ? 'EN' : '中文';
  setLink(linkState);
  if (keyRefused) document.getElementById('link-text').textContent = accessKey() ? t().wrongKey : t().needKey;
  if (view) render(view);
}

document.getElementById('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('ib-lang', lang);
  applyLanguage();
});

let linkState = 'connecting';
function setLink(state) {
  linkState = state;
  document.getElementById('link').dataset.state = state;
  document.getElementById('link-text').textContent = t()[state] ?? state;
}

async function load() {
  try {
    const response = await fetch(api, { headers: authHeaders(), cache: 'no-store' });
    if (response.status === 401 || response.status === 403) { askForKey(); return false; }
    if (response.status === 404) { setLink('offline'); document.getElementById('link-text').textContent = t().unknownFirm; return false; }
    if (response.ok) { render(await response.json()); applyLanguage(); }
  } catch {
    // The stream below keeps trying.
  }
  return true;
}

let keyRefused = false;
function askForKey() {
  keyRefused = true;
  if (source) source.close();
  setLink('offline');
  document.getElementById('link-text').textContent = accessKey() ? t().wrongKey : t().needKey;
  document.getElementById('key-prompt').hidden = false;
  document.getElementById('key-form').hidden = false;
  document.getElementById('key-input').focus();
}

document.getElementById('key-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const input = document.getElementById('key-input');
  sessionStorage.setItem('ib-key', input.value.trim());
  input.value = '';
  document.getElementById('key-form').hidden = true;
  document.getElementById('key-prompt').hidden = true;
  keyRefused = false;
  setLink('connecting');
  if (await load()) connect();
});

let source = null;
let lastHeard = Date.now();
let retry = null;

function connect() {
  clearTimeout(retry);
  if (source) source.close();
  source = new EventSource(streamUrl());
  source.onopen = () => { lastHeard = Date.now(); setLink('live'); };
  source.onmessage = (e) => { lastHeard = Date.now(); setLink('live'); render(JSON.parse(e.data)); };
  source.addEventListener('heartbeat', () => { lastHeard = Date.now(); setLink('live'); });
  source.onerror = () => {
    setLink(source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
    if (source.readyState === EventSource.CLOSED) retry = setTimeout(() => load().then((ok) => { if (ok) connect(); }), 3000);
  };
}

setInterval(() => { if (!keyRefused && Date.now() - lastHeard > 40000) { lastHeard = Date.now(); connect(); } }, 5000);
window.addEventListener('resize', () => { for (const c of Object.values(charts)) c.resize(); });

// For tests and the curious: the latest view.
window.board = { get view() { return view; }, get lang() { return lang; }, enterprise };

applyLanguage();
load().then((ok) => { if (ok) connect(); });
