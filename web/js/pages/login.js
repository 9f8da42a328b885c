// The sign-in form posts to POST /login itself (no script needed for
// that); this fills in where to go afterwards and says why the last try
// failed (?error=invalid | locked).
const MESSAGES = {
  invalid: '用户名或密码不正确',
  locked: '登录失败次数过多，账号已锁定15分钟',
};

const params = new URLSearchParams(location.search);

/** Only a path on this server: never another site (an open redirect). */
export function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

document.getElementById('next').value = safeNext(params.get('next'));
const error = params.get('error');
if (error) {
  const box = document.getElementById('login-error');
  box.textContent = MESSAGES[error] || '登录没有成功，请重试';
  box.classList.remove('hidden');
}
