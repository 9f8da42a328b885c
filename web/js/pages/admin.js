// /admin — 系统管理 (ADMIN): units (list, create, rename), accounts (list,
// create, disable, reset a password) and API tokens (list, create — the
// secret is shown once —, revoke).
import { gql } from '../api.js';
import { startPage } from '../layout.js';
import { h, fill, instant, showError, ROLE_WORDS } from '../format.js';

const main = document.getElementById('main');

let me = null;
let units = [];
startPage({ title: '系统管理' }).then((who) => {
  me = who;
  return load();
});

async function load() {
  if (me.role !== 'ADMIN') {
    // Units, accounts and tokens are the target office's to keep; the API
    // refuses the rest anyway, the page need not show half of it.
    fill(main, h('div', { class: 'pagehead' }, h('h1', {}, '系统管理')),
      h('section', { class: 'card' },
        h('p', { 'data-testid': 'admin-only' }, '系统管理仅供目标办（管理员）使用。'),
        h('p', {}, h('a', { href: '/' }, '返回首页'))));
    document.body.dataset.ready = '1';
    return;
  }
  try {
    const canWrite = true;
    ({ units } = await gql('query Units { units { id name parent { id name } archived } }'));
    const sections = [unitsSection(canWrite)];
    sections.push(await accountsSection(canWrite));
    sections.push(await tokensSection(canWrite));
    fill(main, h('div', { class: 'pagehead' }, h('h1', {}, '系统管理')), h('div', { class: 'stack' }, sections));
    document.body.dataset.ready = '1';
  } catch (e) {
    showError(main, e);
    document.body.dataset.ready = '1';
  }
}

const say = (el, text, ok = false) => fill(el, h('div', { class: ok ? 'notice' : 'alert', role: ok ? 'status' : 'alert' }, text));

function unitOptions(selected, { blank = '（无）' } = {}) {
  return [h('option', { value: '' }, blank),
    units.filter((u) => !u.archived).map((u) => h('option', { value: u.id, selected: u.id === selected }, u.name))];
}

/** Loads the units again and offers them wherever a unit is chosen (the
 * account form too), keeping what was picked. */
async function reloadUnits() {
  ({ units } = await gql('query Units { units { id name parent { id name } archived } }'));
  const picker = document.getElementById('u-unit');
  if (picker) fill(picker, unitOptions(picker.value, { blank: '（填报员须选择）' }));
}

async function redraw(id, make, notice) {
  const section = await make();
  document.getElementById(id).replaceWith(section);
  if (notice) say(section.querySelector('.form-message'), notice, true);
}

/* ---- units ---- */

