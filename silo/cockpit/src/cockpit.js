// The district cockpit (驾驶舱): one page, drawn with Apache ECharts from GET api/cockpit, then kept
// live from the Server-Sent Events of api/cockpit/stream. No reload, and it reconnects by itself
// after the silo restarts.
import * as echarts from './lib/echarts.esm.min.js';

const FONT = '"WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif';

const pct = (v) => (v === null || v === undefined ? '--' : `${(v * 100).toFixed(1)}%`);

const TEXT = {
  zh: {
    title: '五金产业大脑 · 驾驶舱', connecting: '连接中', live: '实时', reconnecting: '重连中', offline: '离线',
    asOf: '数据时间', outputToday: '今日完工（末道工序）', valueToday: '今日产值',
    outputTodayHint: '末道工序的合格件数：今日完工的件数。在制品见右侧', inProcess: '在制品', inProcessNote: '已开工、未完工',
    inProcessHint: '未完成订单中，任一工序已计数、末道工序尚未完工的件数', ordersTotal: '订单',
    closes: '截止', tierOf: (n, of) => `第${n}档/共${of}档`, belowTiers: '未达首档', noOpenBundles: '暂无进行中拼单',
    keyPrompt: '请输入官员或管理员的访问密钥，查看全区数据', keyWhere: '密钥见大脑首次启动时的输出（export IB_KEY=…），或由管理员用 brain key create --role official 创建', enterprises: '入库企业', activeOrders: '在制订单',
    terminalsOnline: '终端在线', terminalsInFault: '终端故障', pieces: '件', firms: '家', orders: '单', sets: '台',
    ordersByStatus: '订单状态', procurement: '拼单集采', openBundles: '进行中拼单', pooledValue: '集采金额', savings: '节约采购成本',
    procurementNote: '含已成团拼单，及进行中拼单按当前阶梯价计', savingsRate: '节约率', chain: '产业链图谱', chainHint: '节点大小 = 今日产量',
    trend: '近30日产量与产值', trendArchive: '往日来自历史库', trendGrains: '往日来自实时数据（历史库不可用）', alerts: '预警', alertsTotal: (n) => `共 ${fmtInt(n)} 条`, noAlerts: '暂无预警',
    vsYesterday: '较昨日', yesterdayNone: '昨日无产出', units: '产量(件)', value: '产值(万元)',
    late: '延期', atRisk: '风险', fault: '故障', due: '交期', since: '自', counterfeit: '疑假', suspectScans: (n, all) => `今日可疑扫码 ${n}/${all} 次`,
    status: { unplanned: '未排产', 'on-track': '正常', 'at-risk': '有风险', late: '已延期', done: '已完成' },
    stage: { upstream: '上游 · 原料与配套', midstream: '中游 · 制造', downstream: '下游 · 销售与物流', other: '其他' },
    nodeLine: (n, units) => `${fmtInt(n)}家 · ${fmtInt(units)}件`,
    nodeOee: (o) => `设备综合效率 OEE ${pct(o.oee)}（可用率 ${pct(o.availability)} · 性能 ${pct(o.performance)} · 质量 ${pct(o.quality)}）`,
    money: (v) => (Math.abs(v) >= 1e4 ? `¥${fmtFixed(v / 1e4, 2)}万` : `¥${fmtFixed(v, 0)}`),
    moneyUnit: '', bundles: '个', needKey: '需要访问密钥',
    keyPlaceholder: '官员或管理员的访问密钥', useKey: '进入', wrongKey: '密钥无效，或无权查看驾驶舱',
    salesValue: (v, today) => `销售订单额 ${TEXT.zh.money(v)}${today ? ` · 今日接单 ${TEXT.zh.money(today)}` : ''}`,
  },
  en: {
    title: 'Hardware Industry Brain · Cockpit', connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', offline: 'Offline',
    asOf: 'As of', outputToday: 'Finished today (last step)', valueToday: 'Output value today',
    outputTodayHint: 'Good pieces of the last routing step: pieces finished today. Work in progress is beside it', inProcess: 'Work in progress', inProcessNote: 'started, not finished',
    inProcessHint: 'Pieces of unfinished orders counted at some step and not yet finished', ordersTotal: 'Orders',
    closes: 'closes', tierOf: (n, of) => `tier ${n} of ${of}`, belowTiers: 'below the first tier', noOpenBundles: 'No open bundles',
    keyPrompt: "Enter an official's or administrator's key to see the district's figures", keyWhere: 'The key is in the brain\'s first start output (export IB_KEY=...), or an administrator makes one with brain key create --role official', enterprises: 'Enterprises', activeOrders: 'Active orders',
    terminalsOnline: 'Terminals online', terminalsInFault: 'Terminals in fault', pieces: 'pcs', firms: '', orders: '', sets: '',
    ordersByStatus: 'Orders by status', procurement: 'Pooled procurement', openBundles: 'Open bundles', pooledValue: 'Pooled value', savings: 'Savings',
    procurementNote: 'Closed bundles, plus open ones at the tier they would reach if closed now', savingsRate: 'Savings rate', chain: 'Industry chain', chainHint: 'node size = output today',
    trend: 'Output, last 30 days', trendArchive: 'past days from the archive', trendGrains: 'past days from live figures (archive unavailable)', alerts: 'Alerts', alertsTotal: (n) => `${fmtInt(n)} in all`, noAlerts: 'No alerts',
    vsYesterday: 'vs yesterday', yesterdayNone: 'none yesterday', units: 'Units', value: 'Value (¥10k)',
    late: 'Late', atRisk: 'Risk', fault: 'Fault', due: 'due', since: 'since', counterfeit: 'Fake?', suspectScans: (n, all) => `${n} of ${all} scans today suspect`,
    status: { unplanned: 'Unplanned', 'on-track': 'On track', 'at-risk': 'At risk', late: 'Late', done: 'Done' },
    stage: { upstream: 'Upstream · materials', midstream: 'Midstream · making', downstream: 'Downstream · sales', other: 'Other' },
    nodeLine: (n, units) => `${fmtInt(n)} firm${n === 1 ? '' : 's'} · ${fmtInt(units)} pcs`,
    nodeOee: (o) => `OEE ${pct(o.oee)} (availability ${pct(o.availability)} · performance ${pct(o.performance)} · quality ${pct(o.quality)})`,
    money: (v) => `¥${new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 2 }).format(v)}`,
    moneyUnit: '', bundles: '', needKey: 'An access key is needed',
    keyPlaceholder: "An official's or administrator's key", useKey: 'Enter', wrongKey: 'The key is not valid for the cockpit',
    salesValue: (v, today) => `Sales orders ${TEXT.en.money(v)}${today ? ` · ${TEXT.en.money(today)} today` : ''}`,
  },
};

