// /supervision?plan=ID&tab=items|problems&item=ID&problem=ID — 督查督办
// and 问题台账 for everyone: the lists with their lights and states; one
// item or problem opened below with its history and its 佐证材料 (each a
// download); and the step the person may take now: a unit's clerk 签收,
// 反馈 and 申请办结 with files, or 开始整改 and 提交整改; the target office
// 办结, 退回, 催办, or 复查. The server decides who may; a refusal is said.
import { gql, gqlUpload, download } from '../api.js';
import { startPage, param } from '../layout.js';
import { h, fill, dateWords, lightBadge, table, showError } from '../format.js';

const main = document.getElementById('main');

const STATE_WORDS = {
  ASSIGNED: '已交办', ACCEPTED: '已签收', IN_PROGRESS: '办理中', CLOSURE_REQUESTED: '申请办结', CLOSED: '已办结',
};
const SOURCE_WORDS = {
  LEADER_INSTRUCTION: '领导批示', MEETING: '会议议定', RED_LIGHT: '红灯预警', INSPECTION: '督查检查', OTHER: '其他',
};
const LEVEL_WORDS = { NORMAL: '一般', KEY: '重点', LISTED: '挂牌' };
const EVENT_WORDS = {
  ASSIGN: '交办', ACCEPT: '签收', FEEDBACK: '反馈', CLOSURE_REQUEST: '申请办结', CLOSE: '办结', RETURN: '退回',
  URGE: '催办', EXTENSION_REQUEST: '申请延期', EXTENSION_DECISION: '延期审批', REOPEN: '重新打开',
  RECORD: '登记', START: '开始整改', SUBMIT: '提交整改', RECHECK_PASSED: '复查通过', RECHECK_FAILED: '复查未通过',
  ESCALATE: '升级督办',
};
const PROBLEM_STATE_WORDS = { OPEN: '待整改', RECTIFYING: '整改中', RECHECK: '待复查', CLOSED: '已销号' };
const SEVERITY_WORDS = { GENERAL: '一般', MAJOR: '较大', SERIOUS: '重大' };

const FILES = 'attachments { id name size url }';
const QUERY = `
query Supervision($plan: ID) {
  plans { id name state today }
  supervisionItems(planId: $plan) {
    id title content source level state urgeCount assignedOn deadline deadlineInForce closedOn
    light overdue responsibleLeader
    leadUnit { id name } supportingUnits { id name }
    extensionRequests { id newDeadline reason decision }
    events { kind content onDate actor ${FILES} }
  }
  problems(planId: $plan) {
    id title description category severity source foundOn enterprise location deadline state overdue closedOn
    unit { id name } escalatedItem { id }
    events { kind content onDate actor ${FILES} }
  }
}`;

let me = null;
startPage({ title: '督查督办' }).then((who) => {
  me = who;
  return load();
});

async function load(flash = null) {
  try {
    const { plans } = await gql('{ plans { id name state today } }');
    const planId = param('plan') || (plans.find((p) => p.state === 'ACTIVE') || plans[0] || {}).id || null;
    const data = await gql(QUERY, { plan: planId });
    render(data, planId, flash);
    // What a step did is said where the person looks: scrolled to, focused.
    if (flash) {
      const said = document.getElementById('result');
      said.scrollIntoView({ block: 'center' });
      said.focus({ preventScroll: true });
    }
  } catch (e) {
    showError(main, e);
  }
  document.body.dataset.ready = '1';
}

function link(params) {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === null) q.delete(k); else q.set(k, v);
  }
  return '/supervision?' + q.toString();
}

