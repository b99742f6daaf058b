// The Bedrock and Vertex parts of the Accounts page's "Add an account" form: a bedrock account's region, inference
// profile and IAM keys or Bedrock API key; a vertex account's project, region and service account key (pasted or read
// from its file). The gateway checks and stores them as `relaygate accounts add` does; the base URL may stay empty
// (the region's endpoint). accounts.js calls cloudKindChanged when the kind changes and cloudBody before it posts.
import { el } from './format.js';

export const CLOUD_KINDS = ['bedrock', 'vertex'];

function input(id, label, attrs = {}) {
  return el('div', {}, el('label', { for: id }, label), el(attrs.tag || 'input', { id, name: id, autocomplete: 'off', ...attrs, tag: null }));
}

function bedrockFields() {
  return [
    el('p', { class: 'hint' }, 'Amazon Bedrock: IAM keys (with bedrock:InvokeModel, bedrock:InvokeModelWithResponseStream) or a Bedrock API key. Stored encrypted, never shown again.'),
    el('div', { class: 'form-grid', id: 'cloud-fields' },
      input('acc-region', 'AWS region', { required: true, placeholder: 'us-east-1' }),
      el('div', {}, el('label', { for: 'acc-profilePrefix' }, 'Cross-region inference profile'),
        el('select', { id: 'acc-profilePrefix', name: 'acc-profilePrefix' },
          ...['', 'us.', 'eu.', 'apac.', 'global.'].map((p) => el('option', { value: p }, p || 'none (in-region model ids)')))),
      input('acc-awsAccessKeyId', 'Access key id'),
      input('acc-awsSecretAccessKey', 'Secret access key', { type: 'password' }),
      input('acc-awsSessionToken', 'Session token (temporary credentials, optional)', { type: 'password' }),
      input('acc-bedrockApiKey', 'or a Bedrock API key', { type: 'password' })),
  ];
}

function vertexFields() {
  const file = el('input', { id: 'acc-serviceAccountFile', type: 'file', accept: '.json,application/json' });
  const text = el('textarea', { id: 'acc-serviceAccountJson', name: 'acc-serviceAccountJson', rows: 4, placeholder: '{"type": "service_account", …}' });
  file.addEventListener('change', async () => {
    if (file.files.length) text.value = await file.files[0].text();
  });
  return [
    el('p', { class: 'hint' }, 'Google Vertex AI: a service account with the Vertex AI User role. Its key is stored encrypted and exchanged for access tokens.'),
    el('div', { class: 'form-grid', id: 'cloud-fields' },
      input('acc-project', 'Google Cloud project id', { required: true }),
      input('acc-region', 'Region', { required: true, placeholder: 'us-east5 or global' }),
      el('div', {}, el('label', { for: 'acc-serviceAccountFile' }, 'Service account key file'), file),
      el('div', {}, el('label', { for: 'acc-serviceAccountJson' }, 'or its JSON'), text)),
  ];
}

/** Shows the cloud fields of `kind` in `box` (emptied by the caller); the API key and a required base URL are not for them. */
export function cloudKindChanged(form, kind, box) {
  const cloud = CLOUD_KINDS.includes(kind);
  const url = form.elements['acc-baseUrl'];
  url.required = !cloud;
  url.placeholder = cloud ? 'empty: the region\'s endpoint' : '';
  if (cloud) url.value = '';
  form.elements['acc-apiKey'].parentElement.hidden = cloud;
  if (cloud) box.append(...(kind === 'bedrock' ? bedrockFields() : vertexFields()));
}

/** Puts the cloud fields into `body`; false (with the reason shown) when they cannot be sent. */
export function cloudBody(form, kind, body) {
  if (!CLOUD_KINDS.includes(kind)) return true;
  const v = (id) => (form.elements[id] ? form.elements[id].value.trim() : '');
  if (!body.baseUrl) delete body.baseUrl;
  delete body.apiKey;
  const fields = kind === 'bedrock'
    ? ['region', 'profilePrefix', 'awsAccessKeyId', 'awsSecretAccessKey', 'awsSessionToken', 'bedrockApiKey']
    : ['project', 'region', 'serviceAccountJson'];
  for (const f of fields) {
    if (v(`acc-${f}`)) body[f] = v(`acc-${f}`);
  }
  if (kind === 'vertex') {
    try { JSON.parse(body.serviceAccountJson || ''); } catch (e) {
      form.querySelector('.error').textContent = 'the service account key is not valid JSON';
      return false;
    }
  }
  return true;
}
