"""EC2 endpoints a build instance reaches, stood in on the guest itself (python3, stdlib only).

- Instance metadata (IMDSv2) on 169.254.169.254:80: `PUT /latest/api/token` returns a token;
  `GET /latest/meta-data/<path>` answers only with that token (IMDSv2 required, as the library's
  launch templates require it), for `placement/region`, `instance-id`, `instance-type` and
  `placement/availability-zone`.
- The regional S3 endpoint `s3.<region>.amazonaws.com:443`, over HTTPS with a certificate the
  harness's own CA signed (the guest trusts that CA), serving GET for files under
  `--s3-root/<bucket>/<key>`, 404 otherwise.

The harness adds 169.254.169.254 to the loopback interface, maps the S3 host name to 127.0.0.2
in /etc/hosts, and starts this as a transient systemd service. Nothing here leaves the guest.

    python3 ec2_endpoints.py --region eu-west-1 --s3-root DIR --cert CERT --key KEY
"""

import argparse
import http.server
import os
import secrets
import ssl
import threading

TOKEN = secrets.token_hex(16)


class Metadata(http.server.BaseHTTPRequestHandler):
    values: dict = {}

    def do_PUT(self):
        if self.path != '/latest/api/token' or not self.headers.get('X-aws-ec2-metadata-token-ttl-seconds'):
            self.send_error(400)
            return
        self._send(TOKEN)

    def do_GET(self):
        if self.headers.get('X-aws-ec2-metadata-token') != TOKEN:
            self.send_error(401)
            return
        prefix = '/latest/meta-data/'
        value = self.values.get(self.path[len(prefix):]) if self.path.startswith(prefix) else None
        if value is None:
            self.send_error(404)
            return
        self._send(value)

    def _send(self, body: str):
        data = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class S3(http.server.BaseHTTPRequestHandler):
    root = '/'

    def do_GET(self):
        path = os.path.normpath(os.path.join(self.root, self.path.split('?', 1)[0].lstrip('/')))
        if not path.startswith(self.root + os.sep) or not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, 'rb') as source:
            data = source.read()
        self.send_response(200)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--region', required=True)
    parser.add_argument('--s3-root', required=True)
    parser.add_argument('--cert', required=True)
    parser.add_argument('--key', required=True)
    args = parser.parse_args()
    Metadata.values = {
        'placement/region': args.region,
        'placement/availability-zone': f'{args.region}a',
        'instance-id': 'i-0123456789abcdef0',
        'instance-type': 'm7i.large',
    }
    S3.root = os.path.realpath(args.s3_root)
    metadata = http.server.ThreadingHTTPServer(('169.254.169.254', 80), Metadata)
    s3 = http.server.ThreadingHTTPServer(('127.0.0.2', 443), S3)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    s3.socket = context.wrap_socket(s3.socket, server_side=True)
    threading.Thread(target=metadata.serve_forever, daemon=True).start()
    s3.serve_forever()


if __name__ == '__main__':
    main()
