// /import — 导入分解表 and the plans: upload a 目标任务分解表 (.xlsx/.csv),
// check it first (a dry run shows the tree as it would be stored and
// every problem with its cell), then import it for real; download a
// plan's 完成情况表 (.xlsx/.csv) and 分解表; activate, close or reopen a plan.
import { gql, gqlUpload, download } from '../api.js';
import { startPage } from '../layout.js';
import { h, fill, amount, dateWords, showError, KIND_WORDS } from '../format.js';

const main = document.getElementById('main');

const PLAN_STATE_WORDS = { DRAFT: '草稿（未启用）', ACTIVE: '执行中', CLOSED: '已结束' };

const IMPORT_MUTATION = `
mutation Import($input: ImportPlanInput!) {
  importPlan(input: $input) {
    dryRun planId planName planCreated sheetName goalCount assignmentCount milestoneCount
    createdUnits ignoredColumns usedColumns planRemarks
    goals {
      row code parentCode title category kind targetValue measureUnit deadline leadUnit depth weight
      subset previousYearValue leadByDefault supportingText
      shares { unit targetValue deadline }
      milestones { title dueDate weight }
    }
  }
}`;

let me = null;
startPage({ title: '导入分解表' }).then((who) => {
  me = who;
  return load();
});

async function load() {
  try {
    const isAdmin = me.role === 'ADMIN';
    const { plans, units } = await gql(isAdmin
      ? 'query Plans { plans { id name year state startDate endDate } units { id name parent { id } archived } }'
      : 'query Plans { plans { id name year state startDate endDate } }');
    // The parks a new plan may belong to: the live top-level units.
    const parks = (units || []).filter((u) => !u.parent && !u.archived);
    fill(main,
      h('div', { class: 'pagehead' }, h('h1', {}, isAdmin ? '导入分解表' : '年度目标与导出')),
      h('div', { class: 'stack' },
        isAdmin ? importSection(plans, parks) : null,
        plansSection(plans, isAdmin)));
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
    document.body.dataset.ready = '1';
  }
}

function importSection(plans, parks) {
  const file = h('input', { type: 'file', id: 'sheet-file', name: 'file', accept: '.xlsx,.csv', required: true });
  const target = h('select', { id: 'target' },
    h('option', { value: 'year' }, '按年份（没有则新建草稿）'),
    plans.map((p) => h('option', { value: p.id }, `导入到：${p.name}（需尚无目标任务）`)));
  const year = h('input', { type: 'number', id: 'year', min: 2000, max: 2100, value: String(new Date().getFullYear() + 1), inputmode: 'numeric' });
  const name = h('input', { type: 'text', id: 'plan-name', maxlength: 200, placeholder: '默认取表格标题' });
  // With several top-level units the new plan's park must be chosen;
  // with one it is that one (the server takes it).
  const owner = h('select', { id: 'owner' },
    h('option', { value: '' }, '请选择'),
    parks.map((u) => h('option', { value: u.id }, u.name)));
  const ownerRow = parks.length > 1
    ? h('div', { class: 'inline-form', style: 'margin-top:8px' }, h('label', { for: 'owner' }, '所属园区'), owner)
    : null;
  const createUnits = h('input', { type: 'checkbox', id: 'create-units' });
  const check = h('button', { type: 'submit', class: 'btn primary', id: 'dry-run' }, '检查（不导入）');
  const doIt = h('button', { type: 'button', class: 'btn', id: 'import-now', disabled: true }, '正式导入');
  const out = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const yearRow = h('div', { class: 'inline-form' }, h('label', { for: 'year' }, '年份'), year, h('label', { for: 'plan-name' }, '新年度目标名称'), name);
  target.addEventListener('change', () => {
    yearRow.classList.toggle('hidden', target.value !== 'year');
    if (ownerRow) ownerRow.classList.toggle('hidden', target.value !== 'year');
  });
  let checked = null; // the file and options the last clean dry run was for
  const options = () => ({ file: file.files[0], target: target.value, year: year.value, name: name.value.trim(), owner: owner.value, create: createUnits.checked });
  const same = (a, b) => a && b && a.file === b.file && a.target === b.target && a.year === b.year && a.name === b.name && a.owner === b.owner && a.create === b.create;
  const form = h('form', { class: 'card', id: 'import-form', 'aria-labelledby': 'h-import' },
    h('h2', { id: 'h-import' }, '上传目标任务分解表'),
    h('p', { class: 'muted' }, '支持 .xlsx 或 .csv。先“检查”：列出将要导入的目标任务和表格中每个需要修改的单元格；没有问题再“正式导入”（全部导入或全部不导入）。'),
    h('div', { class: 'inline-form' }, h('label', { for: 'sheet-file' }, '文件'), file),
    h('div', { class: 'inline-form', style: 'margin-top:8px' }, h('label', { for: 'target' }, '导入到'), target),
    h('div', { style: 'margin-top:8px' }, yearRow),
    ownerRow,
    h('div', { class: 'inline-form', style: 'margin-top:8px' }, createUnits, h('label', { for: 'create-units' }, '表中有系统里没有的责任单位时，自动新建')),
    h('div', { class: 'form-actions', style: 'margin-top:12px' }, check, doIt));
  form.addEventListener('input', () => {
    if (!same(checked, options())) doIt.disabled = true;
  });
  async function run(dryRun) {
    const o = options();
    if (!o.file) { fill(out, h('div', { class: 'alert', role: 'alert' }, '请先选择要上传的分解表文件。')); file.focus(); return; }
    const input = { file: null, dryRun, createUnknownUnits: o.create };
    if (o.target === 'year') {
      const y = Number(o.year);
      if (!Number.isInteger(y)) { fill(out, h('div', { class: 'alert', role: 'alert' }, '请填写年份，如 2026。')); year.focus(); return; }
      input.year = y;
      if (o.name) input.planName = o.name;
      if (o.owner) input.ownerUnitId = o.owner;
    } else {
      input.planId = o.target;
    }
    check.disabled = true;
    doIt.disabled = true;
    fill(out, h('p', { class: 'muted' }, dryRun ? '正在检查…' : '正在导入…'));
    try {
      const { importPlan: r } = await gqlUpload(IMPORT_MUTATION, { input }, o.file);
      checked = dryRun ? o : null;
      fill(out, result(r));
      doIt.disabled = !dryRun;
      if (!dryRun) {
        const { plans } = await gql('query Plans { plans { id name year state startDate endDate } }');
        document.getElementById('plans-section').replaceWith(plansSection(plans, true));
      }
    } catch (e) {
      checked = null;
      fill(out, problems(e));
    } finally {
      check.disabled = false;
    }
    out.focus();
  }
  form.addEventListener('submit', (ev) => { ev.preventDefault(); run(true); });
  doIt.addEventListener('click', () => run(false));
  out.setAttribute('tabindex', '-1');
  return h('div', {}, form, out);
}