function size(bytes) {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function files(list) {
  if (!list || !list.length) return null;
  return h('ul', { class: 'files' }, list.map((f) => h('li', {},
    h('a', { href: f.url, 'data-attachment': f.id, onclick: (e) => { e.preventDefault(); download(f.url).catch((err) => alert(err.message)); } }, f.name),
    h('span', { class: 'muted' }, ` ${size(f.size)}`))));
}

function history(events) {
  return h('ol', { class: 'history' }, events.map((e) => h('li', {},
    h('div', {}, h('strong', {}, EVENT_WORDS[e.kind] || e.kind), h('span', { class: 'muted' }, ` ${dateWords(e.onDate)} · ${e.actor}`)),
    e.content ? h('div', { class: 'clip' }, e.content) : null,
    files(e.attachments))));
}

function render(data, planId, flash) {
  const tab = param('tab') === 'problems' ? 'problems' : 'items';
  const plan = data.plans.find((p) => p.id === planId);
  const picker = h('form', { class: 'toolbar', method: 'get', action: '/supervision' },
    h('input', { type: 'hidden', name: 'tab', value: tab }),
    h('label', { for: 'plan' }, '年度目标'),
    h('select', { id: 'plan', name: 'plan' }, data.plans.map((p) => h('option', { value: p.id, selected: p.id === planId }, p.name))),
    h('button', { type: 'submit', class: 'btn' }, '查看'),
    planId ? h('button', {
      type: 'button', class: 'btn', 'data-testid': 'export-ledger',
      onclick: () => download(`/export/plans/${planId}?format=${tab === 'problems' ? 'problems' : 'supervision'}`).catch((e) => alert(e.message)),
    }, '导出台账') : null);
  const tabs = h('nav', { class: 'tabs', 'aria-label': '督办与台账' },
    h('a', { href: link({ tab: 'items', problem: null }), 'aria-current': tab === 'items' ? 'page' : null }, `督办事项（${data.supervisionItems.length}）`),
    h('a', { href: link({ tab: 'problems', item: null }), 'aria-current': tab === 'problems' ? 'page' : null }, `问题台账（${data.problems.length}）`));
  const head = h('div', { class: 'pagehead' }, h('h1', {}, '督查督办'), picker);
  const note = plan && tab === 'items' ? h('p', { class: 'muted' }, `灯色截至 ${dateWords(plan.today)}。`) : null;
  const result = h('div', { id: 'result', 'aria-live': 'polite', tabindex: '-1' }, flash);
  if (tab === 'problems') {
    fill(main, head, tabs, note, result, problemsCard(data.problems), problemDetail(data.problems),
      me.role === 'ADMIN' && planId ? importCard(planId) : null);
  } else {
    fill(main, head, tabs, note, result, itemsCard(data.supervisionItems), itemDetail(data.supervisionItems));
  }
}

function itemsCard(items) {
  const open = param('item');
  return h('section', { class: 'card' }, table([
    { head: '督办事项', cell: (i) => h('a', { href: link({ item: i.id }), 'aria-current': i.id === open ? 'true' : null }, i.title) },
    { head: '来源', cell: (i) => SOURCE_WORDS[i.source] },
    { head: '级别', cell: (i) => LEVEL_WORDS[i.level] },
    { head: '牵头单位', cell: (i) => i.leadUnit.name },
    { head: '办理时限', cell: (i) => dateWords(i.deadlineInForce) },
    { head: '状态', cell: (i) => STATE_WORDS[i.state] },
    { head: '督办灯', cell: (i) => (i.light ? lightBadge(i.light, { long: true }) : h('span', { class: 'muted' }, '—')) },
    { head: '催办', num: true, cell: (i) => i.urgeCount || '' },
  ], items, { empty: me.role === 'REPORTER' ? '本单位在这个年度目标中没有督办事项。' : '这个年度目标还没有督办事项。' }));
}

function problemsCard(problems) {
  const open = param('problem');
  return h('section', { class: 'card' }, table([
    { head: '问题', cell: (p) => h('a', { href: link({ problem: p.id }), 'aria-current': p.id === open ? 'true' : null }, p.title) },
    { head: '类别', cell: (p) => p.category },
    { head: '严重程度', cell: (p) => SEVERITY_WORDS[p.severity] },
    { head: '企业', cell: (p) => p.enterprise || '—' },
    { head: '责任单位', cell: (p) => p.unit.name },
    { head: '整改时限', cell: (p) => dateWords(p.deadline) },
    { head: '状态', cell: (p) => h('span', {}, PROBLEM_STATE_WORDS[p.state], p.overdue ? h('span', { class: 'light light-RED', title: '已过整改时限' }, '逾期') : null) },
  ], problems, { empty: me.role === 'REPORTER' ? '本单位在这个年度目标中没有登记的问题。' : '这个年度目标还没有登记问题。' }));
}

/** Uploads the chosen files one by one: their IDs. A refused file
 * discards the ones already up, so a failed step leaves nothing behind. */
async function upload(input) {
  const ids = [];
  try {
    for (const file of input.files) {
      const data = await gqlUpload('mutation($file: Upload!) { uploadAttachment(file: $file) { id } }', { file: null }, file, 'variables.file');
      ids.push(data.uploadAttachment.id);
    }
  } catch (err) {
    await discard(ids);
    throw err;
  }
  return ids;
}

/** Removes uploads no step cited (best effort: the server expires them). */
async function discard(ids) {
  for (const id of ids) {
    try { await gql('mutation($id: ID!) { discardAttachment(id: $id) }', { id }); } catch (e) { /* expires in a day */ }
  }
}

/** A message next to the control that caused it, brought into view. */
function say(where, text) {
  const box = h('div', { class: 'alert', role: 'alert', tabindex: '-1' }, text);
  fill(where, box);
  box.scrollIntoView({ block: 'center' });
  box.focus({ preventScroll: true });
}

/** A form with a text (or a date and a text), optional files and one button. */
function stepForm({ id, label, button, withFiles, withDate = null, required = true, run }) {
  const text = h('textarea', { id: `${id}-text`, rows: 3, required: required || null, maxlength: 2000 });
  const date = withDate ? h('input', { type: 'date', id: `${id}-date`, required: true }) : null;
  const chooser = withFiles ? h('input', { type: 'file', id: `${id}-files`, multiple: true, accept: '.pdf,.ofd,.jpg,.jpeg,.png,.gif,.webp,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.wps,.et' }) : null;
  const go = h('button', { type: 'submit', class: 'btn primary', id: `${id}-go` }, button);
  const message = h('div', { class: 'form-message', id: `${id}-message` });
  const form = h('form', { class: 'step', 'data-step': id },
    date ? h('div', { class: 'toolbar' }, h('label', { for: `${id}-date` }, withDate), date) : null,
    h('label', { for: `${id}-text` }, label), text,
    chooser ? h('div', { class: 'toolbar' }, h('label', { for: `${id}-files` }, '佐证材料（PDF、图片、Office 文档，每个不超过 20 MB）'), chooser) : null,
    h('div', {}, go), message);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    go.disabled = true;
    let ids = [];
    try {
      ids = chooser ? await upload(chooser) : [];
      const said = await run(text.value.trim(), ids, date ? date.value : null);
      await load(h('div', { class: 'notice', role: 'status' }, said));
    } catch (err) {
      await discard(ids);
      say(message, err.message);
      go.disabled = false;
    }
  });
  return form;
}

