// The operator console: sign-in, then one page per hash route (#/overview, #/keys, #/accounts, #/requests, #/audit, #/people, #/sessions, #/settings).
import { api, setCsrf } from './api.js';
import { el } from './format.js';
import * as overview from './overview.js';
import * as keys from './keys.js';
import * as accounts from './accounts.js';
import * as requests from './requests.js';
import * as audit from './audit.js';
import * as people from './people.js';
import * as sessions from './sessions.js';
import * as settings from './settings.js';

const pages = { overview, keys, accounts, requests, audit, people, sessions, settings };
const main = document.getElementById('main');
const login = document.getElementById('login');
const nav = document.getElementById('nav');

function showLogin() {
  setCsrf(null);
  nav.hidden = true;
  main.replaceChildren();
  login.hidden = false;
  document.getElementById('password').focus();
}

async function route() {
  const [, name = 'overview', ...rest] = (location.hash || '#/overview').split('/');
  const page = pages[name] || overview;
  for (const a of nav.querySelectorAll('a')) a.classList.toggle('active', a.getAttribute('href') === `#/${name}`);
  main.replaceChildren(el('p', { class: 'muted' }, 'Loading…'));
  try {
    await page.render(main, rest.map(decodeURIComponent));
  } catch (e) {
    if (e.status !== 401) main.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

async function start() {
  try {
    const session = await api('/admin/session', { onUnauthorized: false });
    setCsrf(session.csrf);
    login.hidden = true;
    nav.hidden = false;
    await route();
  } catch (e) {
    showLogin();
  }
}

document.getElementById('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = document.getElementById('login-error');
  error.textContent = '';
  const input = document.getElementById('password');
  try {
    const answer = await api('/admin/login', { method: 'POST', body: { password: input.value }, onUnauthorized: false });
    input.value = '';
    setCsrf(answer.csrf);
    login.hidden = true;
    nav.hidden = false;
    await route();
  } catch (e) {
    error.textContent = e.message;
  }
});

document.getElementById('logout').addEventListener('click', async () => {
  await api('/admin/logout', { method: 'POST' }).catch(() => {});
  showLogin();
});

window.addEventListener('relaygate:signed-out', showLogin);
window.addEventListener('hashchange', () => { if (!nav.hidden) route(); });
start();
