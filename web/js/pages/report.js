// /report?plan=ID&month=YYYY-MM&unit=ID — 进度填报: the shares (分解) of
// the person's unit (and the units below it) for a reporting month, each
// with its target, last month's figure and 序时; a form per share for the
// cumulative figure, 进展, 问题 and 下一步; returned reports with their
// reason; 节点 to mark complete. Made to be used on a phone.
import { gql } from '../api.js';
import { startPage, param } from '../layout.js';
import {
  h, fill, pct, amount, dateWords, lightBadge, showError, instant, readNumber,
  KIND_WORDS, REVIEW_WORDS, REPORT_STATE_WORDS, STATUS_WORDS,
} from '../format.js';

const main = document.getElementById('main');

const REPORT = 'id asOf value note problems nextSteps submittedAt submittedBy status reviewedBy reviewedAt reviewReason';

export const SHARES_QUERY = `
query Shares($id: ID!, $asOf: Date!, $prev: Date!, $month: String!) {
  plan(id: $id) {
    id name state startDate endDate reportDueDay
    allGoals {
      id code title kind measureUnit direction targetValue deadline
      milestones { id title dueDate weight completedOn completedLate }
      assignments {
        id targetValue deadline
        unit { id name }
        last: latestReport(asOf: $prev) { id asOf value status }
        progress(asOf: $asOf) { target actual completionPercent expectedPercent gap light status }
        reports { ${REPORT} }
      }
    }
  }
  reportingCalendar(planId: $id, month: $month) {
    reportsDue dueDate
    assignments { assignment { id } state firstSubmittedOn }
  }
}`;

/** What the figure of a report is, by the goal's kind. */
const VALUE_LABEL = {
  CUMULATIVE: '截至本月累计完成',
  RATE: '截至本月的比率',
  VETO: '截至本月累计发生',
  RANK: '当前排名（第几名）',
};

const p2 = (n) => String(n).padStart(2, '0');
function isoDate(d) {
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}
const today = isoDate(new Date());

/** The last day of a month "YYYY-MM", as "YYYY-MM-DD". */
function monthEnd(month) {
  const [y, m] = month.split('-').map(Number);
  return isoDate(new Date(y, m, 0));
}

/** The month whose reports are due now (the month before today's), kept
 * inside the plan period; a choice of page, not a figure. */
function defaultMonth(plan) {
  const d = new Date();
  d.setDate(1);
  d.setMonth(d.getMonth() - 1);
  let m = `${d.getFullYear()}-${p2(d.getMonth() + 1)}`;
  const first = plan.startDate.slice(0, 7);
  const last = plan.endDate.slice(0, 7);
  if (m < first) m = first;
  if (m > last) m = last;
  return m;
}

/** A fresh key for one submission, so a double tap files one report. */
function newKey() {
  return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
}

let me = null;
let ctx = null; // { plan, month, asOf, prev, units: Set of unit IDs, canWrite }

startPage({ title: '进度填报' }).then((who) => {
  me = who;
  return load();
});