function button(id, label, run) {
  const message = h('div', { class: 'form-message', id: `${id}-message` });
  return h('div', { class: 'step-button' },
    h('button', {
      type: 'button', class: 'btn', id,
      onclick: async () => {
        try {
          await load(h('div', { class: 'notice', role: 'status' }, await run()));
        } catch (err) {
          say(message, err.message);
        }
      },
    }, label),
    message);
}

function itemDetail(items) {
  const item = items.find((i) => i.id === param('item'));
  if (!item) return null;
  const forms = [];
  // The unit's steps for its clerks, the office's for the office: an ADMIN
  // may act for a unit through the API, the page keeps the roles apart.
  const unit = me.role === 'REPORTER';
  const office = me.role === 'ADMIN';
  const v = { id: item.id };
  const waiting = item.extensionRequests.find((x) => !x.decision);
  if (unit && item.state === 'ASSIGNED') {
    forms.push(button('accept', '签收', async () => {
      await gql('mutation($id: ID!) { acceptSupervisionItem(id: $id) { id } }', v);
      return '已签收。';
    }));
  }
  if (unit && ['ACCEPTED', 'IN_PROGRESS'].includes(item.state)) {
    forms.push(stepForm({
      id: 'feedback', label: '反馈办理进展', button: '提交反馈', withFiles: true,
      run: async (content, ids) => {
        await gql('mutation($i: SupervisionFeedbackInput!) { addSupervisionFeedback(input: $i) { id } }',
          { i: { itemId: item.id, content, attachmentIds: ids } });
        return ids.length ? `已反馈，附 ${ids.length} 个佐证材料。` : '已反馈。';
      },
    }));
    forms.push(stepForm({
      id: 'closure', label: '申请办结：办理结果', button: '申请办结', withFiles: true,
      run: async (summary, ids) => {
        await gql('mutation($i: SupervisionClosureInput!) { requestSupervisionClosure(input: $i) { id } }',
          { i: { itemId: item.id, summary, attachmentIds: ids } });
        return '已申请办结，等待目标办审核。';
      },
    }));
    if (!waiting) {
      forms.push(stepForm({
        id: 'extend', label: '申请延期：理由', button: '申请延期', withDate: '延期至',
        run: async (reason, ids, newDeadline) => {
          await gql('mutation($i: RequestExtensionInput!) { requestExtension(input: $i) { id } }',
            { i: { itemId: item.id, newDeadline, reason } });
          return `已申请延期至 ${dateWords(newDeadline)}，等待目标办决定。`;
        },
      }));
    }
  }
  if (office && waiting) {
    forms.push(h('p', { class: 'notice', 'data-testid': 'extension-waiting' },
      `责任单位申请延期至 ${dateWords(waiting.newDeadline)}：${waiting.reason}`));
    forms.push(button('approve-extension', '批准延期', async () => {
      await gql('mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { id } }', { i: { requestId: waiting.id, approve: true } });
      return `已批准延期至 ${dateWords(waiting.newDeadline)}。`;
    }));
    forms.push(stepForm({
      id: 'reject-extension', label: '不批准延期：理由', button: '不批准',
      run: async (reason) => {
        await gql('mutation($i: DecideExtensionInput!) { decideExtension(input: $i) { id } }', { i: { requestId: waiting.id, approve: false, reason } });
        return '已不批准延期。';
      },
    }));
  }
  if (office && item.state === 'CLOSURE_REQUESTED') {
    forms.push(button('close', '同意办结', async () => {
      await gql('mutation($id: ID!) { closeSupervisionItem(id: $id) { id } }', v);
      return '已办结。';
    }));
    forms.push(stepForm({
      id: 'return', label: '退回：退回理由', button: '退回',
      run: async (reason) => {
        await gql('mutation($i: SupervisionReasonInput!) { returnSupervisionItem(input: $i) { id } }', { i: { itemId: item.id, reason } });
        return '已退回，责任单位继续办理。';
      },
    }));
  }
  if (office && item.state !== 'CLOSED') {
    forms.push(button('urge', '催办', async () => {
      await gql('mutation($id: ID!) { urgeSupervisionItem(id: $id) { id } }', v);
      return '已催办。';
    }));
  }
  if (office && item.state === 'CLOSED') {
    forms.push(stepForm({
      id: 'reopen', label: '重新打开：理由', button: '重新打开',
      run: async (reason) => {
        await gql('mutation($i: SupervisionReasonInput!) { reopenSupervisionItem(input: $i) { id } }', { i: { itemId: item.id, reason } });
        return '已重新打开，责任单位继续办理。';
      },
    }));
  }
  const facts = [
    ['来源', SOURCE_WORDS[item.source]], ['级别', LEVEL_WORDS[item.level]], ['牵头单位', item.leadUnit.name],
    ['配合单位', item.supportingUnits.map((u) => u.name).join('、') || '—'], ['责任领导', item.responsibleLeader || '—'],
    ['交办日期', dateWords(item.assignedOn)],
    ['办理时限', item.deadline === item.deadlineInForce ? dateWords(item.deadline) : `${dateWords(item.deadlineInForce)}（原 ${dateWords(item.deadline)}，已批准延期）`],
    ['状态', STATE_WORDS[item.state] + (item.closedOn ? `（${dateWords(item.closedOn)}）` : '')],
  ];
  return h('section', { class: 'card detail', id: 'item-detail', 'data-item': item.id },
    h('h2', {}, item.title, ' ', item.light ? lightBadge(item.light, { long: true }) : null),
    item.content ? h('p', { class: 'clip' }, item.content) : null,
    h('dl', { class: 'facts' }, facts.map(([k, val]) => [h('dt', {}, k), h('dd', {}, val)])),
    h('h3', {}, '办理过程'), history(item.events),
    forms.length ? h('div', { class: 'steps' }, forms) : null);
}

