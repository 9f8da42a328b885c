// /calendar?plan=ID&month=YYYY-MM — 填报情况: per unit, how many of the
// month's reports came in on time (已报), late (迟报) or not at all (未报).
import { gql } from '../api.js';
import { startPage, param, dateParam, badDateNotice } from '../layout.js';
import { h, fill, table, showError, dateWords, REPORT_STATE_WORDS } from '../format.js';

const main = document.getElementById('main');

export const CALENDAR_QUERY = `
query Calendar($id: ID!, $month: String!) {
  plan(id: $id) { id name startDate endDate }
  reportingCalendar(planId: $id, month: $month) {
    month reportsDue dueDate
    units { unit { id name } reported late missing pending }
    assignments { unit { id name } goal { id code title } state firstSubmittedOn }
  }
}`;

startPage({ title: '填报情况' }).then(load);

/** The month before today's, kept inside the plan period: the month whose
 * reports are due now. (A choice of page to open, not a figure.) */
function defaultMonth(plan) {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  let m = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
  const first = plan.startDate.slice(0, 7);
  const last = plan.endDate.slice(0, 7);
  if (m < first) m = first;
  if (m > last) m = last;
  return m;
}

async function load() {
  try {
    const { plans } = await gql('query Plans { plans { id name startDate endDate } }');
    if (!plans.length) return fill(main, h('p', { class: 'empty' }, '暂无可查看的年度目标'));
    const plan = plans.find((p) => p.id === param('plan')) || plans[0];
    const asked = dateParam('month', { month: true });
    const month = asked.value || defaultMonth(plan);
    const picker = h('form', { class: 'toolbar', method: 'get', action: '/calendar' },
      h('label', { for: 'plan' }, '年度目标'),
      h('select', { id: 'plan', name: 'plan' }, plans.map((p) => h('option', { value: p.id, selected: p.id === plan.id }, p.name))),
      h('label', { for: 'month' }, '月份'),
      h('input', { type: 'month', id: 'month', name: 'month', value: month, min: plan.startDate.slice(0, 7), max: plan.endDate.slice(0, 7) }),
      h('button', { type: 'submit', class: 'btn' }, '查看'));
    const head = h('div', { class: 'pagehead' }, h('h1', {}, '填报情况'), picker);
    const body = h('div', {}, h('p', { class: 'muted' }, '加载中…'));
    const [y, m] = month.split('-').map(Number);
    fill(main, head, badDateNotice(asked.bad, { month: true, instead: `${y}年${m}月` }), body);
    try {
      const data = await gql(CALENDAR_QUERY, { id: plan.id, month });
      render(body, data);
    } catch (e) {
      showError(body, e);
    }
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
  }
}

function render(el, { plan, reportingCalendar: cal }) {
  const [y, m] = cal.month.split('-').map(Number);
  const title = `${plan.name} · ${y}年${m}月`;
  if (!cal.reportsDue) {
    return fill(el, h('section', { class: 'card' }, h('h2', {}, title), h('p', { class: 'empty' }, '本月不需要填报。')));
  }
  const count = (n, state) => (n ? h('span', { class: `state-${state}` }, String(n)) : h('span', { class: 'muted' }, '0'));
  fill(el,
    h('section', { class: 'card', 'aria-labelledby': 'h-units' },
      h('h2', { id: 'h-units' }, title, h('span', { class: 'muted' }, `（截止 ${dateWords(cal.dueDate)}）`)),
      table([
        { head: '责任单位', cell: (u) => u.unit.name },
        { head: '已报', num: true, cell: (u) => count(u.reported, 'REPORTED') },
        { head: '迟报', num: true, cell: (u) => count(u.late, 'LATE') },
        { head: '未报', num: true, cell: (u) => count(u.missing, 'MISSING') },
        { head: '未到期', num: true, cell: (u) => count(u.pending, 'PENDING') },
      ], cal.units, { empty: '本月没有需要填报的任务' })),
    h('section', { class: 'card', style: 'margin-top:14px', 'aria-labelledby': 'h-lines' },
      h('h2', { id: 'h-lines' }, '明细'),
      table([
        { head: '责任单位', cell: (a) => a.unit.name },
        { head: '目标任务', cell: (a) => h('a', { href: `/goals/${a.goal.id}` }, [a.goal.code, a.goal.title].filter(Boolean).join(' ')) },
        { head: '情况', cell: (a) => h('span', { class: `state-${a.state}` }, REPORT_STATE_WORDS[a.state]) },
        { head: '首次提交', cell: (a) => a.firstSubmittedOn || '—' },
      ], cal.assignments)));
}