async function load() {
  try {
    const { plans, units } = await gql('query Plans { plans { id name state startDate endDate } units { id name parent { id } archived } }');
    if (!plans.length) {
      fill(main, h('h1', {}, '进度填报'), h('p', { class: 'empty' }, '暂无需要填报的年度目标。'));
      document.body.dataset.ready = '1';
      return;
    }
    const plan = plans.find((p) => p.id === param('plan')) || plans.find((p) => p.state === 'ACTIVE') || plans[0];
    const asked = param('month');
    let month = asked && /^\d{4}-\d{2}$/.test(asked) ? asked : defaultMonth(plan);
    if (month < plan.startDate.slice(0, 7)) month = plan.startDate.slice(0, 7);
    if (month > plan.endDate.slice(0, 7)) month = plan.endDate.slice(0, 7);
    // A report is dated the month's last day, or today in the month under way.
    let asOf = monthEnd(month);
    if (asOf > today) asOf = today;
    if (asOf > plan.endDate) asOf = plan.endDate;
    const [y, m] = month.split('-').map(Number);
    let prev = isoDate(new Date(y, m - 1, 0));
    if (prev < plan.startDate) prev = plan.startDate;

    // Whose shares: a REPORTER's unit and every unit below it; others pick one.
    const unitId = me.role === 'REPORTER' && me.unit ? me.unit.id : param('unit');
    const unit = units.find((u) => u.id === unitId) || null;
    const below = new Set(unit ? [unit.id] : []);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of units) {
        if (u.parent && below.has(u.parent.id) && !below.has(u.id)) { below.add(u.id); grew = true; }
      }
    }
    const canWrite = (me.role === 'REPORTER' || me.role === 'ADMIN') && plan.state === 'ACTIVE';
    ctx = { plan, month, asOf, prev, unit, units: below, canWrite, unitList: units };

    const picker = h('form', { class: 'toolbar', method: 'get', action: '/report' },
      plans.length > 1 ? [h('label', { for: 'plan' }, '年度目标'),
        h('select', { id: 'plan', name: 'plan' }, plans.map((p) => h('option', { value: p.id, selected: p.id === plan.id }, p.name)))] : h('input', { type: 'hidden', name: 'plan', value: plan.id }),
      me.role !== 'REPORTER' ? [h('label', { for: 'unit' }, '责任单位'),
        h('select', { id: 'unit', name: 'unit' }, h('option', { value: '' }, '请选择'),
          units.filter((u) => !u.archived).map((u) => h('option', { value: u.id, selected: unit && u.id === unit.id }, u.name)))] : null,
      h('label', { for: 'month' }, '月份'),
      h('input', { type: 'month', id: 'month', name: 'month', value: month, min: plan.startDate.slice(0, 7), max: plan.endDate.slice(0, 7) }),
      h('button', { type: 'submit', class: 'btn' }, '查看'));
    const body = h('div', { id: 'report-body' }, h('p', { class: 'muted' }, '加载中…'));
    fill(main, h('div', { class: 'pagehead' }, h('h1', {}, '进度填报'), picker), body);
    if (!unit) {
      fill(body, h('p', { class: 'empty' }, me.role === 'REPORTER' ? '您的账号没有对应的责任单位，请联系目标办。' : '请选择要查看的责任单位。'));
    } else {
      const data = await gql(SHARES_QUERY, { id: plan.id, asOf, prev, month });
      render(body, data);
    }
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
  }
}

/** The shares of the chosen units, and the 节点 of their MILESTONE goals. */
function mine(data) {
  const states = new Map((data.reportingCalendar.assignments || []).map((e) => [e.assignment.id, e]));
  const shares = [];
  const milestoneGoals = [];
  for (const g of data.plan.allGoals) {
    const own = g.assignments.filter((a) => ctx.units.has(a.unit.id));
    if (!own.length) continue;
    if (g.kind === 'MILESTONE') milestoneGoals.push({ goal: g, units: own.map((a) => a.unit.name) });
    else for (const a of own) shares.push({ goal: g, a, cal: states.get(a.id) || null });
  }
  return { shares, milestoneGoals, cal: data.reportingCalendar };
}

function render(el, data) {
  const { plan } = data;
  const { shares, milestoneGoals, cal } = mine(data);
  const [y, m] = ctx.month.split('-').map(Number);
  const returned = shares.filter((s) => latestInMonth(s.a) && latestInMonth(s.a).status === 'RETURNED').length;
  const intro = h('p', { class: 'report-intro' },
    h('strong', {}, ctx.unit.name), ' · ', `${y}年${m}月`, ' · ',
    `截至日期 ${dateWords(ctx.asOf)}`,
    cal.reportsDue ? ` · 报送截止 ${dateWords(cal.dueDate)}` : ' · 本月不需要报送');
  const notes = [];
  if (plan.state !== 'ACTIVE') notes.push(h('div', { class: 'notice' }, plan.state === 'CLOSED' ? '该年度目标已结束，只能查看，不能再填报。' : '该年度目标尚未启用，暂不能填报。'));
  else if (!ctx.canWrite) notes.push(h('div', { class: 'notice' }, '您的账号只能查看，不能填报。'));
  if (returned) notes.push(h('div', { class: 'alert', role: 'status' }, `有 ${returned} 项填报被目标办退回，请按退回原因修改后重新提交。`));
  fill(el,
    intro, notes,
    h('section', { 'aria-labelledby': 'h-shares' },
      h('h2', { id: 'h-shares' }, `本月填报（${shares.length} 项）`),
      shares.length ? h('div', { class: 'shares' }, shares.map((s) => shareCard(s))) : h('p', { class: 'empty' }, '本单位没有需要填报数值的任务。')),
    milestoneGoals.length ? h('section', { 'aria-labelledby': 'h-milestones', class: 'milestone-section' },
      h('h2', { id: 'h-milestones' }, '节点'),
      h('div', { class: 'shares' }, milestoneGoals.map((mg) => milestoneCard(mg)))) : null);
}

