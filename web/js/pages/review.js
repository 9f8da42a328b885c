// /review?plan=ID — 审核 (the target office): the reports waiting for
// review, oldest first; approve or return (with a reason) one or several
// at once: tick them, then one action.
import { gql, gqlEach } from '../api.js';
import { startPage, param } from '../layout.js';
import { h, fill, amount, dateWords, instant, showError, KIND_WORDS } from '../format.js';

const main = document.getElementById('main');

export const QUEUE_QUERY = `
query Queue($plan: ID) {
  plans { id name state }
  reviewQueue(planId: $plan) {
    report { id asOf value note problems nextSteps submittedAt submittedBy status }
    supersededBy { id value submittedAt }
    assignment {
      id targetValue
      unit { id name }
      goal { id code title kind measureUnit targetValue plan { id name } }
    }
  }
}`;

let me = null;
startPage({ title: '审核' }).then((who) => {
  me = who;
  return load();
});

async function load(flash = null) {
  try {
    const planId = param('plan') || null;
    const { plans, reviewQueue: queue } = await gql(QUEUE_QUERY, { plan: planId });
    render(plans, planId, queue, flash);
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
    document.body.dataset.ready = '1';
  }
}

function text(t) {
  return t ? h('div', { class: 'clip' }, t) : h('span', { class: 'muted' }, '—');
}

