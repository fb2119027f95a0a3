// The scan-to-trace page: a phone opens a printed code's URL /t/{prefix}/{suffix}?v={code}; the page scans the
// code once (POST /api/scans/..., which counts it) and shows the verdict and the product's making.
const TEXT = {
  zh: {
    title: '扫码溯源', checking: '正在核验…', product: '产品', firm: '生产企业', shop: '进店购买', order: '生产订单',
    orderNo: '订单号', productionDate: '生产日期', steps: '工序记录', stepsNote: '由车间终端实时计数，非人工填报',
    quality: '质检', good: '合格', scrap: '报废', materials: '原材料', footer: '大足五金工业互联网标识解析二级节点',
    genuineFirst: '正品 · 首次扫码', genuineFirstDetail: '这是该商品码第一次被查询。',
    genuineRepeat: '正品 · 已被扫码 {n} 次', genuineRepeatDetail: '首次扫码时间：{t}。',
    warnRepeat: '注意：该码已被扫码 {n} 次', warnRepeatDetail: '首次扫码时间：{t}。若您刚购买全新商品，请警惕假冒。',
    suspended: '该企业标识已被暂停：{r}。本码发放时有效，商品为正品；企业暂不能赋新码。',
    notIssued: '未发放的标识：疑似假冒', error: '暂时无法核验', errorDetail: '请稍后重试。',
    reasons: {
      'unknown-prefix': '该企业前缀不存在。', 'prefix-not-approved': '该企业前缀未获批准或已暂停。',
      'no-such-range': '该序列号不在任何已分配的号段内。', 'wrong-code': '防伪校验码不正确。', 'wrong-gtin': '商品条码与标识不符。',
    },
    pieces: '件', at: '时间', ran: '{a} 至 {b}', bundle: '集采批次',
  },
  en: {
    title: 'Scan to trace', checking: 'Checking…', product: 'Product', firm: 'Made by', shop: 'Buy from the maker', order: 'Production order',
    orderNo: 'Order', productionDate: 'Production date', steps: 'Routing steps', stepsNote: 'Counted live by the workshop terminals, not typed in',
    quality: 'Quality control', good: 'Good', scrap: 'Scrap', materials: 'Materials', footer: 'Dazu hardware industrial internet identifier node',
    genuineFirst: 'Genuine · first scan', genuineFirstDetail: 'This is the first time this code is checked.',
    genuineRepeat: 'Genuine · scanned {n} times', genuineRepeatDetail: 'First scanned {t}.',
    warnRepeat: 'Careful: scanned {n} times', warnRepeatDetail: 'First scanned {t}. If you just bought it new, beware of counterfeits.',
    suspended: 'The maker\'s prefix is suspended: {r}. This code was issued while it was valid, so the product is genuine; the maker cannot issue new codes for now.',
    notIssued: 'Not issued: likely counterfeit', error: 'Cannot check now', errorDetail: 'Please try again later.',
    reasons: {
      'unknown-prefix': 'No such enterprise prefix.', 'prefix-not-approved': 'The enterprise prefix is not approved or is suspended.',
      'no-such-range': 'The serial is outside every allocated range.', 'wrong-code': 'The verification code is wrong.', 'wrong-gtin': 'The GTIN does not match the code.',
    },
    pieces: 'pcs', at: 'at', ran: '{a} to {b}', bundle: 'Pooled purchase',
  },
};

let lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem('ib-lang') || 'zh';
if (!TEXT[lang]) lang = 'zh';
const t = () => TEXT[lang];
const $ = (id) => document.getElementById(id);
let doc = null;
let failed = false;

const fmt = (s, values) => s.replace(/\{(\w+)\}/g, (_, k) => values[k] ?? '');
const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', hour12: false }) : '');
const number = (n) => Number(n).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US');

function text(el, value) { el.textContent = value ?? ''; }

function show(id, visible) { $(id).hidden = !visible; }