/** The last report of the share dated in the month (any review state), or null. */
function latestInMonth(a) {
  const inMonth = a.reports.filter((r) => r.asOf.slice(0, 7) === ctx.month);
  return inMonth.length ? inMonth[inMonth.length - 1] : null;
}

function goalName(g) {
  return [g.code, g.title].filter(Boolean).join(' ');
}

function shareCard({ goal: g, a, cal }, notice = null) {
  const mu = g.measureUnit;
  const p = a.progress;
  const current = latestInMonth(a);
  const target = a.targetValue !== null ? a.targetValue : g.targetValue;
  const unitLine = [a.unit.name, `完成时限 ${a.deadline || g.deadline ? dateWords(a.deadline || g.deadline) : '年底'}`];
  const facts = h('dl', { class: 'facts share-facts' },
    h('dt', {}, g.kind === 'RANK' ? '目标名次' : g.kind === 'VETO' ? '上限' : '目标'),
    h('dd', { 'data-testid': 'target' }, target !== null ? amount(target, mu) : '—'),
    // The last figure on file (which may be older than last month).
    h('dt', {}, '上次填报'),
    h('dd', { 'data-testid': 'last' }, a.last ? [amount(a.last.value, mu), h('span', { class: 'muted' }, `（截至 ${dateWords(a.last.asOf)}）`)] : '尚无填报'),
    h('dt', {}, '序时进度'),
    h('dd', { 'data-testid': 'expected' }, p.expectedPercent !== null ? pct(p.expectedPercent) : '无序时要求'),
    h('dt', {}, '完成'),
    h('dd', {}, pct(p.completionPercent), ' ', lightBadge(p.light, { long: true }), ' ', h('span', { class: 'muted' }, STATUS_WORDS[p.status] || '')));
  const state = cal ? h('span', { class: `tag state-${cal.state}` }, REPORT_STATE_WORDS[cal.state]) : null;
  let status = null;
  if (current) {
    const word = REVIEW_WORDS[current.status] || current.status;
    if (current.status === 'RETURNED') {
      status = h('div', { class: 'alert returned', role: 'note', 'data-testid': 'returned' },
        h('strong', {}, '已退回'), `：本月填报的 ${amount(current.value, mu)} 被目标办退回。`,
        h('div', {}, '退回原因：', h('span', { 'data-testid': 'return-reason' }, current.reviewReason || '（未写原因）')),
        current.reviewedAt ? h('div', { class: 'muted' }, `${current.reviewedBy || '目标办'} · ${instant(current.reviewedAt)}`) : null,
        ctx.canWrite ? h('div', {}, '请修改后重新提交。') : null);
    } else {
      status = h('p', { class: 'share-status' },
        `本月已报 ${amount(current.value, mu)}（截至 ${dateWords(current.asOf)}）`,
        ' ', h('span', { class: `tag ${current.status === 'APPROVED' ? 'ok' : ''}` }, word),
        h('span', { class: 'muted' }, ` ${instant(current.submittedAt)}`));
    }
  }
  const card = h('article', { class: 'card share', 'data-assignment': a.id, 'aria-labelledby': `g-${a.id}` },
    h('h3', { id: `g-${a.id}` }, goalName(g), ' ', h('span', { class: 'tag' }, KIND_WORDS[g.kind] || g.kind), ' ', state),
    h('p', { class: 'muted share-unit' }, unitLine.join(' · ')),
    facts,
    notice,
    status,
    ctx.canWrite ? reportForm(g, a, current) : null);
  return card;
}