function render(plans, planId, queue, flash) {
  const canWrite = me.role === 'ADMIN';
  const picker = h('form', { class: 'toolbar', method: 'get', action: '/review' },
    h('label', { for: 'plan' }, '年度目标'),
    h('select', { id: 'plan', name: 'plan' }, h('option', { value: '' }, '全部'),
      plans.map((p) => h('option', { value: p.id, selected: p.id === planId }, p.name))),
    h('button', { type: 'submit', class: 'btn' }, '查看'));
  const head = h('div', { class: 'pagehead' }, h('h1', {}, '审核'), picker);
  const result = h('div', { id: 'review-result', 'aria-live': 'polite', tabindex: '-1' }, flash);
  if (!queue.length) {
    fill(main, head, result, h('section', { class: 'card' }, h('p', { class: 'empty', 'data-testid': 'queue-empty' }, '没有待审核的填报。')));
    return;
  }
  const boxes = [];
  const all = h('input', { type: 'checkbox', id: 'check-all', 'aria-label': '全选' });
  all.addEventListener('change', () => boxes.forEach((b) => { b.checked = all.checked; }));
  const count = h('span', { class: 'muted', id: 'selected-count' }, '未选择');
  const update = () => {
    const n = boxes.filter((b) => b.checked).length;
    count.textContent = n ? `已选 ${n} 项` : '未选择';
    all.checked = n === boxes.length;
    all.indeterminate = n > 0 && n < boxes.length;
  };
  all.addEventListener('change', update);
  const rows = queue.map((item) => {
    const r = item.report;
    const a = item.assignment;
    const g = a.goal;
    const mu = g.measureUnit;
    const box = h('input', { type: 'checkbox', value: r.id, id: `r-${r.id}`, 'aria-label': `选择：${a.unit.name} ${g.title} ${dateWords(r.asOf)}` });
    box.addEventListener('change', update);
    boxes.push(box);
    const target = a.targetValue !== null ? a.targetValue : g.targetValue;
    return h('tr', { 'data-report': r.id },
      canWrite ? h('td', {}, box) : null,
      h('td', {}, a.unit.name),
      h('td', { class: 'tree-title' }, h('a', { href: `/goals/${g.id}` }, [g.code, g.title].filter(Boolean).join(' ')),
        h('div', { class: 'muted' }, g.plan.name, ' · ', KIND_WORDS[g.kind] || g.kind)),
      h('td', {}, dateWords(r.asOf)),
      h('td', { class: 'num' }, h('strong', {}, amount(r.value, mu)), h('div', { class: 'muted' }, '目标 ', amount(target, mu)),
        // A corrected figure can only be returned (approved, it would
        // stand again if its correction were returned).
        item.supersededBy ? h('div', { class: 'tag bad', 'data-testid': 'superseded' },
          `已被更正为 ${amount(item.supersededBy.value, mu)}，请退回`) : null),
      h('td', {}, text(r.note)),
      h('td', {}, text(r.problems)),
      h('td', {}, text(r.nextSteps)),
      h('td', {}, instant(r.submittedAt), h('div', { class: 'muted' }, r.submittedBy || '')));
  });
  const table = h('div', { class: 'table-scroll' }, h('table', { id: 'queue' },
    h('thead', {}, h('tr', {},
      canWrite ? h('th', { scope: 'col' }, all) : null,
      ['责任单位', '目标任务', '截至', '填报值', '进展', '问题', '下一步', '提交'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
  const reason = h('textarea', { id: 'reason', rows: 2, maxlength: 1000, placeholder: '退回时必须填写原因，如：数据与统计局口径不一致，请核实' });
  const approve = h('button', { type: 'button', class: 'btn primary', id: 'approve' }, '通过所选');
  const giveBack = h('button', { type: 'button', class: 'btn danger', id: 'return' }, '退回所选');
  const say = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const chosen = () => boxes.filter((b) => b.checked).map((b) => b.value);
  // What the last action did is news only until the next one starts.
  const clearDone = () => fill(result);
  boxes.forEach((b) => b.addEventListener('change', clearDone));
  all.addEventListener('change', clearDone);
  async function act(kind) {
    clearDone();
    const ids = chosen();
    if (!ids.length) return fill(say, h('div', { class: 'alert', role: 'alert' }, '请先勾选要审核的填报。'));
    const why = reason.value.trim();
    if (kind === 'return' && !why) {
      reason.focus();
      return fill(say, h('div', { class: 'alert', role: 'alert' }, '退回时请填写原因，填报单位会看到它。'));
    }
    approve.disabled = true;
    giveBack.disabled = true;
    fill(say, h('p', { class: 'muted' }, '正在提交…'));
    // One request, one mutation per report (each stands alone).
    const vars = {};
    const defs = [];
    const fields = ids.map((id, i) => {
      vars[`id${i}`] = id;
      defs.push(`$id${i}: ID!`);
      return kind === 'approve'
        ? `m${i}: approveReport(id: $id${i}) { id status }`
        : `m${i}: returnReport(input: { reportId: $id${i}, reason: $reason }) { id status }`;
    });
    if (kind === 'return') { vars.reason = why; defs.push('$reason: String!'); }
    try {
      const { failed } = await gqlEach(`mutation Review(${defs.join(', ')}) { ${fields.join(' ')} }`, vars);
      const bad = Object.entries(failed);
      const done = ids.length - bad.length;
      const words = kind === 'approve' ? '通过' : '退回';
      const parts = [];
      if (done) parts.push(h('div', { class: 'notice', role: 'status', 'data-testid': 'review-done' }, `已${words} ${done} 份填报。`));
      if (bad.length) {
        parts.push(h('div', { class: 'alert', role: 'alert' }, `${bad.length} 份没有${words}：`,
          h('ul', {}, bad.map(([alias, f]) => h('li', {}, `报告 ${ids[Number(alias.slice(1))]}：${f.message}`)))));
      }
      await load(parts);
      const r = document.getElementById('review-result');
      if (r) r.focus();
    } catch (e) {
      approve.disabled = false;
      giveBack.disabled = false;
      fill(say, h('div', { class: 'alert', role: 'alert' }, e.message));
    }
  }
  approve.addEventListener('click', () => act('approve'));
  giveBack.addEventListener('click', () => act('return'));
  const bar = canWrite ? h('div', { class: 'actionbar', role: 'group', 'aria-label': '批量审核' },
    count, approve, h('label', { for: 'reason', class: 'muted' }, '退回原因'), reason, giveBack) : null;
  fill(main, head, result, h('p', { class: 'muted' }, `待审核 ${queue.length} 份，最早提交的在前。`), bar, say,
    h('section', { class: 'card' }, table));
}
