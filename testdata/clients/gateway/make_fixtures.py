"""Turns the raw captures into redacted fixtures: tokens keep their shape, their secret parts become placeholders."""
import json, re, sys, os
SRC, DST = sys.argv[1], sys.argv[2]
os.makedirs(DST, exist_ok=True)
JWT = re.compile(r'eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+')
def jwt(m):
    h, p, s = m.group(0).split('.')
    return h + '.' + p + '.' + ('REDACTED' + 'x' * len(s))[:len(s)]
secrets = {}
def device(code):
    return secrets.setdefault(code, ('DEVICECODEREDACTED' + 'x' * len(code))[:len(code)])
def scrub(text):
    if text is None: return None
    text = JWT.sub(jwt, text)
    for k, v in secrets.items(): text = text.replace(k, v)
    return text
def walk(o):
    if isinstance(o, dict): return {k: walk(v) for k, v in o.items()}
    if isinstance(o, list): return [walk(v) for v in o]
    if isinstance(o, str): return scrub(o)
    return o
raw = []
for f in sorted(os.listdir(SRC)):
    if f.startswith('raw_'): raw += json.load(open(os.path.join(SRC, f)))
for e in raw:
    b = e['response'].get('body_json')
    if isinstance(b, dict) and 'device_code' in b: device(b['device_code'])
for e in raw:
    e = walk(e)
    e['captured_with'] = {'gateway': 'claude gateway (@anthropic-ai/claude-code 2.1.330)',
                          'driver': 'drive.py (the requests Claude Code 2.1.330 sends, see claude-code-2.1.330_gateway_session.json)'}
    name = e.pop('name')
    json.dump(e, open(os.path.join(DST, 'claude-gateway-2.1.330_%s.json' % name), 'w'), indent=2)
    print(name)