const STATUS_COLORS = { unplanned: '#8c8c8c', 'on-track': '#36cfc9', 'at-risk': '#faad14', late: '#ff4d4f', done: '#40a9ff' };
const STAGE_COLORS = { upstream: '#13c2c2', midstream: '#ffc53d', downstream: '#b37feb', other: '#8c8c8c' };
const STAGE_X = { upstream: 0, midstream: 1, downstream: 2, other: 2 };

function fmtInt(n) { return new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(Math.round(n)); }
function fmtFixed(n, digits) { return new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(n); }

let lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem('ib-lang') || 'zh';
if (!TEXT[lang]) lang = 'zh';
const t = () => TEXT[lang];

// Auth: the page sends the key kept in sessionStorage 'ib-key', if any: an official's or an
// administrator's, asked for when the API refuses the page, and kept for the browser session only.
// EventSource cannot send headers, so the stream carries it as ?access_token=.
function accessKey() { return sessionStorage.getItem('ib-key') || ''; }
function authHeaders() { const key = accessKey(); return key ? { Authorization: `Bearer ${key}` } : {}; }
function streamUrl() { const key = accessKey(); return key ? `api/cockpit/stream?access_token=${encodeURIComponent(key)}` : 'api/cockpit/stream'; }

const charts = {};
let view = null;

function chart(id) {
  if (!charts[id]) charts[id] = echarts.init(document.getElementById(id), null, { renderer: 'svg' });
  return charts[id];
}