function unitsSection(canWrite) {
  const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const rows = units.map((u) => {
    const cell = h('td', {}, u.name);
    const rename = canWrite && !u.archived ? h('button', { type: 'button', class: 'btn', 'data-action': 'rename' }, '改名') : null;
    if (rename) {
      rename.addEventListener('click', () => {
        const input = h('input', { type: 'text', value: u.name, maxlength: 100, 'aria-label': `“${u.name}”的新名称`, required: true });
        const form = h('form', { class: 'inline-form' }, input,
          h('button', { type: 'submit', class: 'btn primary' }, '保存'),
          h('button', { type: 'button', class: 'btn', onclick: () => redraw('units-section', async () => unitsSection(canWrite)) }, '取消'));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          try {
            await gql('mutation Rename($input: UpdateUnitInput!) { updateUnit(input: $input) { id name } }', { input: { id: u.id, name: input.value.trim() } });
            await reloadUnits();
            await redraw('units-section', async () => unitsSection(canWrite), `已改名为“${input.value.trim()}”。`);
          } catch (e) {
            say(msg, e.message);
          }
        });
        fill(cell, form);
        rename.remove();
        input.focus();
      });
    }
    // A unit made by mistake (at the top, say) is archived; the server
    // refuses while anything still uses it, and says what.
    let archive = null;
    if (canWrite && !u.archived) {
      archive = h('button', { type: 'button', class: 'btn danger', 'data-action': 'archive' }, '归档');
      let armed = false;
      archive.addEventListener('click', async () => {
        if (!armed) { armed = true; archive.textContent = '确认归档？'; return; }
        try {
          await gql('mutation Archive($id: ID!) { archiveUnit(id: $id) { id archived } }', { id: u.id });
          await reloadUnits();
          await redraw('units-section', async () => unitsSection(canWrite), `已归档“${u.name}”。`);
        } catch (e) {
          say(msg, e.message);
        }
      });
    }
    return h('tr', {}, cell, h('td', {}, u.parent ? u.parent.name : '—'),
      h('td', {}, u.archived ? h('span', { class: 'tag' }, '已归档') : '在用'),
      canWrite ? h('td', {}, rename, ' ', archive) : null);
  });
  const create = canWrite ? (() => {
    const name = h('input', { type: 'text', id: 'unit-name', maxlength: 100, required: true });
    const parent = h('select', { id: 'unit-parent' }, unitOptions(null, { blank: '（顶级单位）' }));
    const form = h('form', { class: 'inline-form', style: 'margin-top:10px' },
      h('label', { for: 'unit-name' }, '新单位名称'), name,
      h('label', { for: 'unit-parent' }, '上级单位'), parent,
      h('button', { type: 'submit', class: 'btn primary' }, '新建单位'));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!name.value.trim()) { say(msg, '请填写单位名称。'); name.focus(); return; }
      try {
        const input = { name: name.value.trim() };
        if (parent.value) input.parentId = parent.value;
        await gql('mutation NewUnit($input: CreateUnitInput!) { createUnit(input: $input) { id name } }', { input });
        await reloadUnits();
        await redraw('units-section', async () => unitsSection(canWrite), `已新建“${input.name}”。`);
      } catch (e) {
        say(msg, e.message);
      }
    });
    return form;
  })() : null;
  return h('section', { class: 'card', id: 'units-section', 'aria-labelledby': 'h-units' },
    h('h2', { id: 'h-units' }, '责任单位'),
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['名称', '上级单位', '状态'].concat(canWrite ? ['操作'] : []).map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))),
    create, msg);
}

/* ---- accounts ---- */

const USER = 'id username displayName role unit { id name } disabled disabledAt mustChangePassword createdAt lastLoginAt';

