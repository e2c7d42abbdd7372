# Helpers for the raw MCP protocol tests: start the Pyroscope emulator and `profdiff mcp`
# (stdio pipes or --listen on 127.0.0.1, ephemeral port), send raw lines or HTTP requests,
# and count assertions. Every read has a deadline, so a hung server fails instead of
# hanging the suite.
import http.client
import json
import os
import select
import subprocess
import sys
import tempfile
import time

PROFDIFF = os.environ["PROFDIFF"]
EMU = os.environ["PD_EMULATOR"]
DATA = os.environ["PD_EMU_DATA"]
TMP = os.environ.get("PD_TMP", tempfile.gettempdir())
TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds"
NEW_WIN = {"start_rfc_3339": "2026-05-01T09:00:00Z", "end_rfc_3339": "2026-05-01T10:00:00Z"}
INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {},
                   "clientInfo": {"name": "raw-tests", "version": "0"}}}
MODERN_META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
               "io.modelcontextprotocol/clientCapabilities": {}}

os.makedirs(TMP, exist_ok=True)
WORK = tempfile.mkdtemp(prefix="mcp.", dir=TMP)
fails = 0
children = []


def ok(desc):
    print("ok   - " + desc)


def check(cond, desc, detail=""):
    global fails
    if cond:
        ok(desc)
    else:
        fails += 1
        print("FAIL - " + desc)
        if detail:
            print("  " + str(detail)[:1500].replace("\n", "\n  "))
    return cond


def done():
    for p in children:
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
    print("%d failure(s)" % fails)
    sys.exit(1 if fails else 0)


def wait_port(path, proc, what):
    for _ in range(200):
        if os.path.exists(path) and os.path.getsize(path) > 0:
            return int(open(path).read().strip())
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    print("%s did not start" % what)
    done()


def start_emulator(*flags):
    """Starts the emulator; returns (url, log path)."""
    d = tempfile.mkdtemp(dir=WORK)
    port_file, log = os.path.join(d, "port"), os.path.join(d, "log.jsonl")
    p = subprocess.Popen([EMU, "--port-file", port_file, "--log", log, "--base",
                          os.path.join(DATA, "base.dot"), "--new", os.path.join(DATA, "new.dot"),
                          "--split", "1777626000000"] + list(flags),
                         stderr=open(os.path.join(d, "emu.err"), "w"))
    children.append(p)
    return "http://127.0.0.1:%d" % wait_port(port_file, p, "emulator"), log


def requests_seen(log):
    with open(log) as f:
        return [json.loads(l) for l in f if l.strip()]


def clean_env(**extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PROFDIFF_", "GRAFANA_")) or k == "PROFDIFF"}
    env.update(extra)
    return env


class Stdio:
    """`profdiff mcp` on pipes: raw bytes in, one JSON message per stdout line out."""

    def __init__(self, args=(), env=None):
        self.err_path = os.path.join(tempfile.mkdtemp(dir=WORK), "stderr")
        self.p = subprocess.Popen([PROFDIFF, "mcp"] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=open(self.err_path, "w"),
                                  env=env if env is not None else clean_env())
        children.append(self.p)
        self.buf = b""
        self.raw_lines = []

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, msg):
        self.send_raw((msg if isinstance(msg, str) else json.dumps(msg)).encode() + b"\n")

    def line(self, timeout=15):
        """The next stdout line as bytes, or None on timeout/EOF."""
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if not r:
                return None
            chunk = os.read(self.p.stdout.fileno(), 1 << 20)
            if not chunk:
                return None
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        self.raw_lines.append(l)
        return l

    def recv(self, timeout=15):
        l = self.line(timeout)
        return None if l is None else json.loads(l)

    def request(self, msg, timeout=15):
        self.send(msg)
        return self.recv(timeout)

    def silent(self, timeout=0.5):
        """True when nothing arrives on stdout within timeout."""
        return self.line(timeout) is None

    def close(self, timeout=5):
        """Closes stdin; returns the exit status (None when it did not exit in time)."""
        self.p.stdin.close()
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stderr(self):
        return open(self.err_path).read()


def call(i, name, args):
    return {"jsonrpc": "2.0", "id": i, "method": "tools/call",
            "params": {"name": name, "arguments": args}}


def text_of(resp):
    try:
        return resp["result"]["content"][0]["text"]
    except (KeyError, IndexError, TypeError):
        return ""


class Http:
    """`profdiff mcp --listen 127.0.0.1:0`; raw requests with http.client."""

    def __init__(self, args=(), env=None):
        d = tempfile.mkdtemp(dir=WORK)
        port_file = os.path.join(d, "port")
        self.err_path = os.path.join(d, "stderr")
        self.p = subprocess.Popen([PROFDIFF, "mcp", "--listen", "127.0.0.1:0", "--port-file",
                                   port_file] + list(args), stdin=subprocess.DEVNULL,
                                  stdout=open(os.path.join(d, "stdout"), "w"),
                                  stderr=open(self.err_path, "w"),
                                  env=env if env is not None else clean_env())
        children.append(self.p)
        self.port = wait_port(port_file, self.p, "profdiff mcp --listen")
        self.url = "http://127.0.0.1:%d/mcp" % self.port

    def req(self, method="POST", body=None, headers=None, path="/mcp", timeout=30):
        """Returns (status, headers dict with lowercase names, body bytes)."""
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        c.close()
        return r.status, hdrs, data

    def post(self, msg, version=None, headers=None):
        h = dict(headers or {})
        if version:
            h["MCP-Protocol-Version"] = version
        st, hd, body = self.req("POST", msg, h)
        return st, hd, (json.loads(body) if body else None)

    def stop(self):
        self.p.terminate()
        try:
            return self.p.wait(5)
        except subprocess.TimeoutExpired:
            return None