// ---- counters --------------------------------------------------------------------------------

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
  el.textContent = `${t().vsYesterday} ${change >= 0 ? '▲' : '▼'} ${fmtFixed(Math.abs(change) * 100, 1)}%`;
}

function drawCounters(v) {
  setFigure('kpi-units', v.outputToday.units, fmtInt(v.outputToday.units));
  setFigure('kpi-wip', v.inProcess ?? 0, fmtInt(v.inProcess ?? 0));
  delta('kpi-units', v.outputToday.units, v.outputYesterday.units);
  setFigure('kpi-value', v.outputToday.value, t().money(v.outputToday.value));
  delta('kpi-value', v.outputToday.value, v.outputYesterday.value);
  const sales = document.getElementById('sales-value');
  sales.dataset.value = String(v.sales?.value ?? 0);
  sales.textContent = v.sales?.value ? t().salesValue(v.sales.value, v.sales.today) : '';
  setFigure('kpi-enterprises', v.enterprises, fmtInt(v.enterprises));
  setFigure('kpi-orders', v.activeOrders, fmtInt(v.activeOrders));
  setFigure('kpi-online', v.terminalsOnline, fmtInt(v.terminalsOnline));
  setFigure('kpi-fault', v.terminalsInFault, fmtInt(v.terminalsInFault));
  setFigure('fig-open', v.procurement.openBundles, fmtInt(v.procurement.openBundles));
  setFigure('fig-pooled', v.procurement.pooledValue, t().money(v.procurement.pooledValue));
  setFigure('fig-savings', v.procurement.savings, t().money(v.procurement.savings));
  const listed = v.procurement.pooledValue + v.procurement.savings;
  const rate = listed > 0 ? v.procurement.savings / listed : 0;
  setFigure('fig-rate', rate, `${fmtFixed(rate * 100, 1)}%`);
  document.getElementById('as-of').textContent = v.asOf.slice(0, 19).replace('T', ' ');
  document.body.dataset.version = String(v.version);
}

// ---- chain map -------------------------------------------------------------------------------

function chainLayout(nodes) {
  const columns = {};
  for (const n of nodes) (columns[STAGE_X[n.stage] ?? 2] ??= []).push(n);
  const el = document.getElementById('chart-chain');
  const width = Math.max(el.clientWidth, 400);
  const height = Math.max(el.clientHeight, 300);
  const at = {};
  for (const [x, members] of Object.entries(columns)) {
    members.forEach((n, i) => {
      at[n.id] = { x: (Number(x) * width) / 2.6, y: ((i + 0.5) * height) / members.length + 40 };
    });
  }
  return { at, width, height };
}

