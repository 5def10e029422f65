// The console's server API (plugin/console/API.md): JSON requests with the session
// cookie, the CSRF token on every write, and the live event stream.

let csrf = '';

export class APIError extends Error {
  constructor(status, doc) {
    super(doc.message || doc.error || `HTTP ${status}`);
    this.status = status;
    this.doc = doc;
  }
}

function toLogin() {
  const next = location.pathname + location.hash;
  location.assign('/login?next=' + encodeURIComponent(next));
}

async function request(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' }, credentials: 'same-origin' };
  if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = csrf;
  const resp = await fetch(path, opts);
  if (resp.status === 204) return null;
  let doc;
  try {
    doc = await resp.json();
  } catch {
    doc = { error: 'bad_response', message: `HTTP ${resp.status}: not JSON` };
  }
  if (resp.status === 401) {
    toLogin();
    throw new APIError(401, doc);
  }
  if (!resp.ok) throw new APIError(resp.status, doc);
  return doc;
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);

// session fetches the user and the CSRF token (a page reload keeps the cookie only).
export async function session() {
  const s = await get('/api/session');
  csrf = s.csrf;
  return s;
}

export async function logout() {
  try {
    await post('/api/logout');
  } finally {
    location.assign('/login');
  }
}

export const q = (params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, v);
  return u.toString();
};

// events opens the event stream; handlers maps event names to functions of the
// parsed data; onState reports 'live' / 'reconnecting'.
export function events(handlers, onState) {
  const es = new EventSource('/api/events');
  for (const [name, fn] of Object.entries(handlers)) {
    es.addEventListener(name, (e) => {
      let data = {};
      try {
        data = JSON.parse(e.data);
      } catch {
        return;
      }
      fn(data);
    });
  }
  es.onopen = () => onState('live');
  es.onerror = async () => {
    onState('reconnecting');
    // The stream ends when the session does: find out which.
    try {
      await session();
    } catch {
      es.close();
    }
  };
  return es;
}
