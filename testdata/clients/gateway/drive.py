"""Drives Anthropic's gateway (claude gateway) the way Claude Code does and records each exchange."""
import http.client, json, sys, time, urllib.parse, os

GW = ('127.0.0.1', int(os.environ.get('GW_PORT', '47400')))
OUT = sys.argv[1]
UA = 'claude-cli/2.1.330 (external, cli)'
log = []

def req(name, method, path, body=None, headers=None, host=GW, keep=True):
    h = {'user-agent': UA}
    h.update(headers or {})
    if isinstance(body, dict):
        body = urllib.parse.urlencode(body); h.setdefault('content-type', 'application/x-www-form-urlencoded')
    c = http.client.HTTPConnection(*host, timeout=30)
    c.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=h)
    r = c.getresponse(); data = r.read(); c.close()
    try: parsed = json.loads(data)
    except Exception: parsed = None
    ex = {'name': name,
          'request': {'method': method, 'target': path, 'host': '%s:%d' % host, 'headers': h,
                      'body': body if isinstance(body, str) else (body.decode() if body else None)},
          'response': {'status': r.status, 'headers': [[k, v] for k, v in r.getheaders()],
                       'body_json' if parsed is not None else 'body_text':
                           parsed if parsed is not None else data.decode('utf-8', 'replace')[:600]}}
    if keep: log.append(ex)
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), parsed, data

def sign_in(user, tag):
    st, _, dev, _ = req(tag + 'device_authorization', 'POST', '/oauth/device_authorization',
                        {'client_id': 'claude-code', 'scope': 'openid profile email', 'surface': 'claude_code'})
    st, _, pend, _ = req(tag + 'token_device_pending', 'POST', '/oauth/token',
                         {'grant_type': 'urn:ietf:params:oauth:grant-type:device_code', 'device_code': dev['device_code'],
                          'client_id': 'claude-code'})
    # browser: approve the code, sign in at the IdP, come back
    st, hd, _, _ = req('approve', 'POST', '/device', {'user_code': dev['user_code']}, headers={'origin': 'http://%s:%d' % GW, 'sec-fetch-site': 'same-origin'}, keep=False)
    loc = hd['location']; cookie = hd.get('set-cookie', '').split(';')[0]
    u = urllib.parse.urlparse(loc)
    q = u.query + '&user=' + user
    st, hd, _, _ = req('idp', 'GET', '/authorize/login?' + q, host=(u.hostname, u.port), keep=False)
    cb = urllib.parse.urlparse(hd['location'])
    st, hd, _, page = req('callback', 'GET', cb.path + '?' + cb.query, headers={'cookie': cookie}, keep=False)
    print('callback', st, page[:200] if st != 200 else '')
    st, _, tok, _ = req(tag + 'token_device_grant', 'POST', '/oauth/token',
                        {'grant_type': 'urn:ietf:params:oauth:grant-type:device_code', 'device_code': dev['device_code'],
                         'client_id': 'claude-code'})
    return tok

def bearer(t, **kw):
    d = {'authorization': 'Bearer ' + t}; d.update(kw); return d

MSG = json.dumps({'model': 'claude-sonnet-4-5', 'max_tokens': 64, 'stream': False,
                  'messages': [{'role': 'user', 'content': 'say hi'}]})
def messages(model):
    return json.dumps({'model': model, 'max_tokens': 64, 'stream': False,
                       'messages': [{'role': 'user', 'content': 'say hi'}]})
MH = {'content-type': 'application/json', 'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219', 'x-app': 'cli'}

