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
  INVALID_DATE: '日期格式不对，请按 YYYY-MM-DD 填写。',
  INVALID_VALUE: '填写的数值不符合要求，请检查后重试。',
  INVALID_TARGET: '目标值不符合要求，请检查后重试。',
  IMPLAUSIBLE_VALUE: '填写的数值明显不合理（过大或过小），请核对后重试。',
  REPORT_IN_FUTURE: '截至日期不能晚于今天。',
  REPORT_OUTSIDE_PLAN: '截至日期不在该年度目标的起止日期之内。',
  DEADLINE_OUTSIDE_PLAN: '完成时限不在该年度目标的起止日期之内。',
  MILESTONE_OUTSIDE_PLAN: '节点日期不在该年度目标的起止日期之内。',
  INVALID_PLAN_PERIOD: '年度目标的起止日期不符合要求。',
  INVALID_TIME_ZONE: '时区不正确。',
  INVALID_TRANSITION: '该年度目标当前的状态不能执行这一步，请刷新后查看。',
  KIND_MISMATCH: '这类目标任务不能这样填报。',
  DIRECTION_NOT_ALLOWED: '只有比率类目标可以“越低越好”。',
  GROUP_NOT_ASSIGNABLE: '综合类目标不能分解到单位。',
  MEASURE_UNIT_MISMATCH: '下级任务的计量单位与上级不一致。',
  PARENT_IN_OTHER_PLAN: '上级任务属于另一个年度目标。',
  CYCLE: '不能把它放到自己或自己的下级之下。',
  DUPLICATE: '已经有同名（或相同）的内容了。',
  STRUCTURE_CONFLICT: '该内容正在使用中，不能这样修改。',
  TOO_LONG: '填写的文字太长了，请精简后重试。',
  INVALID_TEXT: '文字中有无法保存的特殊字符，请删除后重试。',
  IDEMPOTENCY_KEY_REUSED: '这份填报已经提交过，且内容不同，请刷新页面后重新填写。',
  BAD_REQUEST: '请求的格式不对，请刷新页面后重试。',
  BATCH_TOO_LARGE: '一次提交的内容太多，请分几次提交。',
  SHEET_INVALID: '表格有需要修改的地方，什么都没有导入。',
  UNREADABLE_FILE: '文件无法读取，请上传 .xlsx 或 .csv 格式的分解表。',
  SHEET_TOO_LARGE: '表格太大，超出了导入的限制。',
  IMPORT_BUSY: '另一份表格正在导入，请稍后再试。',
  MISSING_COLUMN: '表格缺少必需的列。',
  UNREADABLE_VALUE: '表格中有无法识别的内容。',
  AMBIGUOUS_DATE: '表格中有无法确定的日期。',
  DUPLICATE_CODE: '表格中有重复的序号。',
  BAD_NUMBERING: '表格的序号不连贯。',
  MISSING_TITLE: '表格中有缺少任务名称的行。',
  UNKNOWN_UNIT: '表格中有系统里没有的责任单位。',
  PLAN_NOT_EMPTY: '该年度目标已经有目标任务了，不能再导入。',
  AMBIGUOUS_PLAN: '该年份有多个年度目标，请选择导入到哪一个。',
  WRONG_PASSWORD: '当前密码不正确。',
  PASSWORD_TOO_SHORT: '密码至少需要 8 个字符。',
  ACCOUNT_LOCKED: '登录失败次数过多，账号已锁定15分钟。',
  PASSWORD_CHANGE_REQUIRED: '请先修改密码。',
};

/** Codes whose own message (already in Chinese, it names the field or the
 * value) says more than a general sentence would. */
const SERVER_WORDS = new Set([
  'INVALID_DATE', 'INVALID_VALUE', 'INVALID_TARGET', 'TOO_LONG', 'INVALID_TEXT',
  'IMPLAUSIBLE_VALUE', 'REPORT_IN_FUTURE', 'REPORT_OUTSIDE_PLAN', 'DUPLICATE',
  'BAD_REQUEST', 'SHEET_INVALID', 'UNKNOWN_UNIT', 'INVALID_PASSWORD', 'WEAK_PASSWORD',
  'REPORT_OUTSIDE_PLAN', 'DEADLINE_OUTSIDE_PLAN', 'MILESTONE_OUTSIDE_PLAN', 'INVALID_PLAN_PERIOD',
  'KIND_MISMATCH', 'STRUCTURE_CONFLICT', 'INVALID_TRANSITION', 'MISSING_COLUMN', 'UNREADABLE_VALUE',
  'UNREADABLE_FILE', 'SHEET_TOO_LARGE', 'PLAN_NOT_EMPTY', 'AMBIGUOUS_PLAN', 'PASSWORD_TOO_SHORT',
]);

/** Whether a text is written in Chinese (the server answers in the
 * browser's language; these pages are in Chinese). */
function chinese(text) {
  return /[\u4e00-\u9fff]/.test(text || '');
}

/** A Chinese sentence for a GraphQL error object. */
export function sentenceFor(error) {
  const code = error && error.extensions && error.extensions.code;
  if (code === 'INTERNAL') {
    const id = error.extensions.requestId;
    return id ? `服务器出错了，请稍后再试（请求编号 ${id}）。` : '服务器出错了，请稍后再试。';
  }
  if (SENTENCES[code] && !SERVER_WORDS.has(code)) return SENTENCES[code];
  // The server answers in Chinese unless the browser prefers English; an
  // English answer gives way to the general sentence of its code.
  const message = error && error.message;
  if (chinese(message)) return message;
  return SENTENCES[code] || '操作没有成功，请重试。';
}

