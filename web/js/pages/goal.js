// /goals/ID?asOf=YYYY-MM-DD — one goal: its figures, its shares (分解) with
// their progress, the report history (进展/问题/下一步), the trend and 节点.
import { gql } from '../api.js';
import { startPage, dateParam, badDateNotice } from '../layout.js';
import {
  h, fill, pct, gapCell, gapWords, amount, dateWords, lightBadge, table, showError, instant,
  STATUS_WORDS, KIND_WORDS, REVIEW_WORDS, LIGHTS,
} from '../format.js';
import { trendChart, nextFrame, echartsReady } from '../charts.js';

const PROGRESS = 'target actual completionPercent expectedPercent gap light status score';

export const GOAL_QUERY = `
query Goal($id: ID!, $asOf: Date) {
  goal(id: $id) {
    id code title category kind measureUnit targetValue baselineValue direction weight deadline
    originalText remarks supportingText ongoing subset previousYearValue responsibleLeader responsiblePerson
    plan { id name today }
    parent { id code title }
    leadUnit { name }
    supportingUnits { name }
    progress(asOf: $asOf) { ${PROGRESS} }
    trend(upTo: $asOf) { date completionPercent expectedPercent gap light }
    children { id code title measureUnit progress(asOf: $asOf) { ${PROGRESS} } }
    milestones { id title dueDate weight completedOn completedLate }
    assignments {
      id targetValue deadline responsiblePerson
      unit { id name }
      progress(asOf: $asOf) { ${PROGRESS} }
      reports { id asOf value note problems nextSteps submittedAt submittedBy status reviewReason }
    }
  }
}`;

const main = document.getElementById('main');
const id = decodeURIComponent(location.pathname.split('/')[2] || '');
const { value: asOf, bad: badAsOf } = dateParam('asOf');

// Asked for while the session is checked (see dashboard.js).
const figures = gql(GOAL_QUERY, { id, asOf });
figures.catch(() => {});
startPage({ title: '目标任务' }).then(load);

async function load() {
  try {
    const { goal } = await figures;
    if (!goal) throw new Error('找不到这项目标任务，或您无权查看。');
    document.title = `${goal.title} · 目标责任制管理`;
    await render(goal);
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
  }
}

function withAsOf(href) {
  return asOf ? `${href}${href.includes('?') ? '&' : '?'}asOf=${asOf}` : href;
}

