#!/usr/bin/env python3
"""A small HTTPS server on 127.0.0.1 for the tests of real client programs
(OpenSSL through Python's ssl module).

  https-server.py --port N --cert CHAIN.pem --key KEY.pem --dir DIR --log FILE
                  [--min 1.2] [--max 1.3] [--alpn h2,http/1.1] [--client-ca CA.pem]
                  [--timeout SECONDS]

GET /NAME serves DIR/NAME; GET /eof-notify and /eof-abrupt send a body
that runs to the end of the connection, which ends with or without
close_notify; PUT or POST answers with the SHA-256 of the
body it read.  Every connection appends one line to FILE when it ends:
  conn version=TLSv1.3 reused=0|1 alpn=NAME|- client=SUBJECT|- close_notify=0|1 requests=N
where close_notify=1 means the client's close_notify arrived after ours.
"ready" is printed once listening; everything stops after --timeout.
"""
import argparse
import hashlib
import http.server
import os
import socket
import ssl
import sys
import threading

VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.1": ssl.TLSVersion.TLSv1_1,
            "1.2": ssl.TLSVersion.TLSv1_2, "1.3": ssl.TLSVersion.TLSv1_3}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.server.note(self.request, "requests", 0)

    def count(self):
        info = self.server.conns.setdefault(id(self.request), {})
        info["requests"] = info.get("requests", 0) + 1

    def reply(self, body, ctype="application/octet-stream"):
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.count()
        name = self.path.lstrip("/").split("?")[0]
        if name in ("eof-notify", "eof-abrupt"):
            # The body runs to the end of the connection: the client must
            # read on until close_notify (or find it missing).
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"body until the end of the connection\n")
            self.wfile.flush()
            if name == "eof-abrupt":
                self.server.abrupt.add(id(self.request))
            self.close_connection = True
            return
        path = os.path.join(self.server.dir, os.path.basename(name) or "index.txt")
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 16)
                if not chunk:
                    break
                self.wfile.write(chunk)

    def do_PUT(self):
        self.count()
        left = int(self.headers.get("Content-Length", "0"))
        digest = hashlib.sha256()
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
        self.reply((digest.hexdigest() + "\n").encode(), "text/plain")

    do_POST = do_PUT


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, args, ctx):
        self.dir, self.ctx, self.logfile = args.dir, ctx, args.log
        self.conns, self.abrupt, self.lock = {}, set(), threading.Lock()
        super().__init__(("127.0.0.1", args.port), Handler)

    def note(self, sock, key, value):
        self.conns.setdefault(id(sock), {}).setdefault(key, value)

    def get_request(self):
        sock, addr = self.socket.accept()
        sock.settimeout(10)
        try:
            return self.ctx.wrap_socket(sock, server_side=True), addr
        except (ssl.SSLError, OSError) as e:
            self.write("fail %s" % str(e).replace("\n", " "))
            sock.close()
            raise

    def write(self, line):
        with self.lock:
            with open(self.logfile, "a") as f:
                f.write(line + "\n")

    def shutdown_request(self, request):
        info = self.conns.pop(id(request), {})
        fields = ["version=%s" % request.version(), "reused=%d" % int(bool(request.session_reused)),
                  "alpn=%s" % (request.selected_alpn_protocol() or "-")]
        cert = request.getpeercert()
        subject = "-"
        if cert:
            subject = ",".join("%s=%s" % kv for rdn in cert.get("subject", ()) for kv in rdn)
        elif request.getpeercert(binary_form=True):
            subject = "unverified"
        fields.append("client=%s" % subject)
        notified = 0
        if id(request) in self.abrupt:
            self.abrupt.discard(id(request))   # closing the socket sends no close_notify
        else:
            try:
                request.settimeout(3)
                request.unwrap().close()   # ours out, theirs in
                notified = 1
            except (ssl.SSLError, OSError, ValueError):
                pass
        fields.append("close_notify=%d" % notified)
        fields.append("requests=%d" % info.get("requests", 0))
        self.write("conn " + " ".join(fields))
        try:
            request.close()
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--min")
    ap.add_argument("--max")
    ap.add_argument("--alpn")
    ap.add_argument("--client-ca")
    ap.add_argument("--timeout", type=float, default=120)
    args = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    if args.min:
        ctx.minimum_version = VERSIONS[args.min]
    if args.max:
        ctx.maximum_version = VERSIONS[args.max]
    if args.min in ("1.0", "1.1") or args.max in ("1.0", "1.1"):
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    if args.alpn:
        ctx.set_alpn_protocols(args.alpn.split(","))
    if args.client_ca:
        ctx.load_verify_locations(args.client_ca)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    server = Server(args, ctx)
    threading.Timer(args.timeout, lambda: os._exit(0)).start()
    print("ready", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()