function reportForm(g, a, current) {
  const mu = g.measureUnit;
  const id = (name) => `${name}-${a.id}`;
  let key = newKey();
  const label = VALUE_LABEL[g.kind] || '本月数值';
  const value = h('input', {
    id: id('value'), name: 'value', type: 'text', inputmode: g.kind === 'RATE' ? 'decimal' : 'decimal',
    autocomplete: 'off', required: true, value: current ? String(current.value) : null,
    placeholder: a.last ? `上次 ${a.last.value}` : null, 'aria-describedby': id('msg'),
  });
  const area = (name, text, words) => h('div', { class: 'field' },
    h('label', { for: id(name) }, words),
    h('textarea', { id: id(name), name, rows: 3, maxlength: 2000 }, text || ''));
  const message = h('div', { id: id('msg'), class: 'form-message', 'aria-live': 'polite' });
  const confirmBox = h('div', { class: 'confirm hidden', role: 'alertdialog', 'aria-labelledby': id('confirm-text') });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, current ? (current.status === 'RETURNED' ? '修改后重新提交' : '更正并重新提交') : '提交');
  const form = h('form', { class: 'report-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id('value') }, label, mu && g.kind !== 'RANK' ? `（${mu}）` : ''), value),
    area('note', current && current.note, '进展'),
    area('problems', current && current.problems, '问题'),
    area('nextSteps', current && current.nextSteps, '下一步'),
    confirmBox, message,
    h('div', { class: 'form-actions' }, submit));
  // Anything changed is another report: it gets a key of its own.
  // …and what was said about the figure before is no longer news.
  form.addEventListener('input', () => { key = newKey(); fill(message); });
  const say = (text, kind = 'alert') => fill(message, h('div', { class: kind, role: kind === 'alert' ? 'alert' : 'status' }, text));

  async function send(number) {
    submit.disabled = true;
    fill(message, h('p', { class: 'muted' }, '正在提交…'));
    const text = (name) => {
      const v = form.elements[name].value.trim();
      return v === '' ? null : v;
    };
    try {
      const { submitReport: r } = await gql(`mutation Submit($input: SubmitReportInput!) {
        submitReport(input: $input) { ${REPORT} } }`, {
        input: {
          assignmentId: a.id, asOf: ctx.asOf, value: number,
          note: text('note'), problems: text('problems'), nextSteps: text('nextSteps'), idempotencyKey: key,
        },
      });
      key = newKey();
      const words = `已提交：${amount(r.value, mu)}（截至 ${dateWords(r.asOf)}），${REVIEW_WORDS[r.status] || ''}。`;
      await refresh(a.id, h('div', { class: 'notice', role: 'status', tabindex: '-1', 'data-testid': 'submitted' }, words));
    } catch (e) {
      submit.disabled = false;
      say(e.message);
    }
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    confirmBox.classList.add('hidden');
    if (value.value.trim() === '') { say('请填写数值。'); value.focus(); return; }
    const number = readNumber(value.value);
    if (number === null) { say(`“${value.value.trim()}”不是数字，请只填写数字（如 12.5 或 1,250）。`); value.focus(); return; }
    // Cumulative figures rarely fall: a lower one is asked about first. A
    // negative one goes straight to the server, which refuses it with its
    // reason: confirming a figure that cannot be filed helps nobody. Ten
    // times the share's target is most often 万元 typed for 亿元.
    const target = a.targetValue !== null ? a.targetValue : g.targetValue;
    const falls = g.kind === 'CUMULATIVE' && a.last && number >= 0 && number < a.last.value;
    const huge = g.kind === 'CUMULATIVE' && target > 0 && number > target * 10;
    if (falls || huge) {
      fill(message);
      const ask = falls
        ? `本月累计值 ${amount(number, mu)} 低于上次填报的 ${amount(a.last.value, mu)}（截至 ${dateWords(a.last.asOf)}）。累计数一般不会减少，确认无误吗？`
        : `本月累计值 ${amount(number, mu)} 是分解目标 ${amount(target, mu)} 的 ${Math.floor(number / target)} 倍，请核对数字和计量单位（${mu || '单位'}）。确认无误吗？`;
      fill(confirmBox,
        h('p', { id: id('confirm-text') }, ask),
        h('div', { class: 'form-actions' },
          h('button', { type: 'button', class: 'btn primary', 'data-action': 'confirm', onclick: () => { confirmBox.classList.add('hidden'); send(number); } }, '确认无误，提交'),
          h('button', { type: 'button', class: 'btn', onclick: () => { confirmBox.classList.add('hidden'); value.focus(); } }, '返回修改')));
      confirmBox.classList.remove('hidden');
      confirmBox.querySelector('button').focus();
      return;
    }
    send(number);
  });
  return form;
}

