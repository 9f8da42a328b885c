// /dashboard?plan=ID&asOf=YYYY-MM-DD — 领导驾驶舱 of one plan;
// /dashboard — every plan the person may read, ranked by completion;
// &screen=1 — the 1920×1080 大屏 layout.
// Both ask the API again when `planChanged` says a plan they show moved
// (a report filed, a target set…), in place: no reload, the scroll
// position and focus kept; the 大屏 also every five minutes.
// Every figure is the API's; this page only lays them out.
import { gql } from '../api.js';
import { subscribe } from '../live.js';
import { startPage, param, dateParam, badDateNotice } from '../layout.js';
import {
  h, fill, pct, gapWords, gapCell, score, dateWords, lightBadge, table,
  showError, LIGHTS, LIGHT_ORDER, STATUS_WORDS, instant,
} from '../format.js';
import { trendChart, lightsChart, nextFrame, echartsReady } from '../charts.js';

const REFRESH_MS = 5 * 60 * 1000;
const main = document.getElementById('main');
const screen = param('screen') === '1';
if (screen) document.body.classList.add('screen');

const PROGRESS = 'completionPercent expectedPercent gap light status score';
const WATCH_GOAL = `plan { id } goal { id code title measureUnit leadUnit { name } }
  progress { target actual ${PROGRESS} } deadline`;
const WATCH_MILESTONE = 'goal { id code title } milestone { id title dueDate completedOn } daysOverdue';

export const PLAN_QUERY = `
query Dashboard($id: ID!, $asOf: Date) {
  plan(id: $id) {
    id name year startDate endDate
    progress(asOf: $asOf) { ${PROGRESS} }
    scorecard(asOf: $asOf) { asOf score maxScore vetoed vetoedBy { id code title } }
    requireApproval unreviewedFigures(asOf: $asOf)
    categoryProgress(asOf: $asOf) { category progress { ${PROGRESS} } }
    goalLights(asOf: $asOf) { green blue yellow red }
    trend(upTo: $asOf) { date completionPercent expectedPercent gap light }
  }
  unitRanking(planId: $id, asOf: $asOf) {
    rank unit { id name }
    progress { completionPercent expectedPercent gap light score }
    lights { green blue yellow red }
  }
  warnings(asOf: $asOf, filter: { planId: $id }) { ${WATCH_GOAL} }
  overdue(asOf: $asOf, filter: { planId: $id }) { goals { ${WATCH_GOAL} } milestones { ${WATCH_MILESTONE} } }
  upcoming(asOf: $asOf, days: 30, filter: { planId: $id }) { goals { ${WATCH_GOAL} } milestones { ${WATCH_MILESTONE} } }
}`;

export const PROVINCE_QUERY = `
query Province($asOf: Date) {
  plans {
    id name year state
    progress(asOf: $asOf) { ${PROGRESS} }
    scorecard(asOf: $asOf) { asOf score maxScore vetoed }
  }
}`;

const planId = param('plan');
const { value: asOf, bad: badAsOf } = dateParam('asOf');

// The figures are asked for while the session is checked, not after:
// one round trip less before the charts (a request without a session is
// refused and sends the browser to /login either way).
const fetchFigures = () => (planId ? gql(PLAN_QUERY, { id: planId, asOf }) : gql(PROVINCE_QUERY, { asOf }));
const first = fetchFigures();
first.catch(() => {});

/** The most plans the overview follows live (one subscription each). */
const MOST_FOLLOWED = 50;

let me = null;
startPage({ title: '领导驾驶舱', notifications: !screen }).then(async (who) => {
  me = who;
  const data = await load(first);
  if (!data) return;
  follow(planId ? [planId] : data.plans.slice(0, MOST_FOLLOWED).map((p) => p.id));
  if (screen) setInterval(refresh, REFRESH_MS);
});