async function render(g) {
  const p = g.progress;
  const mu = g.measureUnit;
  const facts = [
    ['所属年度目标', h('a', { href: withAsOf(`/dashboard?plan=${g.plan.id}`) }, g.plan.name)],
    g.parent ? ['上级任务', h('a', { href: withAsOf(`/goals/${g.parent.id}`) }, [g.parent.code, g.parent.title].filter(Boolean).join(' '))] : null,
    g.category ? ['类别', g.category] : null,
    ['类型', KIND_WORDS[g.kind] + (g.direction === 'DECREASE' ? '（越低越好）' : '')],
    g.targetValue !== null ? ['目标值', amount(g.targetValue, mu)] : null,
    g.baselineValue !== null ? ['基数', amount(g.baselineValue, mu)] : null,
    g.previousYearValue !== null ? ['上年完成', amount(g.previousYearValue, mu)] : null,
    ['分值', amount(g.weight)],
    ['完成时限', g.ongoing ? '持续推进' : g.deadline ? dateWords(g.deadline) : '年底'],
    ['牵头单位', g.leadUnit ? g.leadUnit.name : '—'],
    g.supportingUnits.length || g.supportingText ? ['配合单位', [...g.supportingUnits.map((u) => u.name), g.supportingText].filter(Boolean).join('、')] : null,
    g.responsibleLeader ? ['责任领导', g.responsibleLeader] : null,
    g.responsiblePerson ? ['责任人', g.responsiblePerson] : null,
    g.originalText ? ['目标原文', g.originalText] : null,
    g.remarks ? ['备注', g.remarks] : null,
  ].filter(Boolean);

  const trendEl = h('div', { class: 'chart', id: 'trend-chart', role: 'img', 'aria-label': '完成率与序时进度月度走势' });
  const reports = g.assignments
    .flatMap((a) => a.reports.map((r) => ({ ...r, unit: a.unit })))
    // Newest first: the order they are read in, not a figure.
    .sort((a, b) => (a.asOf === b.asOf ? b.submittedAt.localeCompare(a.submittedAt) : b.asOf.localeCompare(a.asOf)));

  fill(main,
    h('div', { class: 'pagehead' },
      h('h1', {}, [g.code, g.title].filter(Boolean).join(' ')),
      lightBadge(p.light, { long: true }),
      h('form', { class: 'toolbar', method: 'get', action: location.pathname },
        h('label', { for: 'asOf' }, '截至日期'),
        // The date the figures stand on, asked or today's in the plan.
        h('input', { type: 'date', id: 'asOf', name: 'asOf', value: asOf || g.plan.today }),
        h('button', { type: 'submit', class: 'btn' }, '查看'),
        h('button', { type: 'button', class: 'btn', onclick: () => window.print() }, '打印'))),
    badDateNotice(badAsOf, { instead: `截至今天（${dateWords(g.plan.today)}）的数据` }),
    h('section', { class: 'headline', 'aria-label': '完成情况' },
      fig('完成率', pct(p.completionPercent), STATUS_WORDS[p.status], 'completion'),
      fig('实际完成', amount(p.actual, mu), '目标 ' + amount(p.target, mu), 'actual'),
      fig('序时进度', pct(p.expectedPercent), '按时间应完成', 'expected'),
      fig('与序时相比', gapCell(p.gap), gapWords(p.gap), 'gap'),
      fig('预警等级', lightBadge(p.light, { long: true }), LIGHTS[p.light].meaning, 'light'),
      fig('得分', amount(p.score), '分值 ' + amount(g.weight), 'score')),
    h('div', { class: 'grid' },
      h('section', { class: 'card span-5', 'aria-labelledby': 'h-facts' }, h('h2', { id: 'h-facts' }, '任务信息'),
        h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))),
      h('section', { class: 'card span-7', 'aria-labelledby': 'h-trend' }, h('h2', { id: 'h-trend' }, '完成率与序时进度'), trendEl),
      g.children.length ? h('section', { class: 'card span-12', 'aria-labelledby': 'h-children' }, h('h2', { id: 'h-children' }, '子任务'),
        table([
          { head: '任务', cell: (c) => h('a', { href: withAsOf(`/goals/${c.id}`) }, [c.code, c.title].filter(Boolean).join(' ')) },
          { head: '实际', num: true, cell: (c) => amount(c.progress.actual, c.measureUnit) },
          { head: '目标', num: true, cell: (c) => amount(c.progress.target, c.measureUnit) },
          { head: '完成率', num: true, cell: (c) => pct(c.progress.completionPercent) },
          { head: '序时', num: true, cell: (c) => pct(c.progress.expectedPercent) },
          { head: '差距', num: true, cell: (c) => gapCell(c.progress.gap) },
          { head: '灯', cell: (c) => lightBadge(c.progress.light) },
        ], g.children)) : null,
      h('section', { class: 'card span-12', 'aria-labelledby': 'h-shares' }, h('h2', { id: 'h-shares' }, '分解到责任单位'),
        table([
          { head: '责任单位', cell: (a) => a.unit.name },
          { head: '分解目标', num: true, cell: (a) => amount(a.targetValue, mu) },
          { head: '实际完成', num: true, cell: (a) => amount(a.progress.actual, mu) },
          { head: '完成率', num: true, cell: (a) => pct(a.progress.completionPercent) },
          { head: '序时', num: true, cell: (a) => pct(a.progress.expectedPercent) },
          { head: '差距', num: true, cell: (a) => gapCell(a.progress.gap) },
          { head: '灯', cell: (a) => lightBadge(a.progress.light) },
          { head: '状态', cell: (a) => STATUS_WORDS[a.progress.status] },
          { head: '完成时限', cell: (a) => a.deadline || '—' },
          { head: '责任人', cell: (a) => a.responsiblePerson || '—' },
        ], g.assignments, { empty: '未分解到责任单位' })),
      g.milestones.length ? h('section', { class: 'card span-12', 'aria-labelledby': 'h-ms' }, h('h2', { id: 'h-ms' }, '节点目标'),
        table([
          { head: '节点', cell: (m) => m.title },
          { head: '时限', cell: (m) => m.dueDate },
          { head: '权重', num: true, cell: (m) => amount(m.weight) },
          { head: '完成日期', cell: (m) => m.completedOn || '—' },
          { head: '情况', cell: (m) => milestoneState(m) },
        ], g.milestones)) : null,
      h('section', { class: 'card span-12', 'aria-labelledby': 'h-reports' }, h('h2', { id: 'h-reports' }, '填报记录'),
        table([
          { head: '截至', cell: (r) => r.asOf },
          { head: '责任单位', cell: (r) => r.unit.name },
          { head: '填报值', num: true, cell: (r) => amount(r.value, mu) },
          { head: '进展', cell: (r) => h('div', { class: 'report-text' }, r.note || '—') },
          { head: '问题', cell: (r) => h('div', { class: 'report-text' }, r.problems || '—') },
          { head: '下一步', cell: (r) => h('div', { class: 'report-text' }, r.nextSteps || '—') },
          { head: '状态', cell: (r) => h('span', { class: 'tag' + (r.status === 'RETURNED' ? ' bad' : r.status === 'APPROVED' ? ' ok' : ''), title: r.reviewReason || null }, REVIEW_WORDS[r.status]) },
          { head: '提交', cell: (r) => h('span', { class: 'muted' }, instant(r.submittedAt), r.submittedBy ? ' ' + r.submittedBy : '') },
        ], reports, { empty: '尚无填报记录' }))));

  await echartsReady;
  trendChart(trendEl, g.trend);
  await nextFrame();
}

function fig(label, value, sub, testid) {
  return h('div', { class: 'figure' },
    h('div', { class: 'label' }, label),
    h('div', { class: 'value', 'data-testid': testid }, value),
    h('div', { class: 'sub' }, sub));
}

function milestoneState(m) {
  if (m.completedOn) {
    return m.completedLate ? h('span', { class: 'tag bad' }, '逾期完成') : h('span', { class: 'tag ok' }, '按期完成');
  }
  return h('span', { class: 'tag' }, '未完成');
}
