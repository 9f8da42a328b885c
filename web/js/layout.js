// The shared frame of every signed-in page: the top bar (the app's name,
// the navigation the person's role may use, who is signed in, 退出).
import { requireMe, logout } from './api.js';
import { h, ROLE_WORDS } from './format.js';

export const APP_NAME = '目标责任制管理';

/** The navigation, by role. A page built later adds its line here. */
export const NAV = [
  { href: '/report', label: '进度填报', roles: ['REPORTER'], ready: true },
  { href: '/dashboard', label: '领导驾驶舱', roles: ['ADMIN', 'VIEWER', 'REPORTER'], ready: true },
  { href: '/calendar', label: '填报情况', roles: ['ADMIN', 'VIEWER', 'REPORTER'], ready: true },
  { href: '/review', label: '审核', roles: ['ADMIN'], ready: true },
  { href: '/supervision', label: '督查督办', roles: ['ADMIN', 'VIEWER', 'REPORTER'], ready: true },
  { href: '/import', label: '导入分解表', roles: ['ADMIN'], ready: true },
  { href: '/admin', label: '系统管理', roles: ['ADMIN'], ready: true },
];

/** Where a role starts: REPORTER at /report, everyone else at /dashboard. */
export function homeOf(role) {
  return role === 'REPORTER' ? '/report' : '/dashboard';
}

/**
 * Starts a signed-in page: checks the session (to /login if none, to
 * /password if the password must change), draws the top bar into
 * `#topbar`, and resolves with the person (`me`). The bar's 通知 (the
 * unread count, live, and the list) is wired by `notifications.js`,
 * loaded afterwards so that it never holds up the page's own request;
 * `notifications: false` leaves it off (the 大屏 has no top bar).
 */
export async function startPage({ title, passwordPage = false, notifications = true } = {}) {
  const me = await requireMe({ passwordPage });
  if (title) document.title = `${title} · ${APP_NAME}`;
  const old = document.getElementById('topbar');
  if (old) {
    const bar = topBar(me);
    old.replaceWith(bar);
    const bell = bar.querySelector('.bell');
    if (notifications && !me.mustChangePassword) {
      import('./notifications.js')
        .then((m) => m.startNotifications(bell, bar))
        .catch(() => bell.remove());
    } else {
      bell.remove();
    }
  }
  return me;
}

function topBar(me) {
  const path = location.pathname;
  const links = NAV.filter((n) => n.ready && n.roles.includes(me.role)).map((n) =>
    h('a', { href: n.href, 'aria-current': path === n.href || path.startsWith(n.href + '/') ? 'page' : null }, n.label));
  // "招商合作局填报员 · 填报员 · 招商合作局" says the unit twice: a name
  // that holds the unit's name already tells it.
  const name = me.displayName || me.username;
  const unit = me.unit && !name.includes(me.unit.name) ? me.unit.name : null;
  const who = [name, ROLE_WORDS[me.role] || me.role, unit].filter(Boolean).join(' · ');
  return h('header', { class: 'topbar', id: 'topbar' },
    h('a', { class: 'app', href: '/' }, APP_NAME),
    h('nav', { 'aria-label': '主导航' }, links),
    h('div', { class: 'who' },
      h('button', { type: 'button', class: 'bell', 'aria-haspopup': 'dialog', 'aria-expanded': 'false', 'data-testid': 'bell' },
        '通知', h('span', { class: 'badge', 'data-testid': 'unread-count', hidden: true })),
      h('span', { 'data-testid': 'who' }, who),
      h('a', { href: '/password?next=' + encodeURIComponent(path + location.search) }, '修改密码'),
      h('button', { type: 'button', onclick: () => logout(false) }, '退出')));
}

/** A query-string parameter, or null. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}

/**
 * A date (YYYY-MM-DD) or, with `month`, a month (YYYY-MM) from the query
 * string: `{ value, bad }`. `value` is null when absent or not a real date
 * (2025-02-30, 2025-13); `bad` is then what the address said, so the page
 * can tell the person it showed something else instead of silently
 * ignoring it.
 */
export function dateParam(name, { month = false } = {}) {
  const raw = param(name);
  if (raw === null || raw === '') return { value: null, bad: null };
  const m = (month ? /^(\d{4})-(\d{2})$/ : /^(\d{4})-(\d{2})-(\d{2})$/).exec(raw);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), month ? 1 : Number(m[3])];
    const day = new Date(Date.UTC(y, mo - 1, d));
    if (day.getUTCFullYear() === y && day.getUTCMonth() === mo - 1 && day.getUTCDate() === d) {
      return { value: raw, bad: null };
    }
  }
  return { value: null, bad: raw };
}

/** The notice for a date the address gave that is none: what was shown instead. */
export function badDateNotice(bad, { month = false, instead }) {
  if (!bad) return null;
  return h('div', { class: 'notice', role: 'status', 'data-testid': 'bad-param' },
    `地址中的${month ? '月份' : '日期'}“${bad}”无效（应为 ${month ? 'YYYY-MM，如 2025-10' : 'YYYY-MM-DD，如 2025-10-31'}），已显示${instead}。`);
}