/** A refusal: the sentence, then each problem with its cell. */
function problems(e) {
  const list = e.problems || [];
  // With problems listed, the server's sentence ("表格中有 N 处需要修改，
  // 未导入任何内容") is the headline; otherwise it is the reason below one.
  return h('section', { class: 'card', 'aria-labelledby': 'h-problems', style: 'margin-top:14px' },
    h('h2', { id: 'h-problems', role: list.length ? 'alert' : null }, list.length ? e.message : '没有导入'),
    list.length ? null : h('div', { class: 'alert', role: 'alert' }, e.message),
    list.length ? h('ol', { class: 'problems', 'data-testid': 'problems' }, list.map((p) => h('li', {},
      h('span', { class: 'cell' }, p.cell || (p.column ? `${p.column}${p.row}` : `第 ${p.row} 行`)),
      p.header ? h('span', { class: 'muted' }, `（${p.header}）`) : null,
      '：', p.message))) : null,
    e.moreProblems ? h('p', { class: 'muted' }, `另有 ${e.moreProblems} 处未列出，请先修改以上问题。`) : null);
}

/** What a dry run would create (or an import created): counts, columns, the tree. */
function result(r) {
  const facts = [
    ['工作表', r.sheetName],
    ['年度目标', `${r.planName}${r.planCreated ? (r.dryRun ? '（将新建）' : '（已新建）') : ''}`],
    ['目标任务', `${r.goalCount} 项`],
    ['分解到单位', `${r.assignmentCount} 项`],
    ['节点', `${r.milestoneCount} 个`],
    r.createdUnits.length ? [r.dryRun ? '将新建单位' : '已新建单位', r.createdUnits.join('、')] : null,
    ['读取的列', r.usedColumns.join('，') || '—'],
    r.ignoredColumns.length ? ['未读取的列', r.ignoredColumns.join('，')] : null,
    r.planRemarks ? ['表下注释', r.planRemarks] : null,
  ].filter(Boolean);
  const rows = r.goals.map((g) => h('tr', {},
    h('td', { class: 'num' }, g.row),
    h('td', { class: 'tree-title' },
      h('div', { style: `padding-left:${g.depth * 1.5}em` },
        g.code ? h('strong', {}, g.code, ' ') : null,
        g.subset ? h('span', { class: 'tag' }, '其中') : null, ' ', g.title,
        g.category ? h('div', { class: 'muted' }, g.category) : null)),
    h('td', {}, KIND_WORDS[g.kind] || g.kind),
    h('td', { class: 'num' }, g.targetValue !== null ? amount(g.targetValue, g.measureUnit) : '—',
      g.previousYearValue !== null ? h('div', { class: 'muted' }, '上年 ', amount(g.previousYearValue, g.measureUnit)) : null),
    h('td', { class: 'num' }, amount(g.weight)),
    h('td', {}, g.deadline ? dateWords(g.deadline) : '年底'),
    h('td', {}, g.leadUnit || '—',
      g.leadByDefault ? h('div', { class: 'muted' }, '（未分解，牵头单位承担全部）') : null),
    h('td', {}, g.shares.length ? h('ul', { class: 'plain' }, g.shares.map((s) => h('li', {},
      s.unit, s.targetValue !== null ? `：${amount(s.targetValue, g.measureUnit)}` : '',
      s.deadline ? h('span', { class: 'muted' }, `（${dateWords(s.deadline)}）`) : null))) : '—',
      g.supportingText ? h('div', { class: 'muted' }, '配合：', g.supportingText) : null),
    h('td', {}, g.milestones.length ? h('ul', { class: 'plain' }, g.milestones.map((m) => h('li', {},
      m.title, h('span', { class: 'muted' }, ` ${dateWords(m.dueDate)}`)))) : '—')));
  return h('section', { class: 'card', 'aria-labelledby': 'h-result', style: 'margin-top:14px', 'data-testid': 'import-result' },
    h('h2', { id: 'h-result' }, r.dryRun ? '检查通过：以下内容将被导入（尚未导入）' : '导入完成'),
    r.dryRun ? h('div', { class: 'notice' }, '确认无误后，点“正式导入”。') : h('div', { class: 'notice', role: 'status' }, `已导入到“${r.planName}”。新年度目标为草稿，核对后在下方“启用”。`),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
    h('div', { class: 'table-scroll', style: 'margin-top:10px' }, h('table', { id: 'import-tree' },
      h('thead', {}, h('tr', {}, ['行', '目标任务', '类型', '目标值', '分值', '完成时限', '牵头单位', '责任单位', '节点'].map((t, i) =>
        h('th', { scope: 'col', class: [0, 3, 4].includes(i) ? 'num' : null }, t)))),
      h('tbody', {}, rows))));
}