const SOURCE_OF_PROBLEM = { CHECK: '检查', PATROL: '巡查', PETITION: '信访', HIGHER_INSPECTION: '上级督查', SELF_CHECK: '自查' };

/** 导入问题清单 (the office): a sheet checked first (预览: every row as
 * read, with what was read by a rule), then imported all or nothing. */
function importCard(planId) {
  const chooser = h('input', { type: 'file', id: 'problem-list', accept: '.xlsx,.csv' });
  const out = h('div', { id: 'problem-list-result', 'aria-live': 'polite' });
  const run = async (dryRun) => {
    const file = chooser.files[0];
    if (!file) {
      say(out, '请先选择问题清单文件（.xlsx）。');
      return;
    }
    try {
      const data = await gqlUpload(`mutation($input: ImportProblemsInput!) { importProblems(input: $input) {
          dryRun count preview { row title category severity source foundOn deadline unit { name } notes } } }`,
      { input: { planId, file: null, dryRun } }, file);
      const r = data.importProblems;
      if (!dryRun) {
        await load(h('div', { class: 'notice', role: 'status' }, `已导入 ${r.count} 个问题。`));
        return;
      }
      fill(out, h('p', { class: 'notice', role: 'status', 'data-testid': 'preview-said' },
        `可以导入 ${r.count} 个问题；请核对下表，特别是“说明”一栏，无误后点“导入”。`),
      table([
        { head: '行', num: true, cell: (x) => x.row },
        { head: '问题', cell: (x) => x.title },
        { head: '类别', cell: (x) => x.category },
        { head: '严重程度', cell: (x) => SEVERITY_WORDS[x.severity] },
        { head: '来源', cell: (x) => SOURCE_OF_PROBLEM[x.source] },
        { head: '责任单位', cell: (x) => x.unit.name },
        { head: '发现日期', cell: (x) => dateWords(x.foundOn) },
        { head: '整改时限', cell: (x) => dateWords(x.deadline) },
        { head: '说明', cell: (x) => x.notes.join('；') || '—' },
      ], r.preview));
    } catch (err) {
      const problems = (err.problems || []).map((p) => h('li', {}, `${p.cell || '第 ' + p.row + ' 行'}${p.header ? '（' + p.header + '）' : ''}：${p.message}`));
      fill(out, h('div', { class: 'alert', role: 'alert', tabindex: '-1' }, err.message,
        problems.length ? h('ul', { 'data-testid': 'sheet-problems' }, problems) : null));
      out.scrollIntoView({ block: 'center' });
    }
  };
  return h('section', { class: 'card detail', id: 'problem-import' },
    h('h2', {}, '导入问题清单'),
    h('p', { class: 'muted' }, '表头需有“问题”（或“存在问题”）、“责任单位”、“发现时间”、“整改时限”，可另有类别、严重程度、来源、企业名称、位置、整改措施；全部无误才导入，有误时指出单元格。'),
    h('div', { class: 'toolbar' }, h('label', { for: 'problem-list' }, '问题清单'), chooser,
      h('button', { type: 'button', class: 'btn', id: 'problem-list-check', onclick: () => run(true) }, '预览'),
      h('button', { type: 'button', class: 'btn primary', id: 'problem-list-import', onclick: () => run(false) }, '导入')),
    out);
}