mode = sys.argv[2] if len(sys.argv) > 2 else 'main'
if mode == 'main':
    req('discovery', 'GET', '/.well-known/oauth-authorization-server')
    req('discovery_openid', 'GET', '/.well-known/openid-configuration')
    req('device_authorization_unknown_params', 'POST', '/oauth/device_authorization', {'client_id': 'claude-code', 'future_param': 'x'})
    req('token_device_unknown_code', 'POST', '/oauth/token',
        {'grant_type': 'urn:ietf:params:oauth:grant-type:device_code', 'device_code': 'not-a-device-code'})
    req('token_unsupported_grant', 'POST', '/oauth/token', {'grant_type': 'password', 'username': 'a', 'password': 'b'})
    tok = sign_in('alice', '')
    at = tok['access_token']
    st, hd, ms, _ = req('managed_settings', 'GET', '/managed/settings', headers=bearer(at))
    etag = hd.get('etag')
    if etag:
        req('managed_settings_if_none_match', 'GET', '/managed/settings', headers=bearer(at, **{'if-none-match': etag}))
    req('managed_settings_if_none_match_stale', 'GET', '/managed/settings', headers=bearer(at, **{'if-none-match': '"stale"'}))
    req('models', 'GET', '/v1/models?limit=1000', headers=bearer(at, **{'anthropic-version': '2023-06-01'}))
    req('messages', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=bearer(at, **MH))
    req('count_tokens', 'POST', '/v1/messages/count_tokens?beta=true', json.dumps({'model': 'claude-sonnet-4-5', 'messages': [{'role': 'user', 'content': 'hi'}]}), headers=bearer(at, **MH))
    req('messages_unknown_token', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=bearer('not-a-gateway-token', **MH))
    req('messages_no_token', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=MH)
    req('managed_settings_unknown_token', 'GET', '/managed/settings', headers=bearer('not-a-gateway-token'))
    req('models_unknown_token', 'GET', '/v1/models?limit=1000', headers=bearer('not-a-gateway-token'))
    # the intern may only use claude-haiku-4-5
    tb = sign_in('bob', 'bob_')
    bt = tb['access_token']
    req('bob_models', 'GET', '/v1/models?limit=1000', headers=bearer(bt, **{'anthropic-version': '2023-06-01'}))
    req('bob_managed_settings_none', 'GET', '/managed/settings', headers=bearer(bt))
    req('bob_messages_allowed_model', 'POST', '/v1/messages?beta=true', messages('claude-haiku-4-5'), headers=bearer(bt, **MH))
    req('bob_messages_denied_model', 'POST', '/v1/messages?beta=true', messages('claude-opus-4-5'), headers=bearer(bt, **MH))
    req('bob_count_tokens_denied_model', 'POST', '/v1/messages/count_tokens?beta=true', json.dumps({'model': 'claude-opus-4-5', 'messages': [{'role': 'user', 'content': 'hi'}]}), headers=bearer(bt, **MH))
    # refresh and revoke
    st, _, t2, _ = req('token_refresh_grant', 'POST', '/oauth/token',
                       {'grant_type': 'refresh_token', 'refresh_token': tok.get('refresh_token', ''), 'client_id': 'claude-code'})
    req('token_refresh_grant_reused', 'POST', '/oauth/token',
        {'grant_type': 'refresh_token', 'refresh_token': tok.get('refresh_token', ''), 'client_id': 'claude-code'})
    req('messages_old_access_after_refresh', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=bearer(at, **MH))
    nat = t2.get('access_token', at) if t2 else at
    req('revoke', 'POST', '/oauth/revoke', {'token': t2.get('refresh_token', ''), 'token_type_hint': 'refresh_token', 'client_id': 'claude-code'})
    req('revoke_access', 'POST', '/oauth/revoke', {'token': nat, 'token_type_hint': 'access_token', 'client_id': 'claude-code'})
    req('messages_after_revoke', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=bearer(nat, **MH))
    req('token_refresh_after_revoke', 'POST', '/oauth/token',
        {'grant_type': 'refresh_token', 'refresh_token': t2.get('refresh_token', ''), 'client_id': 'claude-code'})
    with open(OUT + '/secrets.json', 'w') as f:
        json.dump({'alice': tok, 'alice_refreshed': t2, 'bob': tb}, f)
elif mode == 'models':
    # the intern's model list again, with the anthropic-version header Claude Code sends (first run left it out)
    tb = sign_in('bob', 'bob_models_')
    req('bob_models', 'GET', '/v1/models?limit=1000', headers=bearer(tb['access_token'], **{'anthropic-version': '2023-06-01'}))
elif mode == 'expiry':
    tok = sign_in('alice', 'short_')
    json.dump(tok, open(OUT + '/short.json', 'w'))
elif mode == 'expired':
    tok = json.load(open(OUT + '/short.json'))
    req('messages_expired_token', 'POST', '/v1/messages?beta=true', messages('claude-sonnet-4-5'), headers=bearer(tok['access_token'], **MH))
    req('managed_settings_expired_token', 'GET', '/managed/settings', headers=bearer(tok['access_token']))
    req('token_refresh_after_expiry', 'POST', '/oauth/token',
        {'grant_type': 'refresh_token', 'refresh_token': tok.get('refresh_token', ''), 'client_id': 'claude-code'})
json.dump(log, open(OUT + '/raw_' + mode + '.json', 'w'), indent=1)
for e in log:
    r = e['response']; print(e['name'], r['status'], json.dumps(r.get('body_json', r.get('body_text')))[:300])