function drawChain(v) {
  const nodes = v.chain.nodes;
  const max = Math.max(1, ...nodes.map((n) => n.outputToday));
  const { at, width } = chainLayout(nodes);
  const name = (n) => (lang === 'en' ? n.nameEn || n.name : n.name);
  const data = nodes.map((n) => ({
    id: n.id,
    name: name(n),
    value: n.outputToday,
    x: at[n.id].x,
    y: at[n.id].y,
    symbolSize: 22 + 48 * Math.sqrt(n.outputToday / max),
    itemStyle: {
      color: new echarts.graphic.RadialGradient(0.5, 0.5, 0.5, [
        { offset: 0, color: '#ffffff' }, { offset: 0.35, color: STAGE_COLORS[n.stage] }, { offset: 1, color: `${STAGE_COLORS[n.stage]}55` }]),
      shadowBlur: 18,
      shadowColor: STAGE_COLORS[n.stage],
    },
    label: {
      show: true,
      position: 'right',
      formatter: `{n|${name(n)}}\n{v|${t().nodeLine(n.enterprises, n.outputToday)}}`,
      rich: {
        n: { color: '#eaf6ff', fontSize: 16, fontWeight: 600, fontFamily: FONT, lineHeight: 22 },
        v: { color: STAGE_COLORS[n.stage], fontSize: 13, fontFamily: FONT, lineHeight: 18 },
      },
    },
    raw: n,
  }));
  const stages = [...new Set(nodes.map((n) => n.stage))].filter((s) => s !== 'other');
  for (const stage of stages) {
    data.push({
      id: `stage:${stage}`, name: t().stage[stage], x: (STAGE_X[stage] * width) / 2.6, y: 0, symbolSize: 1, value: null,
      itemStyle: { color: 'transparent' }, tooltip: { show: false }, silent: true,
      label: { show: true, position: 'right', formatter: t().stage[stage], color: '#7f9cc0', fontSize: 15, fontFamily: FONT,
        backgroundColor: 'rgba(24,144,255,0.12)', borderColor: 'rgba(64,169,255,0.35)', borderWidth: 1, padding: [4, 10], borderRadius: 3 },
    });
  }
  chart('chart-chain').setOption({
    textStyle: { fontFamily: FONT },
    tooltip: {
      backgroundColor: 'rgba(5,20,45,0.9)', borderColor: '#3fd3ff', textStyle: { color: '#d6ecff', fontFamily: FONT },
      formatter: (p) => (p.dataType === 'node' && p.data.raw
        ? `${p.name}<br/>${t().nodeLine(p.data.raw.enterprises, p.data.raw.outputToday)}<br/>${t().money(p.data.raw.valueToday)}`
          + (p.data.raw.oee ? `<br/>${t().nodeOee(p.data.raw.oee)}` : '')
        : ''),
    },
    series: [{
      id: 'chain',
      type: 'graph',
      layout: 'none',
      roam: false,
      left: 50, right: 185, top: 24, bottom: 24,
      edgeSymbol: ['none', 'arrow'],
      edgeSymbolSize: 7,
      emphasis: { focus: 'adjacency', lineStyle: { width: 3 } },
      lineStyle: { color: 'source', opacity: 0.45, width: 1.4, curveness: 0.12 },
      data,
      edges: v.chain.edges.map((e) => ({ source: e.from, target: e.to })),
      animationDurationUpdate: 600,
    }],
  });
}

// ---- orders by status ------------------------------------------------------------------------

// The centre counts what the slices show: every order, done ones included (active orders are a KPI above).
function statusTotal(v) { return Object.values(v.ordersByStatus).reduce((a, b) => a + b, 0); }

function drawStatus(v) {
  const order = ['on-track', 'at-risk', 'late', 'unplanned', 'done'];
  chart('chart-status').setOption({
    textStyle: { fontFamily: FONT },
    tooltip: { trigger: 'item', textStyle: { fontFamily: FONT }, formatter: '{b}: {c} ({d}%)' },
    title: {
      text: fmtInt(statusTotal(v)), subtext: t().ordersTotal, left: '29%', top: '43%', textAlign: 'center',
      textStyle: { color: '#ffc53d', fontSize: 28, fontFamily: FONT }, subtextStyle: { color: '#7f9cc0', fontSize: 13, fontFamily: FONT },
    },
    legend: {
      orient: 'vertical', right: 8, top: 'middle', itemGap: 16, itemWidth: 14, itemHeight: 10, icon: 'roundRect',
      textStyle: { color: '#d6ecff', fontSize: 15, fontFamily: FONT, rich: { c: { color: '#ffc53d', fontSize: 16, fontWeight: 600, padding: [0, 0, 0, 10] } } },
      formatter: (name) => { const s = order.find((k) => t().status[k] === name); return `${name}{c|${fmtInt(v.ordersByStatus[s] ?? 0)}}`; },
    },
    series: [{
      id: 'status',
      type: 'pie',
      radius: ['44%', '64%'],
      center: ['30%', '52%'],
      itemStyle: { borderColor: '#050d1f', borderWidth: 2 },
      label: { show: false },
      data: order.map((s) => ({ id: s, name: t().status[s], value: v.ordersByStatus[s] ?? 0, itemStyle: { color: STATUS_COLORS[s] } })),
    }],
  });
}

// ---- open bundles ----------------------------------------------------------------------------

