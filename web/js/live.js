// Live updates: GraphQL subscriptions over one WebSocket per page
// (`/graphql/ws`, the graphql-transport-ws protocol). A signed-in page is
// known to the server by its session cookie, sent with the upgrade: no
// token here. The socket opens with the first subscription, closes with
// the last, answers the server's pings, pings it now and then (a proxy
// cuts a quiet connection), and when it drops comes back with growing
// pauses (1 s, 2 s, 4 s … 30 s), subscribing again to everything it had.
// What happened while it was away was not sent: each subscriber's
// `onReconnect` is told, so it can ask the API again.

const PROTOCOL = 'graphql-transport-ws';
const FIRST_PAUSE_MS = 1000;
const LONGEST_PAUSE_MS = 30000;
const ACK_WITHIN_MS = 10000;
const PING_EVERY_MS = 25000;

/** id → { query, variables, onData, onReconnect } */
const subs = new Map();
let nextId = 1;
let socket = null;
let acked = false;
let pause = FIRST_PAUSE_MS;
let retryTimer = null;
let ackTimer = null;
let pingTimer = null;

function address() {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql/ws`;
}

function send(message) {
  if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function sendSubscribe(id, sub) {
  send({ id, type: 'subscribe', payload: { query: sub.query, variables: sub.variables } });
  sub.sent = true;
  sub.everSent = true;
  showState();
}

/** The socket's state on <html data-live="…" data-live-subscriptions="n">
 * (for the browser tests and whoever debugs a page). */
function showState() {
  const root = document.documentElement.dataset;
  root.live = socket && acked ? 'connected' : subs.size ? 'connecting' : 'off';
  root.liveSubscriptions = String(socket && acked ? subs.size : 0);
}

function stopTimers() {
  clearTimeout(ackTimer);
  clearInterval(pingTimer);
  ackTimer = null;
  pingTimer = null;
}

function open() {
  if (socket || !subs.size) return;
  clearTimeout(retryTimer);
  retryTimer = null;
  acked = false;
  let ws;
  try {
    ws = new WebSocket(address(), PROTOCOL);
  } catch (e) {
    retry();
    return;
  }
  socket = ws;
  ws.onopen = () => {
    send({ type: 'connection_init', payload: {} });
    // A server that never acknowledges is as good as gone.
    ackTimer = setTimeout(() => ws.close(), ACK_WITHIN_MS);
  };
  ws.onmessage = (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    received(message);
  };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    acked = false;
    for (const sub of subs.values()) sub.sent = false;
    stopTimers();
    showState();
    retry();
  };
  // An error is followed by `close`, which comes back.
  ws.onerror = () => {};
}

function received(message) {
  switch (message.type) {
    case 'connection_ack': {
      clearTimeout(ackTimer);
      ackTimer = null;
      acked = true;
      pause = FIRST_PAUSE_MS;
      pingTimer = setInterval(() => send({ type: 'ping' }), PING_EVERY_MS);
      // A subscription that was live before the socket dropped missed
      // whatever changed meanwhile: its subscriber is told.
      const missed = [...subs.values()].filter((sub) => sub.everSent && sub.onReconnect);
      for (const [id, sub] of subs) sendSubscribe(id, sub);
      for (const sub of missed) sub.onReconnect();
      break;
    }
    case 'ping':
      send({ type: 'pong' });
      break;
    case 'next': {
      const sub = subs.get(message.id);
      const payload = message.payload || {};
      if (payload.errors && payload.errors.length) {
        console.warn('订阅出错：', payload.errors[0].message);
        // Refused (not signed in, no such plan…): the `complete` that
        // follows ends it for good.
        if (sub && !payload.data) sub.refused = true;
      }
      if (sub && payload.data) {
        sub.pause = FIRST_PAUSE_MS;
        sub.onData(payload.data);
      }
      break;
    }
    case 'error':
      console.warn('订阅被拒绝：', message.payload);
      subs.delete(message.id);
      showState();
      if (!subs.size && socket) socket.close(1000);
      break;
    case 'complete': {
      const sub = subs.get(message.id);
      if (!sub) break;
      if (sub.refused) {
        subs.delete(message.id);
        showState();
        if (!subs.size && socket) socket.close(1000);
      } else {
        // Ended without a reason (the server is going away, say): asked
        // for again after a pause, on this socket or the next one.
        const wait = sub.pause;
        sub.pause = Math.min(sub.pause * 2, LONGEST_PAUSE_MS);
        sub.sent = false;
        setTimeout(() => {
          if (subs.get(message.id) !== sub || sub.sent || !socket || !acked) return;
          sendSubscribe(message.id, sub);
          if (sub.onReconnect) sub.onReconnect();
        }, wait);
      }
      break;
    }
    default:
      break;
  }
}

function retry() {
  if (retryTimer || !subs.size) return;
  // Some randomness, so a restarted server is not met by every page at once.
  const wait = pause * (0.75 + Math.random() * 0.5);
  pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
  retryTimer = setTimeout(() => {
    retryTimer = null;
    open();
  }, wait);
}

// Back online (a laptop woke, the network came back): try at once.
window.addEventListener('online', () => {
  if (!socket && subs.size) {
    pause = FIRST_PAUSE_MS;
    open();
  }
});

/**
 * Subscribes to a GraphQL subscription: `onData(data)` with each event's
 * `data`; `onReconnect()` (optional) after the socket came back, when events
 * may have been missed. Returns the function that ends the subscription.
 */
export function subscribe(query, variables, onData, { onReconnect = null } = {}) {
  const id = String(nextId++);
  const sub = { query, variables: variables || {}, onData, onReconnect, sent: false, everSent: false, refused: false, pause: FIRST_PAUSE_MS };
  subs.set(id, sub);
  if (socket && acked) sendSubscribe(id, sub);
  else open();
  showState();
  return () => {
    if (!subs.delete(id)) return;
    if (socket && acked) send({ id, type: 'complete' });
    if (!subs.size && socket) {
      const ws = socket;
      socket = null;
      stopTimers();
      ws.close(1000);
    }
    showState();
  };
}

/** Whether the socket is up and acknowledged (for tests and status lines). */
export function connected() {
  return !!(socket && acked);
}
