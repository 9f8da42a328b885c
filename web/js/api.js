// The one way a page talks to the server: POST /graphql with the session
// cookie (same origin only) and X-Requested-With: mubiao, which the server
// asks of every cookie-authenticated POST (else 403 CSRF_REFUSED).
// Errors come back as ApiError with a sentence in Chinese.

/** An error a person can read: `message` in Chinese, `code` the server's. */
export class ApiError extends Error {
  constructor(message, code, detail) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.detail = detail;
  }
}

/** What each `extensions.code` means to the person in front of the page. */
const SENTENCES = {
  UNAUTHENTICATED: '登录已失效，请重新登录。',
  CSRF_REFUSED: '页面已过期，请刷新后重试。',
  FORBIDDEN: '您没有权限查看或执行此操作。',
  NOT_FOUND: '要找的内容不存在，或您无权查看。',
  QUERY_TOO_COMPLEX: '查询内容过多，请缩小范围后重试。',
  QUERY_TOO_DEEP: '查询内容过多，请缩小范围后重试。',
  QUERY_TOO_EXPENSIVE: '查询内容过多，请缩小范围后重试。',
  RESPONSE_TOO_LARGE: '结果太多，请缩小范围后重试。',
  TOO_MANY_DATES: '一次查询的日期太多，请缩小范围后重试。',
  BODY_TOO_LARGE: '提交的内容太大。',
  REQUEST_TIMEOUT: '网络太慢，请求超时，请重试。',
  SERVER_BUSY: '服务器繁忙，请稍后再试。',
  PLAN_CLOSED: '该年度目标已结束，不能再修改。',
  PLAN_NOT_ACTIVE: '该年度目标尚未启用。',
  ARCHIVED: '该内容已归档。',
  WRONG_PASSWORD: '当前密码不正确。',
  PASSWORD_TOO_SHORT: '新密码至少需要 8 个字符。',
  ACCOUNT_LOCKED: '登录失败次数过多，账号已锁定15分钟。',
  PASSWORD_CHANGE_REQUIRED: '请先修改密码。',
};

/** Codes whose own message (already in Chinese, it names the field or the
 * value) says more than a general sentence would. */
const SERVER_WORDS = new Set([
  'INVALID_DATE', 'INVALID_VALUE', 'INVALID_TARGET', 'TOO_LONG', 'INVALID_TEXT',
  'IMPLAUSIBLE_VALUE', 'REPORT_IN_FUTURE', 'REPORT_OUTSIDE_PLAN', 'DUPLICATE',
  'BAD_REQUEST', 'SHEET_INVALID', 'UNKNOWN_UNIT',
]);

/** A Chinese sentence for a GraphQL error object. */
export function sentenceFor(error) {
  const code = error && error.extensions && error.extensions.code;
  if (code === 'INTERNAL') {
    const id = error.extensions.requestId;
    return id ? `服务器出错了，请稍后再试（请求编号 ${id}）。` : '服务器出错了，请稍后再试。';
  }
  if (SENTENCES[code] && !SERVER_WORDS.has(code)) return SENTENCES[code];
  // The server answers in Chinese unless the browser prefers English.
  return (error && error.message) || '操作没有成功，请重试。';
}

/** Where the sign-in page sends the person back to: this page. */
export function here() {
  return location.pathname + location.search;
}

/** Goes to the sign-in page, to come back here afterwards. */
export function toLogin() {
  location.replace('/login?next=' + encodeURIComponent(here()));
}

/** Runs a GraphQL document; resolves with `data`, rejects with ApiError.
 * A session that has ended sends the person to /login (and rejects). */
export async function gql(query, variables = {}) {
  let resp;
  try {
    resp = await fetch('/graphql', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'mubiao' },
      body: JSON.stringify({ query, variables }),
    });
  } catch (e) {
    throw new ApiError('无法连接服务器，请检查网络后重试。', 'NETWORK', e);
  }
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    throw new ApiError(`服务器返回了无法识别的内容（HTTP ${resp.status}）。`, 'HTTP_' + resp.status, e);
  }
  const errors = (body && body.errors) || [];
  if (errors.some((e) => e.extensions && e.extensions.code === 'UNAUTHENTICATED')) {
    toLogin();
    throw new ApiError(SENTENCES.UNAUTHENTICATED, 'UNAUTHENTICATED', errors);
  }
  if (errors.some((e) => e.extensions && e.extensions.code === 'PASSWORD_CHANGE_REQUIRED')
      && location.pathname !== '/password') {
    location.replace('/password?next=' + encodeURIComponent(here()));
    throw new ApiError(SENTENCES.PASSWORD_CHANGE_REQUIRED, 'PASSWORD_CHANGE_REQUIRED', errors);
  }
  if (errors.length) {
    throw new ApiError(sentenceFor(errors[0]), errors[0].extensions && errors[0].extensions.code, errors);
  }
  return body.data;
}

/** The signed-in person: `{ username, displayName, role, unit, mustChangePassword }`,
 * or null when no one is signed in. */
export async function getMe() {
  const data = await gql('query Me { me { username displayName role unit { id name } mustChangePassword } }');
  return data.me;
}

/** The signed-in person, or a trip to /login (null is never returned:
 * the promise stays pending while the browser leaves). Someone who must
 * change their password is sent to /password first. */
export async function requireMe({ passwordPage = false } = {}) {
  const me = await getMe();
  if (!me) {
    toLogin();
    return new Promise(() => {});
  }
  if (me.mustChangePassword && !passwordPage) {
    location.replace('/password?next=' + encodeURIComponent(here()));
    return new Promise(() => {});
  }
  return me;
}

/** Ends this session (or, with `everywhere`, every session of the person)
 * and goes to the sign-in page. */
export async function logout(everywhere = false) {
  try {
    await fetch('/logout', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'mubiao' },
      body: JSON.stringify(everywhere ? { everywhere: 1 } : {}),
    });
  } finally {
    location.assign('/login');
  }
}
