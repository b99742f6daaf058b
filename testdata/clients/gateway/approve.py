import http.client, urllib.parse, sys
uc, user = sys.argv[1], sys.argv[2]
def go(host, port, method, path, body=None, headers={}):
    c = http.client.HTTPConnection(host, port, timeout=30); c.request(method, path, body=body, headers=headers)
    r = c.getresponse(); r.read(); return r.status, dict((k.lower(), v) for k, v in r.getheaders())
st, h = go('127.0.0.1', 47400, 'POST', '/device', 'user_code=' + uc, {'content-type': 'application/x-www-form-urlencoded', 'origin': 'http://127.0.0.1:47400', 'sec-fetch-site': 'same-origin'})
cookie = h['set-cookie'].split(';')[0]; u = urllib.parse.urlparse(h['location'])
st, h = go(u.hostname, u.port, 'GET', '/authorize/login?' + u.query + '&user=' + user)
cb = urllib.parse.urlparse(h['location'])
print(go('127.0.0.1', 47400, 'GET', cb.path + '?' + cb.query, headers={'cookie': cookie})[0])
