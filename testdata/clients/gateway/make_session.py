"""Claude Code's own exchanges with the gateway (logged by proxy.py), redacted, as one fixture."""
import json, re, sys
JWT = re.compile(r'eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+')
def jwt(m):
    h, p, s = m.group(0).split('.'); return h + '.' + p + '.' + ('REDACTED' + 'x' * len(s))[:len(s)]
lines = [json.loads(l) for l in open(sys.argv[1])]
codes = {}
for e in lines:
    m = re.search(r'"device_code":"([^"]+)"', e['response_body'])
    if m: codes[m.group(1)] = ('DEVICECODEREDACTED' + 'x' * 64)[:len(m.group(1))]
def scrub(t):
    t = JWT.sub(jwt, t)
    for k, v in codes.items(): t = t.replace(k, v)
    return t
t0 = lines[0]['t']; out = []
for e in lines:
    x = {'seconds_after_first': round(e['t'] - t0, 1), 'method': e['method'], 'target': e['target'],
         'headers': [[k, scrub(v)] for k, v in e['headers']]}
    if e['target'].startswith('/v1/messages'):
        b = json.loads(e['body']) if e['body'].endswith('}') else None
        x['body_summary'] = {'note': 'body not kept (~50 KB, as in claude-code-2.1.330_interactive_turn1.json)',
                             'length': int(dict((k.lower(), v) for k, v in e['headers']).get('content-length', 0))}
    else:
        x['body'] = scrub(e['body'])
    x['response'] = {'status': e['status'], 'headers': e['response_headers'],
                     'body': scrub(e['response_body'])[:1500]}
    out.append(x)
doc = {'what': 'Claude Code 2.1.330 (interactive, tmux) signing in to Anthropic\'s gateway (claude gateway, same build) '
               'through a logging proxy: /login with forceLoginMethod=gateway, device flow approved as alice (group dev), '
               'one "say hi" turn, then /logout. CLAUDE_CODE_ENABLE_GATEWAY_MODEL_DISCOVERY=1.',
       'notes': ['The first four /v1/messages got 502 because the mock upstream was restarted under them; '
                 'Claude Code retried (attempt 2/10 on screen) and the fifth went through.',
                 'Bodies over 4000 characters were cut by the proxy; messages bodies are summarised.'],
       'exchanges': out}
json.dump(doc, open(sys.argv[2], 'w'), indent=2)
