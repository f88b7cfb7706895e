#!/usr/bin/env python3
"""A real TLS peer on loopback for the certificate tests (OpenSSL through
Python's ssl module), plus a plain HTTP server for CRLs.

  tls-peer.py --dir DIR --timeout SECONDS [--gen CMD] SERVER...

The HTTP server (serving DIR) and a "dead" port (bound, never listening, so
connections are refused) are set up first; CMD then runs with {crl} and
{dead} replaced by their port numbers (it makes the certificates, whose CRL
distribution points need those ports).  Each SERVER is
  NAME=CHAIN.pem,KEY.pem[,request=optional|required][,ca=CA.pem][,tls=1.2|1.3]
and listens on its own port of 127.0.0.1.  DIR/ports gets "NAME PORT" lines,
then DIR/ready appears.  Every handshake is logged to DIR/server.log as
"NAME ok|fail <client certificate subject or ->".  Everything ends after
SECONDS or when the process is killed.
"""
import argparse
import http.server
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time

log_lock = threading.Lock()


def log(directory, line):
    with log_lock:
        with open(os.path.join(directory, "server.log"), "a") as f:
            f.write(line + "\n")


def listen_socket(listen=True):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    if listen:
        s.listen(16)
    return s


def make_context(spec, directory):
    files, opts = [], {}
    for item in spec.split(","):
        if "=" in item:
            k, v = item.split("=", 1)
            opts[k] = v
        else:
            files.append(os.path.join(directory, item))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(files[0], files[1])
    if "tls" in opts:
        version = ssl.TLSVersion.TLSv1_3 if opts["tls"] == "1.3" else ssl.TLSVersion.TLSv1_2
        ctx.minimum_version = ctx.maximum_version = version
    if "request" in opts:
        ctx.verify_mode = ssl.CERT_REQUIRED if opts["request"] == "required" else ssl.CERT_OPTIONAL
        ctx.load_verify_locations(os.path.join(directory, opts.get("ca", "ca.pem")))
    return ctx


def subject_of(conn):
    cert = conn.getpeercert()
    if not cert:
        return "-"
    for rdn in cert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return "CN=" + value.replace(" ", "_")
    return "?"


def serve_one(name, ctx, sock, directory):
    sock.settimeout(20)
    try:
        with ctx.wrap_socket(sock, server_side=True) as conn:
            who = subject_of(conn)
            log(directory, "%s ok %s" % (name, who))
            try:
                conn.sendall(b"hello from " + name.encode() + b"\n")
                conn.recv(100)
            except (OSError, ssl.SSLError):
                pass
    except (OSError, ssl.SSLError) as e:
        log(directory, "%s fail %s" % (name, str(e).replace(" ", "_")[:120]))


def accept_loop(name, ctx, listener, directory):
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve_one, args=(name, ctx, sock, directory), daemon=True).start()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        with log_lock:
            with open(os.path.join(self.directory, "http.log"), "a") as f:
                f.write(self.requestline + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--gen")
    ap.add_argument("servers", nargs="*")
    args = ap.parse_args()
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)

    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0),
                                            lambda *a: QuietHandler(*a, directory=directory))
    httpd.daemon_threads = True
    dead = listen_socket(listen=False)
    crl_port, dead_port = httpd.server_address[1], dead.getsockname()[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    if args.gen:
        subprocess.run(args.gen.format(crl=crl_port, dead=dead_port), shell=True, check=True)

    lines = ["crl %d" % crl_port, "dead %d" % dead_port]
    for spec in args.servers:
        name, rest = spec.split("=", 1)
        listener = listen_socket()
        ctx = make_context(rest, directory)
        threading.Thread(target=accept_loop, args=(name, ctx, listener, directory), daemon=True).start()
        lines.append("%s %d" % (name, listener.getsockname()[1]))
    with open(os.path.join(directory, "ports"), "w") as f:
        f.write("\n".join(lines) + "\n")
    open(os.path.join(directory, "ready"), "w").close()
    time.sleep(args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