/** Where the sign-in page sends the person back to: this page. */
export function here() {
  return location.pathname + location.search;
}

/** Goes to the sign-in page, to come back here afterwards. */
export function toLogin() {
  location.replace('/login?next=' + encodeURIComponent(here()));
}

function headers() {
  // The pages are in Chinese: so are the server's sentences and the
  // exports they download, whatever language the browser prefers.
  return { 'Content-Type': 'application/json', 'X-Requested-With': 'mubiao', 'Accept-Language': 'zh-CN' };
}

/** Runs a GraphQL document; resolves with `data`, rejects with ApiError.
 * A session that has ended sends the person to /login (and rejects). */
export async function gql(query, variables = {}) {
  const body = await post({ body: JSON.stringify({ query, variables }) });
  const errors = (body && body.errors) || [];
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

/**
 * Runs a document of several mutations (aliases `m0`, `m1`, …) that each
 * stand alone: resolves with `{ data, failed }`, `failed` mapping each alias
 * that was refused to its Chinese sentence and code. Rejects only when
 * nothing ran (network, session, a malformed document).
 */
export async function gqlEach(query, variables = {}) {
  const body = await post({ body: JSON.stringify({ query, variables }) });
  const errors = (body && body.errors) || [];
  const failed = {};
  for (const e of errors) {
    const alias = e.path && e.path[0];
    if (!alias) throw new ApiError(sentenceFor(e), e.extensions && e.extensions.code, errors);
    failed[alias] = { message: sentenceFor(e), code: e.extensions && e.extensions.code };
  }
  return { data: body.data || {}, failed };
}

/**
 * Sends a GraphQL multipart request (one file, at `variables.input.file`):
 * resolves with `data`, rejects with ApiError whose `problems` lists a
 * sheet's problems (`{ row, column, header, code, message }`) when there are any.
 */
export async function gqlUpload(query, variables, file, path = 'variables.input.file') {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  form.append('map', JSON.stringify({ 0: [path] }));
  form.append('0', file, file.name);
  const body = await post({ body: form, multipart: true });
  const errors = (body && body.errors) || [];
  if (errors.length) {
    const ext = errors[0].extensions || {};
    const err = new ApiError(sentenceFor(errors[0]), ext.code, errors);
    err.problems = ext.problems || [];
    err.moreProblems = ext.moreProblems || 0;
    throw err;
  }
  return body.data;
}

/**
 * Downloads a file of this server (an export) with the session, and saves it
 * under the name the server gives. Rejects with ApiError (in Chinese).
 */
export async function download(url) {
  let resp;
  try {
    const h = headers();
    delete h['Content-Type'];
    resp = await fetch(url, { credentials: 'same-origin', headers: h });
  } catch (e) {
    throw new ApiError('无法连接服务器，请检查网络后重试。', 'NETWORK', e);
  }
  if (!resp.ok) {
    let error = null;
    try {
      const body = await resp.json();
      error = body && body.errors && body.errors[0];
    } catch (e) { /* not JSON */ }
    const code = error && error.extensions && error.extensions.code;
    if (code === 'UNAUTHENTICATED') toLogin();
    throw new ApiError(error ? sentenceFor(error) : `下载没有成功（HTTP ${resp.status}）。`, code || 'HTTP_' + resp.status);
  }
  const disposition = resp.headers.get('content-disposition') || '';
  // The UTF-8 name (filename*=UTF-8''…) first: "整改报告.pdf", not "____.pdf".
  const encoded = (/filename\*=UTF-8''([^;]+)/i.exec(disposition) || [])[1];
  let name = null;
  if (encoded) {
    try { name = decodeURIComponent(encoded); } catch (e) { name = null; }
  }
  name = name || (/filename="([^"]+)"/.exec(disposition) || [])[1] || 'export';
  const blob = await resp.blob();
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  return name;
}

/** One POST to /graphql: the parsed body; a session that has ended goes to /login. */
async function post({ body, multipart = false }) {
  let resp;
  const h = headers();
  if (multipart) delete h['Content-Type'];
  try {
    resp = await fetch('/graphql', { method: 'POST', credentials: 'same-origin', headers: h, body });
  } catch (e) {
    throw new ApiError('无法连接服务器，请检查网络后重试。', 'NETWORK', e);
  }
  let parsed = null;
  try {
    parsed = await resp.json();
  } catch (e) {
    throw new ApiError(`服务器返回了无法识别的内容（HTTP ${resp.status}）。`, 'HTTP_' + resp.status, e);
  }
  const errors = (parsed && parsed.errors) || [];
  if (errors.some((e) => e.extensions && e.extensions.code === 'UNAUTHENTICATED')) {
    toLogin();
    throw new ApiError(SENTENCES.UNAUTHENTICATED, 'UNAUTHENTICATED', errors);
  }
  if (!resp.ok && !(parsed && parsed.data)) {
    const first = errors[0];
    throw new ApiError(first ? sentenceFor(first) : `请求没有成功（HTTP ${resp.status}）。`,
      (first && first.extensions && first.extensions.code) || 'HTTP_' + resp.status, errors);
  }
  return parsed;
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
