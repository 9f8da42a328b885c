// k6 workloads for bench/run.sh. One script, the workload chosen by
// WORKLOAD; every response is checked for HTTP 200 and a body without
// GraphQL `errors`, so a fast wrong answer is a failure, not a figure.
import http from 'k6/http';
import { check } from 'k6';
import { Counter } from 'k6/metrics';

const BASE = __ENV.BASE_URL || 'http://127.0.0.1:8090';
const TOKEN = __ENV.TOKEN || 'bench-operator-key';
const WORKLOAD = __ENV.WORKLOAD || 'dashboard';
const AS_OF = __ENV.AS_OF || '2025-10-31';
const RUN = __ENV.RUN_ID || 'run';

const acked = new Counter('reports_acknowledged');
const failed = new Counter('responses_failed');

export const options = {
  vus: Number(__ENV.VUS || 4),
  duration: __ENV.DURATION || '15s',
  summaryTrendStats: ['med', 'p(99)', 'avg', 'max'],
  setupTimeout: '120s',
};

const HEADERS = { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` };

function gql(query, variables, tag) {
  const res = http.post(`${BASE}/graphql`, JSON.stringify({ query, variables }), {
    headers: HEADERS,
    tags: { name: tag },
  });
  let body = null;
  try { body = res.json(); } catch (e) { body = null; }
  const ok = check(res, {
    'status 200': (r) => r.status === 200,
    'no errors': () => body !== null && body.errors === undefined && body.data !== null,
  });
  if (!ok) failed.add(1);
  return ok ? body.data : null;
}

const DASHBOARD = `query($id: ID!, $asOf: Date) { plan(id: $id) {
  progress(asOf: $asOf) { completionPercent expectedPercent gap light score }
  categoryProgress(asOf: $asOf) { category progress { completionPercent light } }
  unitProgress(asOf: $asOf) { rank unit { name } progress { completionPercent score } lights { green blue yellow red } }
} }`;

const OVERVIEW = `query($asOf: Date) { plans { id name progress(asOf: $asOf) { completionPercent light } } }`;

const DRILLDOWN = `query($id: ID!, $asOf: Date) { goal(id: $id) {
  title kind targetValue progress(asOf: $asOf) { actual completionPercent expectedPercent light }
  assignments { unit { name } targetValue progress(asOf: $asOf) { actual completionPercent light } }
  milestones { title dueDate completedOn }
  trend(upTo: $asOf) { date completionPercent expectedPercent light }
} }`;

const SUBMIT = `mutation($input: SubmitReportInput!) { submitReport(input: $input) { id } }`;

// The province's IDs, read once through the API.
export function setup() {
  const data = gql(`{ plans { id allGoals { id kind assignments { id } } } }`, {}, 'setup');
  const plans = [];
  const goals = [];
  const assignments = [];
  for (const p of data.plans) {
    plans.push(p.id);
    for (const g of p.allGoals) {
      if (g.kind === 'CUMULATIVE') {
        goals.push(g.id);
        for (const a of g.assignments) assignments.push(a.id);
      }
    }
  }
  return { plans, goals, assignments };
}

function pick(list, n) {
  return list[n % list.length];
}

function read(kind, ids, n) {
  if (kind === 'dashboard') gql(DASHBOARD, { id: pick(ids.plans, n), asOf: AS_OF }, 'dashboard');
  else if (kind === 'overview') gql(OVERVIEW, { asOf: AS_OF }, 'overview');
  else gql(DRILLDOWN, { id: pick(ids.goals, n * 7), asOf: AS_OF }, 'drilldown');
}

function submit(ids, n) {
  // Each VU and iteration writes to its own assignment with a unique note,
  // so the stored rows can be counted against the acknowledgements.
  const note = `k6-${RUN}-${__VU}-${__ITER}`;
  const data = gql(SUBMIT, {
    input: { assignmentId: pick(ids.assignments, n), asOf: '2025-11-30', value: 1.5, note },
  }, 'submit');
  if (data && data.submitReport && data.submitReport.id) acked.add(1);
}

export default function (ids) {
  const n = (__VU * 100003 + __ITER * 7919);
  if (WORKLOAD === 'burst') return submit(ids, n);
  if (WORKLOAD === 'mixed') {
    const r = n % 10;
    if (r === 0) return submit(ids, n);
    return read(r <= 3 ? 'dashboard' : r <= 6 ? 'overview' : 'drilldown', ids, n);
  }
  return read(WORKLOAD, ids, n);
}