/** Draws the figures; answers them (null when they could not be shown). */
async function load(figures, { again = false } = {}) {
  try {
    const data = await figures;
    if (planId && !data.plan) throw new Error('找不到这个年度目标，或您无权查看。');
    keepView = again ? viewKeeper() : null;
    if (planId) await renderPlan(data);
    else renderProvince(data);
    if (keepView) keepView();
    keepView = null;
    document.body.dataset.ready = '1';
    performance.mark('mubiao-drawn');
    return data;
  } catch (e) {
    keepView = null;
    // A failed refresh keeps the last figures on screen.
    if (again && document.body.dataset.ready) {
      console.warn('刷新数据没有成功：', e.message);
      return null;
    }
    showError(main, e);
    return null;
  }
}

// ---- Live: ask again when a plan shown moves ----

/** Subscribes to `planChanged` of each plan shown. */
function follow(ids) {
  const seen = new Map();
  for (const id of ids) {
    subscribe('subscription PlanChanged($p: ID!) { planChanged(planId: $p) { planId dataVersion } }', { p: id }, (data) => {
      const c = data.planChanged;
      if (!c || c.dataVersion <= (seen.get(c.planId) || 0)) return;
      seen.set(c.planId, c.dataVersion);
      refresh();
    }, { onReconnect: refresh });
  }
}

let refreshing = null;
let refreshAgain = false;
let waitingForField = false;
/** Set while a refresh draws: puts the scroll position and focus back. */
let keepView = null;

/**
 * Asks for the figures again and redraws them in place. One refresh at a
 * time (events meanwhile make one more); not while the person is typing
 * in a field of the page (the as-of date): when they leave it.
 */
function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  const active = document.activeElement;
  if (active && main.contains(active) && active.matches('input, select, textarea')) {
    if (!waitingForField) {
      waitingForField = true;
      active.addEventListener('blur', () => {
        waitingForField = false;
        refresh();
      }, { once: true });
    }
    return;
  }
  refreshing = load(fetchFigures(), { again: true }).then((data) => {
    if (data) document.body.dataset.refreshes = String(Number(document.body.dataset.refreshes || 0) + 1);
  }).finally(() => {
    refreshing = null;
    if (refreshAgain) {
      refreshAgain = false;
      refresh();
    }
  });
}

/** What a redraw should leave as it was: the scroll position and the
 * focused link or button (found again by its id or address). */
function viewKeeper() {
  const x = window.scrollX;
  const y = window.scrollY;
  const active = document.activeElement;
  let find = null;
  if (active && active !== main && main.contains(active)) {
    if (active.id) find = () => document.getElementById(active.id);
    else if (active.getAttribute('href')) {
      const href = active.getAttribute('href');
      const text = active.textContent;
      find = () => [...main.querySelectorAll('a[href]')].find((a) => a.getAttribute('href') === href && a.textContent === text);
    }
  }
  return () => {
    if (window.scrollX !== x || window.scrollY !== y) window.scrollTo(x, y);
    const el = find && find();
    if (el && document.activeElement !== el) el.focus({ preventScroll: true });
  };
}

/** Replaces the page's content; during a refresh, keeps the view. */
function show(...children) {
  fill(main, ...children);
  if (keepView) keepView();
}

function dashboardHref(extra) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(extra)) {
    if (v === null) q.delete(k); else q.set(k, v);
  }
  return '/dashboard?' + q.toString();
}

/** The as-of picker, 大屏 and print: a plain GET form, usable by keyboard. */
function toolbar(current, plan) {
  return h('form', { class: 'toolbar no-screen', method: 'get', action: '/dashboard' },
    plan ? h('input', { type: 'hidden', name: 'plan', value: plan.id }) : null,
    h('label', { for: 'asOf' }, '截至日期'),
    h('input', { type: 'date', id: 'asOf', name: 'asOf', value: current, min: plan ? plan.startDate : null }),
    h('button', { type: 'submit', class: 'btn' }, '查看'),
    plan ? h('a', { class: 'btn', href: dashboardHref({ screen: '1' }) }, '大屏模式') : null,
    h('button', { type: 'button', class: 'btn', onclick: () => window.print() }, '打印'));
}

