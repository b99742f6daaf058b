// The console's one way to the admin API: same-origin fetch with the session cookie, the CSRF token on writes,
// and errors thrown with the server's own message.
let csrf = null;

export function setCsrf(token) {
  csrf = token;
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export async function api(path, options = {}) {
  const headers = { accept: 'application/json' };
  const init = { method: options.method || 'GET', headers, credentials: 'same-origin' };
  if (init.method !== 'GET') {
    headers['content-type'] = 'application/json';
    if (csrf) headers['x-csrf-token'] = csrf;
    init.body = JSON.stringify(options.body || {});
  }
  if (options.key) headers['x-api-key'] = options.key;
  const response = await fetch(path, init);
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const message = json && json.error ? json.error.message : `HTTP ${response.status}`;
    if (response.status === 401 && options.onUnauthorized !== false) {
      window.dispatchEvent(new CustomEvent('relaygate:signed-out'));
    }
    throw new ApiError(response.status, message);
  }
  return json;
}