function plansSection(plans, isAdmin) {
  const p2 = (n) => String(n).padStart(2, '0');
  const d = new Date();
  const today = `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
  const rows = plans.map((p) => {
    const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
    const asOfId = `asof-${p.id}`;
    const asOf = h('input', { type: 'date', id: asOfId, value: today < p.endDate ? (today > p.startDate ? today : p.startDate) : p.endDate });
    const get = (format) => async () => {
      fill(msg, h('span', { class: 'muted' }, '正在生成…'));
      try {
        const q = format === 'breakdown' ? 'format=breakdown' : `format=${format}&asOf=${encodeURIComponent(asOf.value)}`;
        const name = await download(`/export/plans/${encodeURIComponent(p.id)}?${q}`);
        fill(msg, h('span', { class: 'notice', role: 'status' }, `已下载 ${name}`));
      } catch (e) {
        fill(msg, h('span', { class: 'alert', role: 'alert' }, e.message));
      }
    };
    const step = (label, mutation, cls = 'btn') => {
      const b = h('button', { type: 'button', class: cls, 'data-action': mutation }, label);
      let armed = false;
      b.addEventListener('click', async () => {
        // A second press confirms: the step changes what everyone may do.
        if (!armed) { armed = true; b.textContent = `确认${label}？`; return; }
        b.disabled = true;
        try {
          await gql(`mutation Step($id: ID!) { ${mutation}(id: $id) { id state } }`, { id: p.id });
          const { plans: fresh } = await gql('query Plans { plans { id name year state startDate endDate } }');
          const section = plansSection(fresh, isAdmin);
          document.getElementById('plans-section').replaceWith(section);
          const say = section.querySelector(`[data-plan="${p.id}"] .form-message`);
          if (say) fill(say, h('span', { class: 'notice', role: 'status' }, `已${label}。`));
        } catch (e) {
          b.disabled = false;
          armed = false;
          b.textContent = label;
          fill(msg, h('span', { class: 'alert', role: 'alert' }, e.message));
        }
      });
      return b;
    };
    const steps = !isAdmin ? [] : p.state === 'DRAFT' ? [step('启用', 'activatePlan', 'btn primary')]
      : p.state === 'ACTIVE' ? [step('结束本年度', 'closePlan', 'btn danger')] : [step('重新开启', 'reopenPlan')];
    return h('tr', { 'data-plan': p.id },
      h('td', {}, h('a', { href: `/dashboard?plan=${p.id}` }, p.name)),
      h('td', {}, p.year),
      h('td', {}, h('span', { class: `tag${p.state === 'ACTIVE' ? ' ok' : ''}` }, PLAN_STATE_WORDS[p.state] || p.state)),
      h('td', {}, `${dateWords(p.startDate)} — ${dateWords(p.endDate)}`),
      h('td', {}, h('div', { class: 'inline-form' },
        h('label', { for: asOfId, class: 'muted' }, '截至'), asOf,
        h('button', { type: 'button', class: 'btn', onclick: get('xlsx') }, '完成情况表 .xlsx'),
        h('button', { type: 'button', class: 'btn', onclick: get('csv') }, '.csv'),
        h('button', { type: 'button', class: 'btn', onclick: get('breakdown') }, '分解表 .xlsx')), msg),
      isAdmin ? h('td', {}, steps) : null);
  });
  return h('section', { class: 'card', id: 'plans-section', 'aria-labelledby': 'h-plans' },
    h('h2', { id: 'h-plans' }, '年度目标'),
    plans.length ? h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['名称', '年份', '状态', '起止', '导出'].concat(isAdmin ? ['操作'] : []).map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))) : h('p', { class: 'empty' }, '暂无年度目标'));
}