function figure(label, value, sub, testid) {
  return h('div', { class: 'figure' },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value', 'data-testid': testid }, value),
    sub ? h('div', { class: 'sub' }, sub) : null);
}

function goalLink(goal) {
  return h('a', { href: `/goals/${goal.id}` + (asOf ? `?asOf=${asOf}` : '') }, [goal.code, goal.title].filter(Boolean).join(' '));
}

/**
 * On the 大屏 every card shows the rows that fit whole, never a row cut in
 * half: while a card overflows, the list with the most rows shown gives up
 * its last one (the later list on a tie: red stays before yellow), and a
 * line under it says how many more there are. Run after drawing.
 */
function fitCards() {
  for (const card of main.querySelectorAll('.card')) {
    const overflowing = () => card.scrollHeight > card.clientHeight + 1;
    if (!overflowing()) continue;
    const groups = [...card.querySelectorAll('tbody, ul')].map((el, index) => {
      const rows = [...el.children].filter((r) => !r.querySelector('.empty') && !r.classList.contains('empty'));
      return { el, index, rows, shown: rows.length, note: null };
    });
    const hideOne = () => {
      const g = groups.filter((x) => x.shown > 1)
        .sort((a, b) => b.shown - a.shown || b.index - a.index)[0];
      if (!g) return false;
      g.shown -= 1;
      g.rows[g.shown].hidden = true;
      if (!g.note) {
        g.note = h('p', { class: 'muted more-rows' });
        (g.el.closest('.table-scroll') || g.el.closest('table') || g.el).after(g.note);
      }
      g.note.textContent = `另有 ${g.rows.length - g.shown} 项`;
      return true;
    };
    while (overflowing() && hideOne()) { /* one row at a time */ }
  }
}