async function accountsSection(canWrite) {
  const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const head = h('h2', { id: 'h-users' }, '账号');
  let users;
  try {
    ({ users } = await gql(`query Users { users { ${USER} } }`));
  } catch (e) {
    return h('section', { class: 'card', id: 'users-section', 'aria-labelledby': 'h-users' }, head,
      h('p', { class: 'empty' }, e.message));
  }
  const rows = users.map((u) => {
    const actions = [];
    if (canWrite && !u.disabled) {
      const off = h('button', { type: 'button', class: 'btn danger', 'data-action': 'disable' }, '停用');
      let armed = false;
      off.addEventListener('click', async () => {
        if (!armed) { armed = true; off.textContent = '确认停用？'; return; }
        try {
          await gql(`mutation Off($id: ID!) { disableUser(id: $id) { id disabled } }`, { id: u.id });
          await redraw('users-section', () => accountsSection(canWrite), `已停用 ${u.username}，其登录已全部失效。`);
        } catch (e) { say(msg, e.message); }
      });
      const reset = h('button', { type: 'button', class: 'btn', 'data-action': 'reset' }, '重置密码');
      reset.addEventListener('click', () => {
        const pw = h('input', { type: 'password', autocomplete: 'new-password', minlength: 8, 'aria-label': `${u.username} 的新初始密码`, placeholder: '新初始密码（至少 8 位）' });
        const form = h('form', { class: 'inline-form' }, pw, h('button', { type: 'submit', class: 'btn primary' }, '保存'));
        form.addEventListener('submit', async (ev) => {
          ev.preventDefault();
          if (pw.value.length < 8) return say(msg, '密码至少需要 8 个字符。');
          try {
            await gql(`mutation Reset($id: ID!, $pw: String!) { resetUserPassword(id: $id, password: $pw) { id mustChangePassword } }`, { id: u.id, pw: pw.value });
            await redraw('users-section', () => accountsSection(canWrite), `已重置 ${u.username} 的密码，下次登录时需修改。`);
          } catch (e) { say(msg, e.message); }
        });
        reset.replaceWith(form);
        pw.focus();
      });
      actions.push(reset, ' ', off);
    }
    if (canWrite && u.disabled) {
      const on = h('button', { type: 'button', class: 'btn', 'data-action': 'enable' }, '重新启用');
      on.addEventListener('click', async () => {
        try {
          await gql(`mutation On($id: ID!) { enableUser(id: $id) { id disabled } }`, { id: u.id });
          await redraw('users-section', () => accountsSection(canWrite), `已重新启用 ${u.username}，可用原密码登录。`);
        } catch (e) { say(msg, e.message); }
      });
      actions.push(on);
    }
    return h('tr', {},
      h('td', {}, u.username), h('td', {}, u.displayName), h('td', {}, ROLE_WORDS[u.role] || u.role),
      h('td', {}, u.unit ? u.unit.name : '—'),
      h('td', {}, u.disabled ? h('span', { class: 'tag bad' }, '已停用') : u.mustChangePassword ? h('span', { class: 'tag' }, '待改密码') : h('span', { class: 'tag ok' }, '正常')),
      h('td', {}, instant(u.lastLoginAt)),
      canWrite ? h('td', {}, actions) : null);
  });
  let create = null;
  if (canWrite) {
    const f = {
      username: h('input', { type: 'text', id: 'u-name', maxlength: 64, autocomplete: 'off', required: true }),
      displayName: h('input', { type: 'text', id: 'u-display', maxlength: 100, required: true }),
      role: h('select', { id: 'u-role' }, ['REPORTER', 'VIEWER', 'ADMIN'].map((r) => h('option', { value: r }, ROLE_WORDS[r]))),
      unit: h('select', { id: 'u-unit' }, unitOptions(null, { blank: '（填报员须选择）' })),
      password: h('input', { type: 'password', id: 'u-pw', minlength: 8, autocomplete: 'new-password', required: true }),
    };
    create = h('form', { class: 'inline-form', style: 'margin-top:10px' },
      h('label', { for: 'u-name' }, '用户名'), f.username, h('label', { for: 'u-display' }, '姓名/显示名'), f.displayName,
      h('label', { for: 'u-role' }, '角色'), f.role, h('label', { for: 'u-unit' }, '单位'), f.unit,
      h('label', { for: 'u-pw' }, '初始密码'), f.password,
      h('button', { type: 'submit', class: 'btn primary' }, '新建账号'));
    create.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (f.password.value.length < 8) return say(msg, '初始密码至少需要 8 个字符。');
      if (f.role.value === 'REPORTER' && !f.unit.value) return say(msg, '填报员账号须选择所属单位。');
      const input = { username: f.username.value.trim(), displayName: f.displayName.value.trim(), role: f.role.value, password: f.password.value };
      if (f.role.value === 'REPORTER') input.unitId = f.unit.value;
      try {
        await gql(`mutation NewUser($input: CreateUserInput!) { createUser(input: $input) { id } }`, { input });
        await redraw('users-section', () => accountsSection(canWrite), `已新建账号 ${input.username}，首次登录时需修改密码。`);
      } catch (e) { say(msg, e.message); }
    });
  }
  return h('section', { class: 'card', id: 'users-section', 'aria-labelledby': 'h-users' }, head,
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['用户名', '显示名', '角色', '单位', '状态', '最近登录'].concat(canWrite ? ['操作'] : []).map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))),
    create, msg);
}

/* ---- tokens ---- */