function problemDetail(problems) {
  const p = problems.find((x) => x.id === param('problem'));
  if (!p) return null;
  const forms = [];
  const unit = me.role === 'REPORTER';
  if (unit && p.state === 'OPEN') {
    forms.push(button('start', '开始整改', async () => {
      await gql('mutation($id: ID!) { startRectification(id: $id) { id } }', { id: p.id });
      return '已开始整改。';
    }));
  }
  if (unit && ['OPEN', 'RECTIFYING'].includes(p.state)) {
    forms.push(stepForm({
      id: 'rectify', label: '提交整改：整改情况', button: '提交整改', withFiles: true,
      run: async (content, ids) => {
        await gql('mutation($i: SubmitRectificationInput!) { submitRectification(input: $i) { id } }',
          { i: { problemId: p.id, content, attachmentIds: ids } });
        return '已提交整改，等待复查。';
      },
    }));
  }
  if (me.role === 'ADMIN' && p.state === 'RECHECK') {
    forms.push(button('pass', '复查通过（销号）', async () => {
      await gql('mutation($i: RecheckProblemInput!) { recheckProblem(input: $i) { id } }', { i: { problemId: p.id, passed: true } });
      return '复查通过，已销号。';
    }));
    forms.push(stepForm({
      id: 'fail', label: '复查未通过：复查意见', button: '复查未通过',
      run: async (note) => {
        await gql('mutation($i: RecheckProblemInput!) { recheckProblem(input: $i) { id } }', { i: { problemId: p.id, passed: false, note } });
        return '已退回继续整改。';
      },
    }));
  }
  if (me.role === 'ADMIN' && p.state !== 'CLOSED' && !p.escalatedItem) {
    forms.push(button('escalate', '升级督办（下发整改督办单）', async () => {
      await gql('mutation($id: ID!) { escalateProblem(id: $id) { id } }', { id: p.id });
      return '已升级为督办事项，可在“督办事项”中跟踪。';
    }));
  }
  const facts = [
    ['类别', p.category], ['严重程度', SEVERITY_WORDS[p.severity]], ['企业', p.enterprise || '—'], ['位置', p.location || '—'],
    ['责任单位', p.unit.name], ['发现日期', dateWords(p.foundOn)], ['整改时限', dateWords(p.deadline) + (p.overdue ? '（已逾期）' : '')],
    ['状态', PROBLEM_STATE_WORDS[p.state] + (p.closedOn ? `（${dateWords(p.closedOn)}）` : '')],
  ];
  return h('section', { class: 'card detail', id: 'problem-detail', 'data-problem': p.id },
    h('h2', {}, p.title),
    p.description ? h('p', { class: 'clip' }, p.description) : null,
    h('dl', { class: 'facts' }, facts.map(([k, val]) => [h('dt', {}, k), h('dd', {}, val)])),
    h('h3', {}, '整改过程'), history(p.events),
    forms.length ? h('div', { class: 'steps' }, forms) : null);
}