async function renderPlan(d) {
  const { plan } = d;
  const p = plan.progress;
  const card = plan.scorecard;
  const head = h('div', { class: 'pagehead' },
    h('h1', {}, plan.name),
    h('span', { class: 'muted', 'data-testid': 'as-of' }, '截至 ' + dateWords(card.asOf)),
    screen ? h('span', { class: 'refreshed' }, '更新于 ' + instant(new Date().toISOString()).slice(11)) : null,
    toolbar(card.asOf, plan));
  const veto = card.vetoed
    ? figure('一票否决', '已否决', '触发：' + card.vetoedBy.map((g) => g.title).join('、'), 'veto')
    : figure('一票否决', '未触发', '无否决事项', 'veto');
  const headline = h('section', { class: 'headline', 'aria-label': '总体情况' },
    figure('总体完成率', pct(p.completionPercent), STATUS_WORDS[p.status], 'completion'),
    figure('序时进度', pct(p.expectedPercent), '按时间应完成', 'expected'),
    figure('与序时相比', gapCell(p.gap), gapWords(p.gap), 'gap'),
    figure('预警等级', lightBadge(p.light, { long: true }), LIGHTS[p.light].meaning, 'light'),
    figure('得分', h('span', {}, score(card.score), h('small', { class: 'muted' }, ' / ' + score(card.maxScore))), card.vetoed ? '因一票否决计 0 分' : '满分 ' + score(card.maxScore), 'score'),
    veto);

  const trendEl = h('div', { class: 'chart', id: 'trend-chart', role: 'img', 'aria-label': '完成率与序时进度月度走势' });
  const lightsEl = h('div', { class: 'chart', id: 'lights-chart', role: 'img', 'aria-label': '目标任务红黄蓝绿灯分布' });
  const L = plan.goalLights;
  const lightsText = h('div', { class: 'lights-list' },
    LIGHT_ORDER.map((l) => h('span', {}, lightBadge(l), ' ', h('span', { 'data-testid': 'lights-' + l.toLowerCase() }, String(L[l.toLowerCase()])), ' 项')));

  const red = d.warnings.filter((w) => w.progress.light === 'RED');
  const yellow = d.warnings.filter((w) => w.progress.light === 'YELLOW');
  const warnColumns = [
    { head: '目标任务', cell: (w) => goalLink(w.goal) },
    { head: '完成率', num: true, cell: (w) => pct(w.progress.completionPercent) },
    { head: '序时', num: true, cell: (w) => pct(w.progress.expectedPercent) },
    { head: '差距', num: true, cell: (w) => gapCell(w.progress.gap) },
    { head: '牵头单位', cell: (w) => (w.goal.leadUnit ? w.goal.leadUnit.name : '—') },
  ];
  const ranking = d.unitRanking;

  // Unreviewed reports count (the plan does not require approval): a
  // leader reads how much of the figure rests on them.
  const unreviewed = plan.unreviewedFigures
    ? h('p', { class: 'notice', 'data-testid': 'unreviewed' },
      `以上数字含 ${plan.unreviewedFigures} 项尚待目标办审核的填报（已计入）。`,
      me && me.role === 'ADMIN' ? [' ', h('a', { href: `/review?plan=${plan.id}` }, '去审核')] : null)
    : null;
  show(
    head,
    badDateNotice(badAsOf, { instead: `截至今天（${dateWords(card.asOf)}）的数据` }),
    headline,
    unreviewed,
    h('div', { class: 'grid' },
      h('section', { class: 'card span-5', 'aria-labelledby': 'h-trend' }, h('h2', { id: 'h-trend' }, '完成率与序时进度'), trendEl),
      h('section', { class: 'card span-4', 'aria-labelledby': 'h-cat' }, h('h2', { id: 'h-cat' }, '分类完成情况'), categoryBars(plan.categoryProgress)),
      h('section', { class: 'card span-3', 'aria-labelledby': 'h-lights' }, h('h2', { id: 'h-lights' }, '预警灯分布（目标任务）'), lightsEl, lightsText),
      h('section', { class: 'card span-5', 'aria-labelledby': 'h-rank' }, h('h2', { id: 'h-rank' }, '责任单位排名'),
        unitTable(ranking)),
      h('section', { class: 'card span-4', 'aria-labelledby': 'h-red' },
        h('h2', { id: 'h-red' }, lightBadge('RED'), ' 红灯任务（', String(red.length), ' 项）'),
        table(warnColumns, red, { empty: '没有红灯任务' }),
        h('h2', { id: 'h-yellow' }, lightBadge('YELLOW'), ' 黄灯任务（', String(yellow.length), ' 项）'),
        table(warnColumns, yellow, { empty: '没有黄灯任务' })),
      h('section', { class: 'card span-3', 'aria-labelledby': 'h-due' },
        h('h2', { id: 'h-due' }, '逾期事项'), overdueList(d.overdue),
        h('h2', {}, '30天内到期'), upcomingList(d.upcoming))));

  await echartsReady;
  trendChart(trendEl, plan.trend, { dark: screen, big: screen });
  lightsChart(lightsEl, L, { dark: screen, big: screen });
  if (screen) fitCards();
  await nextFrame();
}

function categoryBars(categories) {
  if (!categories.length) return h('p', { class: 'empty' }, '暂无分类');
  return h('div', {},
    h('div', { class: 'bars' }, categories.map((c) => {
      const p = c.progress;
      const label = `${c.category}：完成率 ${pct(p.completionPercent)}，序时进度 ${pct(p.expectedPercent)}，${LIGHTS[p.light].name}`;
      return h('div', { class: 'bar-row', title: label },
        h('span', {}, c.category),
        h('div', { class: 'bar-track', role: 'img', 'aria-label': label },
          h('div', { class: `bar-fill light-${p.light}`, style: `width:${Math.min(Math.max(p.completionPercent, 0), 100)}%` }),
          p.expectedPercent === null ? null
            : h('div', { class: 'bar-expected', style: `left:${Math.min(Math.max(p.expectedPercent, 0), 100)}%` })),
        h('span', { class: 'num' }, pct(p.completionPercent)),
        lightBadge(p.light));
    })),
    h('p', { class: 'legend' }, '虚线为序时进度；条长为完成率（超过 100% 按满格显示）'));
}