async function tokensSection(canWrite, issued = null) {
  const msg = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const head = h('h2', { id: 'h-tokens' }, 'API 令牌');
  let tokens;
  try {
    ({ tokens } = await gql('query Tokens { tokens { id name role unit { name } createdAt expiresAt lastUsedAt revokedAt } }'));
  } catch (e) {
    return h('section', { class: 'card', id: 'tokens-section', 'aria-labelledby': 'h-tokens' }, head, h('p', { class: 'empty' }, e.message));
  }
  const rows = tokens.map((t) => {
    let action = null;
    if (canWrite && !t.revokedAt) {
      action = h('button', { type: 'button', class: 'btn danger', 'data-action': 'revoke' }, '撤销');
      let armed = false;
      action.addEventListener('click', async () => {
        if (!armed) { armed = true; action.textContent = '确认撤销？'; return; }
        try {
          await gql('mutation Revoke($id: ID!) { revokeToken(id: $id) { id revokedAt } }', { id: t.id });
          await redraw('tokens-section', () => tokensSection(canWrite), `已撤销“${t.name}”，它不能再使用。`);
        } catch (e) { say(msg, e.message); }
      });
    }
    return h('tr', {},
      h('td', {}, t.name), h('td', {}, ROLE_WORDS[t.role] || t.role), h('td', {}, t.unit ? t.unit.name : '—'),
      h('td', {}, instant(t.createdAt)), h('td', {}, t.expiresAt ? instant(t.expiresAt) : '长期'),
      h('td', {}, instant(t.lastUsedAt)),
      h('td', {}, t.revokedAt ? h('span', { class: 'tag bad' }, `已撤销 ${instant(t.revokedAt)}`) : h('span', { class: 'tag ok' }, '有效')),
      canWrite ? h('td', {}, action) : null);
  });
  let create = null;
  if (canWrite) {
    const name = h('input', { type: 'text', id: 't-name', maxlength: 100, required: true, placeholder: '如：大屏展示' });
    const role = h('select', { id: 't-role' }, ['VIEWER', 'REPORTER', 'ADMIN'].map((r) => h('option', { value: r }, ROLE_WORDS[r])));
    const unit = h('select', { id: 't-unit' }, unitOptions(null, { blank: '（填报员须选择）' }));
    create = h('form', { class: 'inline-form', style: 'margin-top:10px' },
      h('label', { for: 't-name' }, '名称'), name, h('label', { for: 't-role' }, '角色'), role,
      h('label', { for: 't-unit' }, '单位'), unit,
      h('button', { type: 'submit', class: 'btn primary' }, '新建令牌'));
    create.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!name.value.trim()) return say(msg, '请填写令牌名称。');
      if (role.value === 'REPORTER' && !unit.value) return say(msg, '填报员令牌须选择所属单位。');
      const input = { name: name.value.trim(), role: role.value };
      if (role.value === 'REPORTER') input.unitId = unit.value;
      try {
        const { createToken: r } = await gql('mutation NewToken($input: CreateTokenInput!) { createToken(input: $input) { token apiToken { id name } } }', { input });
        const section = await tokensSection(canWrite, r);
        document.getElementById('tokens-section').replaceWith(section);
        section.querySelector('.secret').focus();
      } catch (e) { say(msg, e.message); }
    });
  }
  const secret = issued ? h('div', { class: 'notice', role: 'status' },
    `已新建“${issued.apiToken.name}”。令牌只显示这一次，请现在复制保存：`,
    h('code', { class: 'secret', tabindex: '0', 'data-testid': 'secret' }, issued.token),
    '离开或刷新本页后将无法再次查看。') : null;
  return h('section', { class: 'card', id: 'tokens-section', 'aria-labelledby': 'h-tokens' }, head, secret,
    h('div', { class: 'table-scroll' }, h('table', {},
      h('thead', {}, h('tr', {}, ['名称', '角色', '单位', '创建', '有效期至', '最近使用', '状态'].concat(canWrite ? ['操作'] : []).map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, rows))),
    create, msg);
}