/** Asks the share again after a change and redraws its card alone (the
 * other forms keep what is being typed in them). */
async function refresh(assignmentId, notice) {
  const data = await gql(SHARES_QUERY, { id: ctx.plan.id, asOf: ctx.asOf, prev: ctx.prev, month: ctx.month });
  const { shares } = mine(data);
  const s = shares.find((x) => x.a.id === assignmentId);
  const old = main.querySelector(`article[data-assignment="${assignmentId}"]`);
  if (s && old) {
    const card = shareCard(s, notice);
    old.replaceWith(card);
    const shown = card.querySelector('[data-testid="submitted"]');
    if (shown) shown.focus();
  }
}

function milestoneCard({ goal: g, units }) {
  const rows = g.milestones.map((ms) => {
    const done = ms.completedOn;
    const msg = h('span', { class: 'form-message', 'aria-live': 'polite' });
    let action = null;
    if (!done && ctx.canWrite) {
      const dateId = `done-${ms.id}`;
      const date = h('input', { type: 'date', id: dateId, value: today, min: ctx.plan.startDate, required: true });
      action = h('form', { class: 'milestone-form' },
        h('label', { for: dateId }, '完成日期'), date,
        h('button', { type: 'submit', class: 'btn primary' }, '标记完成'), msg);
      action.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (!date.value) { fill(msg, h('span', { class: 'alert', role: 'alert' }, '请选择完成日期。')); return; }
        try {
          const { completeMilestone: r } = await gql(`mutation Done($input: CompleteMilestoneInput!) {
            completeMilestone(input: $input) { id completedOn completedLate } }`, { input: { milestoneId: ms.id, completedOn: date.value } });
          fill(li, milestoneLine(ms, r), h('span', { class: 'notice', role: 'status' }, '已标记完成。'));
        } catch (e) {
          fill(msg, h('span', { class: 'alert', role: 'alert' }, e.message));
        }
      });
    }
    const li = h('li', { 'data-milestone': ms.id }, milestoneLine(ms, ms), action);
    return li;
  });
  return h('article', { class: 'card share' },
    h('h3', {}, goalName(g), ' ', h('span', { class: 'tag' }, KIND_WORDS[g.kind])),
    h('p', { class: 'muted share-unit' }, units.join('、')),
    rows.length ? h('ul', { class: 'milestones' }, rows) : h('p', { class: 'empty' }, '暂无节点'));
}

function milestoneLine(ms, state) {
  return h('div', { class: 'milestone-line' },
    h('span', { class: 'milestone-title' }, ms.title),
    h('span', { class: 'muted' }, ` 计划 ${dateWords(ms.dueDate)}`),
    state.completedOn
      ? h('span', { class: `tag ${state.completedLate ? 'bad' : 'ok'}` }, `${state.completedLate ? '逾期完成' : '已完成'} ${dateWords(state.completedOn)}`)
      : h('span', { class: 'tag' }, '未完成'));
}
