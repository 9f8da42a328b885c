// Formatting only: every figure comes from the API as it is; these
// functions decide how it reads (one decimal, signs, words for lights),
// never what it is.

/** The lights, each with its word: a light is never shown by colour alone. */
export const LIGHTS = {
  GREEN: { word: '绿', name: '绿灯', meaning: '达到或超过序时进度', color: '#2e7d32' },
  BLUE: { word: '蓝', name: '蓝灯', meaning: '略低于序时进度（关注）', color: '#1565c0' },
  YELLOW: { word: '黄', name: '黄灯', meaning: '明显低于序时进度', color: '#e0a800' },
  RED: { word: '红', name: '红灯', meaning: '严重滞后或逾期', color: '#c62828' },
};
export const LIGHT_ORDER = ['GREEN', 'BLUE', 'YELLOW', 'RED'];

export const STATUS_WORDS = {
  NOT_STARTED: '未开始',
  IN_PROGRESS: '推进中',
  COMPLETED: '已完成',
  OVERDUE: '逾期',
};
export const KIND_WORDS = {
  CUMULATIVE: '累计类',
  RATE: '比率类',
  MILESTONE: '节点类',
  VETO: '一票否决',
  GROUP: '综合类',
  RANK: '排名类',
};
export const ROLE_WORDS = { ADMIN: '目标办', VIEWER: '查看', REPORTER: '填报员' };
export const REVIEW_WORDS = { SUBMITTED: '待审核', APPROVED: '已审核', RETURNED: '已退回' };
export const REPORT_STATE_WORDS = { REPORTED: '已报', LATE: '迟报', MISSING: '未报', PENDING: '未到期' };

const DASH = '—';
const MINUS = '−';

/**
 * A number as a clerk types it: full-width digits and point (１３．５),
 * thousands separators in their places (1,234.5 or 1，234), a leading
 * minus (− or －). Returns the number, or null when it is not one: "1,2"
 * is not twelve (a comma inside a number must separate thousands), and
 * "12.5万" is not a number here (the unit is the form's).
 */
export function readNumber(text) {
  const halfWidth = String(text)
    .replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[．。]/g, '.')
    .replace(/，/g, ',')
    .replace(/[−－—]/g, '-')
    .replace(/＋/g, '+')
    .replace(/[\s\u3000]/g, '');
  if (!/^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(halfWidth)) return null;
  const n = Number(halfWidth.replace(/,/g, ''));
  return Number.isFinite(n) ? n : null;
}

/** 85.04 → "85.0%"; null → "—". */
export function pct(v) {
  if (v === null || v === undefined) return DASH;
  return fixed1(v) + '%';
}

/** One decimal, a true minus sign, never "-0.0". */
export function fixed1(v) {
  const text = Math.abs(v).toFixed(1);
  return (v < 0 && text !== '0.0' ? MINUS : '') + text;
}

/** A gap in percentage points: +1.7 / −4.9; null → "—". */
export function gap(v) {
  if (v === null || v === undefined) return DASH;
  const text = fixed1(v);
  return (v > 0 && text !== '0.0' ? '+' : '') + text;
}

/** A gap as a sentence: 超序时 1.7 个百分点 / 低于序时 4.9 个百分点. */
export function gapWords(v) {
  if (v === null || v === undefined) return '无序时要求';
  const text = Math.abs(v).toFixed(1);
  if (text === '0.0') return '与序时持平';
  return (v > 0 ? '超序时 ' : '低于序时 ') + text + ' 个百分点';
}

/** A value in its measure unit: 19.6 亿元, 1,200 亩; null → "—". */
export function amount(v, unit) {
  if (v === null || v === undefined) return DASH;
  const text = Number(v).toLocaleString('zh-CN', { maximumFractionDigits: 2 }).replace('-', MINUS);
  return unit ? `${text} ${unit}` : text;
}

/** A score: 62.35 → "62.4". */
export function score(v) {
  if (v === null || v === undefined) return DASH;
  return fixed1(v);
}

/** "2025-10-31" → "2025年10月31日". */
export function dateWords(d) {
  if (!d) return DASH;
  const [y, m, day] = d.split('-').map(Number);
  return `${y}年${m}月${day}日`;
}

/** "2025-10-31" → "10月". */
export function monthWords(d) {
  return Number(d.split('-')[1]) + '月';
}

/** An RFC 3339 instant as the local date and time: 2025-11-05 09:30. */
export function instant(t) {
  if (!t) return DASH;
  const d = new Date(t);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/**
 * Builds an element: h('a', { href: '/x', class: 'btn' }, 'text', child…).
 * Text is always text (never parsed as HTML), so data cannot inject markup.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** A light as a badge: a dot and its word (● 绿); null → "未评价". */
export function lightBadge(light, { long = false } = {}) {
  if (!light) return h('span', { class: 'light light-NONE', title: '尚无可评价的进度' }, '未评价');
  const l = LIGHTS[light];
  return h('span', { class: `light light-${light}`, title: `${l.name}：${l.meaning}` }, long ? l.name : l.word);
}

/** A gap with its colour class and sign (the sign carries the meaning). */
export function gapCell(v) {
  const cls = v === null || v === undefined ? '' : v < 0 ? 'gap-down' : 'gap-up';
  return h('span', { class: cls }, gap(v));
}

/** A table: columns [{ head, cell(row) → node|text, num? }]. */
export function table(columns, rows, { empty = '暂无' } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-scroll' },
    h('table', {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { scope: 'col', class: c.num ? 'num' : null }, c.head)))),
      h('tbody', {}, rows.map((r) => h('tr', {}, columns.map((c) => h('td', { class: c.num ? 'num' : null }, c.cell(r))))))));
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** Shows an error where content would be. */
export function showError(el, err) {
  fill(el, h('div', { class: 'alert', role: 'alert' }, (err && err.message) || String(err)));
}