function unitTable(rows) {
  return table([
    { head: '排名', num: true, cell: (u) => (u.rank === null ? '—' : String(u.rank)) },
    { head: '责任单位', cell: (u) => u.unit.name },
    { head: '完成率', num: true, cell: (u) => pct(u.progress.completionPercent) },
    { head: '序时', num: true, cell: (u) => pct(u.progress.expectedPercent) },
    { head: '差距', num: true, cell: (u) => gapCell(u.progress.gap) },
    { head: '灯', cell: (u) => lightBadge(u.progress.light) },
    { head: '绿/蓝/黄/红', num: true, cell: (u) => `${u.lights.green}/${u.lights.blue}/${u.lights.yellow}/${u.lights.red}` },
  ], rows, { empty: '暂无分解到单位的任务' });
}

function overdueList(list) {
  const items = [
    ...list.goals.map((g) => h('li', {}, goalLink(g.goal), ' ', h('span', { class: 'tag bad' }, '逾期'),
      h('span', { class: 'muted' }, ` 时限 ${g.deadline}，完成 ${pct(g.progress.completionPercent)}`))),
    ...list.milestones.map((m) => h('li', {}, goalLink(m.goal), '：', m.milestone.title, ' ',
      h('span', { class: 'tag bad' }, `节点逾期 ${m.daysOverdue} 天`))),
  ];
  return items.length ? h('ul', {}, items)
    : h('p', { class: 'empty' }, '没有逾期事项');
}

function upcomingList(list) {
  const items = [
    ...list.goals.map((g) => h('li', {}, goalLink(g.goal), h('span', { class: 'muted' }, ` ${g.deadline} 到期，完成 ${pct(g.progress.completionPercent)}`))),
    ...list.milestones.map((m) => h('li', {}, goalLink(m.goal), '：', m.milestone.title, h('span', { class: 'muted' }, ` ${m.milestone.dueDate} 到期`))),
  ];
  return items.length ? h('ul', {}, items)
    : h('p', { class: 'empty' }, '30天内没有到期事项');
}

function renderProvince(d) {
  // Ranked by the API's completion figure, highest first (an order, not a figure).
  const plans = [...d.plans].sort((a, b) => b.progress.completionPercent - a.progress.completionPercent);
  const shownAsOf = plans.length ? plans[0].scorecard.asOf : asOf;
  show(
    h('div', { class: 'pagehead' },
      h('h1', {}, '各园区年度目标完成情况'),
      h('span', { class: 'muted' }, shownAsOf ? '截至 ' + dateWords(shownAsOf) : ''),
      toolbar(asOf || shownAsOf, null)),
    badDateNotice(badAsOf, { instead: '截至今天的数据' }),
    h('section', { class: 'card' }, table([
      { head: '序号', num: true, cell: (p) => String(plans.indexOf(p) + 1) },
      { head: '年度目标', cell: (p) => h('a', { href: `/dashboard?plan=${p.id}` + (asOf ? `&asOf=${asOf}` : '') }, p.name) },
      { head: '年度', num: true, cell: (p) => String(p.year) },
      { head: '完成率', num: true, cell: (p) => pct(p.progress.completionPercent) },
      { head: '序时进度', num: true, cell: (p) => pct(p.progress.expectedPercent) },
      { head: '差距', num: true, cell: (p) => gapCell(p.progress.gap) },
      { head: '灯', cell: (p) => lightBadge(p.progress.light) },
      { head: '得分', num: true, cell: (p) => `${score(p.scorecard.score)} / ${score(p.scorecard.maxScore)}` },
      { head: '一票否决', cell: (p) => (p.scorecard.vetoed ? h('span', { class: 'tag bad' }, '已否决') : '—') },
    ], plans, { empty: '暂无可查看的年度目标' })));
}