// Each open bundle: its material, its deadline in the district's time, and a bar of its total against its
// highest tier, with a mark at each tier and the tier reached counted from 1.
function drawBundles(v) {
  const list = document.getElementById('bundles');
  list.replaceChildren();
  const bundles = v.procurement.bundles ?? [];
  if (!bundles.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t().noOpenBundles;
    list.append(li);
    return;
  }
  for (const b of bundles) {
    const li = document.createElement('li');
    li.dataset.bundle = b.bundle;
    const top = document.createElement('div');
    top.className = 'line';
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = b.material;
    const closes = document.createElement('span');
    closes.className = 'closes';
    closes.textContent = `${t().closes} ${districtTime(b.closesAt, v.asOf)}`;
    top.append(name, closes);
    const scale = Math.max(b.totalQuantity, b.minQuantity, ...b.tierQuantities, 1);
    const bar = document.createElement('div');
    bar.className = 'bar';
    const fill = document.createElement('i');
    fill.style.width = `${(100 * b.totalQuantity) / scale}%`;
    bar.append(fill);
    for (const q of b.tierQuantities) {
      const mark = document.createElement('b');
      mark.style.left = `${(100 * q) / scale}%`;
      bar.append(mark);
    }
    const bottom = document.createElement('div');
    bottom.className = 'line';
    const total = document.createElement('span');
    total.className = 'tier';
    total.textContent = `${fmtInt(b.totalQuantity)} ${b.unit ?? ''}`;
    const tier = document.createElement('span');
    tier.className = 'tier';
    tier.textContent = b.tiersReached > 0 ? t().tierOf(b.tiersReached, b.tierQuantities.length) : t().belowTiers;
    bottom.append(total, tier);
    li.append(top, bar, bottom);
    list.append(li);
  }
}

// ---- 30-day trend ----------------------------------------------------------------------------

function drawTrend(v) {
  // Where the past days come from: the history archive, or (off, starting, down) the brain's own 30 days, and why.
  const source = document.getElementById('trend-source');
  source.dataset.source = v.dailySource ?? 'grains';
  source.textContent = v.dailySource === 'archive' ? t().trendArchive : t().trendGrains;
  source.title = v.dailyNote ?? '';
  const axis = { axisLine: { lineStyle: { color: 'rgba(214,236,255,0.3)' } }, axisLabel: { color: '#7f9cc0', fontFamily: FONT }, splitLine: { lineStyle: { color: 'rgba(64,169,255,0.12)' } } };
  chart('chart-trend').setOption({
    textStyle: { fontFamily: FONT },
    grid: { left: 58, right: 58, top: 36, bottom: 28 },
    tooltip: { trigger: 'axis', textStyle: { fontFamily: FONT } },
    legend: { top: 0, textStyle: { color: '#d6ecff', fontFamily: FONT }, data: [t().units, t().value] },
    xAxis: { type: 'category', data: v.daily.map((d) => d.date.slice(5)), ...axis, splitLine: { show: false } },
    yAxis: [
      { type: 'value', name: '', ...axis, axisLabel: { ...axis.axisLabel, formatter: (n) => new Intl.NumberFormat('en-US', { notation: 'compact' }).format(n) } },
      { type: 'value', name: '', ...axis, splitLine: { show: false }, axisLabel: { ...axis.axisLabel, formatter: (n) => new Intl.NumberFormat('en-US', { notation: 'compact' }).format(n) } },
    ],
    series: [
      {
        name: t().value, type: 'bar', yAxisIndex: 1, barWidth: '50%',
        data: v.daily.map((d) => Math.round(d.value / 100) / 100),
        itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: 'rgba(179,127,235,0.9)' }, { offset: 1, color: 'rgba(179,127,235,0.15)' }]) },
      },
      {
        name: t().units, type: 'line', smooth: true, symbol: 'circle', symbolSize: 6,
        data: v.daily.map((d) => d.units),
        lineStyle: { color: '#ffc53d', width: 2 }, itemStyle: { color: '#ffc53d' },
        areaStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [{ offset: 0, color: 'rgba(255,197,61,0.35)' }, { offset: 1, color: 'rgba(255,197,61,0)' }]) },
      },
    ],
  });
}

// ---- alerts ----------------------------------------------------------------------------------

