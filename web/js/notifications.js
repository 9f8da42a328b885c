// 通知 in the top bar: the unread count (the API's `unreadNotificationCount`,
// asked again whenever `notificationAdded` says one arrived) and a panel
// listing `myNotifications`, newest first, the unread ones marked, each
// linking to the page it is about, with 全部标为已读. layout.js draws the
// button and loads this module once the page is up.
import { gql } from './api.js';
import { subscribe } from './live.js';
import { h, fill, instant } from './format.js';

const PAGE = 20;
const NOTE = 'id kind title body link createdAt read';
const LIST_QUERY = `query Notifications($after: ID) {
  myNotifications(first: ${PAGE}, after: $after) { nodes { ${NOTE} } endCursor hasNextPage unreadCount }
}`;

/** Only a path of this site is followed ("/goals/12"), never another
 * scheme or host. */
function safeLink(link) {
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') ? link : null;
}

/**
 * Wires the 通知 button (`button`, drawn by layout.js, with its
 * `.badge`) to the count, the live feed and the panel, which is put in `bar`.
 */
export function startNotifications(button, bar) {
  const badge = button.querySelector('.badge');
  const announce = h('span', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
  const panel = h('section', {
    class: 'notif-panel', id: 'notif-panel', role: 'dialog', 'aria-labelledby': 'notif-title', hidden: true,
    'data-testid': 'notifications',
  });
  bar.append(panel, announce);
  button.setAttribute('aria-controls', 'notif-panel');

  let unread = 0;
  let shown = [];
  let cursor = null;
  let more = false;
  let loading = null;

  function setCount(n) {
    unread = n;
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    button.setAttribute('aria-label', n ? `通知（${n} 条未读）` : '通知（没有未读）');
    button.dataset.unread = String(n);
    if (!panel.hidden) drawHead();
  }

  async function refreshCount() {
    try {
      const d = await gql('query Unread { unreadNotificationCount }');
      setCount(d.unreadNotificationCount);
    } catch (e) {
      // The badge keeps what it showed; the next event asks again.
    }
  }

  const head = h('div', { class: 'notif-head' });
  const list = h('ul', { class: 'notif-list' });
  const foot = h('div', { class: 'notif-foot' });
  const message = h('div', { class: 'form-message' });
  panel.append(head, message, list, foot);

  function drawHead() {
    fill(head,
      h('h2', { id: 'notif-title', tabindex: '-1' }, '通知'),
      h('span', { class: 'muted', 'data-testid': 'notif-unread' }, unread ? `${unread} 条未读` : '没有未读'),
      h('button', { type: 'button', class: 'btn', 'data-notif': 'read-all', disabled: unread === 0, onclick: readAll }, '全部标为已读'),
      h('button', { type: 'button', class: 'btn', 'data-notif': 'close', 'aria-label': '关闭通知', onclick: () => close(true) }, '关闭'));
  }

  function item(n) {
    const link = safeLink(n.link);
    const title = link
      ? h('a', { href: link, onclick: (e) => follow(e, n, link) }, n.title)
      : h('span', {}, n.title);
    return h('li', { class: 'notif' + (n.read ? '' : ' unread'), 'data-notification': n.id },
      h('div', { class: 'notif-title' }, n.read ? null : [h('span', { class: 'tag bad' }, '未读'), ' '], title),
      n.body ? h('p', { class: 'notif-body' }, n.body) : null,
      h('time', { class: 'muted', datetime: n.createdAt }, instant(n.createdAt)));
  }

  function drawList() {
    fill(list, shown.length ? shown.map(item) : h('li', { class: 'empty' }, '暂无通知'));
    fill(foot, more
      ? h('button', { type: 'button', class: 'btn', onclick: () => load(true) }, '加载更多')
      : null);
  }

  async function load(next = false) {
    if (loading) return loading;
    loading = (async () => {
      try {
        const d = await gql(LIST_QUERY, { after: next ? cursor : null });
        const page = d.myNotifications;
        shown = next ? shown.concat(page.nodes) : page.nodes;
        cursor = page.endCursor;
        more = page.hasNextPage;
        fill(message);
        setCount(page.unreadCount);
        drawList();
      } catch (e) {
        fill(message, h('div', { class: 'alert', role: 'alert' }, e.message));
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  async function readAll() {
    try {
      const d = await gql('mutation ReadAll { markNotificationsRead(ids: null) }');
      for (const n of shown) n.read = true;
      setCount(d.markNotificationsRead);
      drawList();
      announce.textContent = '已全部标为已读';
    } catch (e) {
      fill(message, h('div', { class: 'alert', role: 'alert' }, e.message));
    }
  }

  // Following a notification marks it read first (a failure does not
  // keep the person from the page).
  async function follow(event, n, link) {
    if (n.read || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    try {
      await gql('mutation ReadOne($ids: [ID!]) { markNotificationsRead(ids: $ids) }', { ids: [n.id] });
    } catch (e) { /* go anyway */ }
    location.assign(link);
  }

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    drawHead();
    if (!shown.length) fill(list, h('li', { class: 'muted' }, '加载中…'));
    load().then(() => panel.dataset.loaded = '1');
    head.querySelector('h2').focus();
  }

  function close(returnFocus) {
    if (panel.hidden) return;
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (returnFocus) button.focus();
  }

  button.addEventListener('click', () => (panel.hidden ? open() : close(false)));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !panel.hidden) close(true);
  });
  document.addEventListener('click', (e) => {
    if (!panel.hidden && !panel.contains(e.target) && !button.contains(e.target)) close(false);
  });

  // Live: a new notification moves the badge (the API's count, asked
  // again) and, with the panel open, the list.
  subscribe('subscription Notes { notificationAdded { id title } }', {}, (data) => {
    const n = data.notificationAdded;
    if (n) announce.textContent = '新通知：' + n.title;
    refreshCount();
    if (!panel.hidden) load();
  }, {
    onReconnect: () => {
      refreshCount();
      if (!panel.hidden) load();
    },
  });
  // Back to a tab left open for a while: what arrived meanwhile.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') refreshCount();
  });
  refreshCount();
}