function render() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t()[el.dataset.i18n]; });
  $('lang').textContent = lang === 'zh' ? 'EN' : '中文';
  document.title = t().title;
  const verdict = $('verdict');
  if (failed) {
    verdict.dataset.status = 'error';
    text($('verdict-title'), t().error);
    text($('verdict-detail'), t().errorDetail);
    return;
  }
  if (!doc) return;
  text($('handle'), doc.handle);
  const v = doc.verdict;
  if (v.status !== 'genuine') {
    verdict.dataset.status = 'not-issued';
    text($('verdict-title'), t().notIssued);
    text($('verdict-detail'), t().reasons[v.reason] || v.reason);
    ['product', 'firm', 'order', 'steps', 'quality', 'materials'].forEach((id) => show(id, false));
    return;
  }
  verdict.dataset.status = v.scans <= 1 ? 'genuine' : v.warn ? 'repeat' : 'genuine';
  verdict.dataset.scans = String(v.scans);
  const values = { n: v.scans, t: when(v.firstScanAt) };
  text($('verdict-title'), fmt(v.scans <= 1 ? t().genuineFirst : v.warn ? t().warnRepeat : t().genuineRepeat, values));
  text($('verdict-detail'), fmt(v.scans <= 1 ? t().genuineFirstDetail : v.warn ? t().warnRepeatDetail : t().genuineRepeatDetail, values));
  verdict.dataset.firm = v.firmNotice || '';
  text($('verdict-notice'), v.firmNotice === 'prefix-suspended' ? fmt(t().suspended, { r: v.firmNoticeReason || '' }) : '');

  const p = doc.product;
  show('product', true);
  text($('product-name'), p.name);
  const attrs = $('product-attrs');
  attrs.replaceChildren();
  const category = document.createElement('dt');
  category.textContent = lang === 'zh' ? '品类' : 'Category';
  const categoryValue = document.createElement('dd');
  categoryValue.textContent = `${lang === 'zh' ? p.category : p.categoryEn} (GB/T 4754 ${p.industryCode})`;
  attrs.append(category, categoryValue);
  for (const a of p.attributes) {
    const dt = document.createElement('dt');
    dt.textContent = (lang === 'zh' ? a.label : a.labelEn) || a.name;
    const dd = document.createElement('dd');
    dd.textContent = a.unit ? `${a.value} ${a.unit}` : a.value;
    attrs.append(dt, dd);
  }
  if (p.gtin) {
    const dt = document.createElement('dt');
    dt.textContent = 'GTIN';
    const dd = document.createElement('dd');
    dd.textContent = p.gtin;
    attrs.append(dt, dd);
  }

  const f = doc.firm;
  show('firm', true);
  text($('firm-name'), f.name || f.enterprise);
  text($('firm-park'), f.park);
  const shop = $('shop');
  shop.hidden = !f.shopUrl;
  if (f.shopUrl && /^https?:\/\//.test(f.shopUrl)) shop.href = f.shopUrl;

  show('order', true);
  text($('order-no'), doc.order.order);
  text($('production-date'), doc.order.productionDate || '');

  const list = $('step-list');
  list.replaceChildren();
  for (const s of doc.steps) {
    const li = document.createElement('li');
    li.dataset.step = s.step;
    const name = document.createElement('b');
    name.textContent = s.name || s.step;
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = ` ${number(s.good)} ${t().pieces}`;
    const at = document.createElement('span');
    at.className = 'when';
    at.textContent = s.firstAt ? fmt(t().ran, { a: when(s.firstAt), b: when(s.lastAt) }) : '';
    li.append(name, count, at);
    list.append(li);
  }
  show('steps', doc.steps.length > 0);

  show('quality', !!doc.quality);
  if (doc.quality) {
    text($('qc-good'), `${number(doc.quality.good)} ${t().pieces}`);
    text($('qc-scrap'), `${number(doc.quality.scrap)} ${t().pieces}`);
  }

  const materials = $('material-list');
  materials.replaceChildren();
  for (const m of doc.materials) {
    const li = document.createElement('li');
    li.textContent = `${m.material} · ${t().bundle} ${m.bundle} · ${when(m.closedAt)}`;
    materials.append(li);
  }
  show('materials', doc.materials.length > 0);
}

async function scan() {
  const [, , prefix, ...rest] = location.pathname.split('/');
  const suffix = rest.join('/');
  const query = new URLSearchParams(location.search);
  const body = { code: query.get('v'), gtin: query.get('gtin'), place: query.get('place') };
  try {
    const answer = await fetch(`/api/scans/${encodeURIComponent(prefix)}/${encodeURIComponent(decodeURIComponent(suffix))}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    if (!answer.ok) throw new Error(String(answer.status));
    doc = await answer.json();
  } catch {
    failed = true;
  }
  render();
}

$('lang').addEventListener('click', () => {
  lang = lang === 'zh' ? 'en' : 'zh';
  localStorage.setItem('ib-lang', lang);
  render();
});

window.trace = { get doc() { return doc; }, get lang() { return lang; } };
render();
scan();