function drawAlerts(v) {
  const list = document.getElementById('alerts');
  document.getElementById('alerts-total').textContent = v.alertsTotal ? t().alertsTotal(v.alertsTotal) : '';
  list.replaceChildren();
  if (!v.alerts.length) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = t().noAlerts;
    list.append(li);
    return;
  }
  for (const a of v.alerts) {
    const li = document.createElement('li');
    li.className = a.kind;
    li.dataset.enterprise = a.enterprise;
    if (a.order) li.dataset.order = a.order;
    if (a.terminal) li.dataset.terminal = a.terminal;
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = a.kind === 'order-late' ? t().late : a.kind === 'order-at-risk' ? t().atRisk : a.kind === 'counterfeit-scans' ? t().counterfeit : t().fault;
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = a.enterpriseName || a.enterprise;
    const what = document.createElement('em');
    what.textContent = a.kind === 'counterfeit-scans' ? t().suspectScans(a.suspect, a.scans) : a.order ? a.order : `${a.terminal}${a.fault ? ` ${a.fault}` : ''}`;
    who.append(what);
    const when = document.createElement('span');
    when.className = 'when';
    const at = a.due || a.since;
    when.textContent = a.kind === 'counterfeit-scans' ? '' : at ? `${a.due ? t().due : t().since} ${districtTime(at, v.asOf)}` : '';
    li.append(tag, who, when);
    list.append(li);
  }
}

// An instant as the district's clock shows it: the offset of the view's asOf (e.g. +08:00), not the browser's.
function districtTime(iso, asOf) {
  const m = /([+-])(\d\d):(\d\d)$/.exec(asOf);
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  const d = new Date(Date.parse(iso) + offset * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

// ---- language --------------------------------------------------------------------------------

function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const text = t()[el.dataset.i18n];
    if (typeof text === 'string') el.textContent = text;
  }
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t()[el.dataset.i18nPlaceholder];
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t()[el.dataset.i18nTitle];
  document.title = t().title;
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

// ---- data ------------------------------------------------------------------------------------

function render(v) {
  view = v;
  const chainName = lang === 'en' ? v.chain.nameEn || t().chain : v.chain.name || t().chain;
  document.getElementById('chain-name').textContent = chainName;
  drawCounters(v);
  drawChain(v);
  drawStatus(v);
  drawTrend(v);
  drawAlerts(v);
  drawBundles(v);
}

let linkState = 'connecting';
function setLink(state) {
  linkState = state;
  const el = document.getElementById('link');
  el.dataset.state = state;
  document.getElementById('link-text').textContent = t()[state] ?? state;
}

// Answers false when the API refused the page's key (or its lack of one): then the page asks for one.
async function load() {
  try {
    const response = await fetch('api/cockpit', { headers: authHeaders(), cache: 'no-store' });
    if (response.status === 401 || response.status === 403) { askForKey(); return false; }
    if (response.ok) render(await response.json());
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
  // Until a key opens the view every figure stays '--' (not 0: nothing is known yet), and a prompt says why.
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
    // The browser retries a dropped stream by itself; a refused one (the silo still starting) it gives up on.
    // A stream refused for its key is not retried: load() asks for another.
    if (source.readyState === EventSource.CLOSED) retry = setTimeout(() => load().then((ok) => { if (ok) connect(); }), 3000);
  };
}

// A stream that went quiet past two heartbeats is reopened, whatever the browser thinks of it.
setInterval(() => { if (!keyRefused && Date.now() - lastHeard > 40000) { lastHeard = Date.now(); connect(); } }, 5000);

window.addEventListener('resize', () => { for (const c of Object.values(charts)) c.resize(); if (view) drawChain(view); });

// For tests and the curious: the latest view and what each chart was given.
window.cockpit = {
  get view() { return view; },
  get lang() { return lang; },
  chainNodes: () => (charts['chart-chain']?.getOption().series[0].data ?? []).filter((d) => d.raw).map((d) => ({ id: d.id, name: d.name, value: d.value, enterprises: d.raw.enterprises, symbolSize: d.symbolSize })),
  statusCentre: () => charts['chart-status']?.getOption().title[0].text,
  statusData: () => (charts['chart-status']?.getOption().series[0].data ?? []).map((d) => ({ id: d.id, value: d.value })),
};

applyLanguage();
load().then((ok) => { if (ok) connect(); });
