"""Logging reverse proxy: every exchange between Claude Code and the gateway, as JSON lines."""
import http.server, http.client, json, sys, time, socketserver
UP = ('127.0.0.1', int(sys.argv[2])); LOG = open(sys.argv[3], 'a')
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def do(self):
        n = int(self.headers.get('content-length') or 0); body = self.rfile.read(n) if n else b''
        hdrs = [(k, v) for k, v in self.headers.items()]
        c = http.client.HTTPConnection(*UP, timeout=120)
        fwd = {k: v for k, v in hdrs if k.lower() not in ('host', 'connection', 'accept-encoding')}
        fwd['host'] = '%s:%d' % UP
        c.request(self.command, self.path, body=body or None, headers=fwd)
        r = c.getresponse(); data = r.read(); c.close()
        rh = [(k, v) for k, v in r.getheaders() if k.lower() not in ('transfer-encoding', 'connection', 'content-length')]
        self.send_response(r.status)
        for k, v in rh: self.send_header(k, v)
        self.send_header('content-length', str(len(data))); self.end_headers(); self.wfile.write(data)
        LOG.write(json.dumps({'t': time.time(), 'method': self.command, 'target': self.path, 'headers': hdrs,
                              'body': body.decode('utf-8', 'replace')[:4000], 'status': r.status, 'response_headers': rh,
                              'response_body': data.decode('utf-8', 'replace')[:4000]}) + '\n'); LOG.flush()
    do_GET = do_POST = do_HEAD = do_PUT = do_DELETE = do
    def log_message(self, *a): pass
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True
S(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
