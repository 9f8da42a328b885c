// /password: change one's own password (required after an administrator
// set it: `me.mustChangePassword`).
import { gql, ApiError } from '../api.js';
import { startPage, param } from '../layout.js';
import { h, fill } from '../format.js';

const MIN_LENGTH = 8;
const main = document.getElementById('main');

function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') && !next.startsWith('/password') ? next : '/';
}

startPage({ title: '修改密码', passwordPage: true }).then((me) => {
  const message = h('div', { class: 'alert hidden', role: 'alert', id: 'pw-error' });
  const current = h('input', { id: 'current', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'new', type: 'password', autocomplete: 'new-password', required: true, minlength: MIN_LENGTH });
  const again = h('input', { id: 'again', type: 'password', autocomplete: 'new-password', required: true, minlength: MIN_LENGTH });
  const form = h('form', { class: 'form-card' },
    h('h1', {}, '修改密码'),
    me.mustChangePassword
      ? h('div', { class: 'notice' }, '首次登录或密码已被重置，请先设置新密码。')
      : h('p', { class: 'subtitle' }, '新密码至少 ' + MIN_LENGTH + ' 位'),
    message,
    h('div', { class: 'field' }, h('label', { for: 'current' }, '当前密码'), current),
    h('div', { class: 'field' }, h('label', { for: 'new' }, '新密码'), next),
    h('div', { class: 'field' }, h('label', { for: 'again' }, '再次输入新密码'), again),
    h('button', { type: 'submit' }, '保存新密码'));
  const say = (text) => { message.textContent = text; message.classList.remove('hidden'); };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (next.value !== again.value) return say('两次输入的新密码不一致');
    if (next.value === current.value) return say('新密码不能与当前密码相同');
    try {
      await gql('mutation Change($current: String!, $new: String!) { changePassword(current: $current, new: $new) { username mustChangePassword } }',
        { current: current.value, new: next.value });
      location.assign(safeNext(param('next')));
    } catch (e) {
      say(e instanceof ApiError ? e.message : String(e));
    }
  });
  main.classList.add('center');
  fill(main, form);
  current.focus();
});
