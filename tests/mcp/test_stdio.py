# `profdiff mcp` over stdio, raw: both handshakes and the stateless revision, every
# protocol error, oversized and interleaved lines, batches, EOF, and nothing but JSON-RPC
# on stdout. The tools themselves are covered by test_tools.py.
import json
import os
import subprocess

from mcplib import (INIT, MODERN_META, PROFDIFF, Stdio, call, check, clean_env, done, text_of)

# ---- the command line ----------------------------------------------------------------
r = subprocess.run([PROFDIFF, "mcp", "--help"], capture_output=True, text=True, env=clean_env())
check(r.returncode == 0 and "--listen" in r.stdout and "--allow-dir" in r.stdout, "mcp --help", r)
for args, desc in ((["--bogus"], "unknown option"), (["--listen", "nonsense"], "bad --listen"),
                   (["--listen", "10.0.0.1:99999"], "port out of range"),
                   (["--allow-dir", "/nonexistent/dir"], "missing --allow-dir directory"),
                   (["--timeout", "-1"], "bad --timeout"), (["--url"], "option without its value")):
    r = subprocess.run([PROFDIFF, "mcp"] + args, capture_output=True, text=True, env=clean_env(),
                       stdin=subprocess.DEVNULL, timeout=10)
    check(r.returncode == 2 and r.stdout == "" and r.stderr.count("\n") == 1 and "profdiff: " in r.stderr,
          "%s: exit 2, one line on stderr" % desc, r)


def init(s, version="2025-11-25"):
    m = dict(INIT)
    m["params"] = dict(INIT["params"], protocolVersion=version)
    return s.request(m)


def err_of(r):
    return (r or {}).get("error", {}).get("code")


# ---- the 2025-11-25 handshake ---------------------------------------------------------
s = Stdio()
r = s.request({"jsonrpc": "2.0", "id": 9, "method": "tools/list"})
check(err_of(r) == -32600 and r.get("id") == 9, "tools/list before initialize: -32600 with its id", r)
r = s.request({"jsonrpc": "2.0", "id": "p0", "method": "ping"})
check(r == {"jsonrpc": "2.0", "id": "p0", "result": {}}, "ping before initialize: exactly {}", r)
r = init(s)
res = (r or {}).get("result", {})
check(r.get("id") == 0 and res.get("protocolVersion") == "2025-11-25", "initialize echoes 2025-11-25, id 0", r)
check(res.get("capabilities") == {"tools": {}}, "capabilities: tools only", res.get("capabilities"))
check(res.get("serverInfo", {}).get("name") == "profdiff" and "version" in res.get("serverInfo", {}),
      "serverInfo name and version")
check(isinstance(res.get("instructions"), str) and "service_name" in res["instructions"],
      "instructions teach the workflow")
check(sorted(r.keys()) == ["id", "jsonrpc", "result"], "exact member set of a response", r.keys())
s.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
check(s.silent(), "notifications/initialized gets no reply")
r = init(s)
check(err_of(r) == -32600, "a second initialize: -32600", r)
r = s.request({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
tools = r["result"]["tools"]
names = [t["name"] for t in tools]
check(names == ["list_pyroscope_profile_types", "list_pyroscope_label_names",
                "list_pyroscope_label_values", "fetch_pyroscope_profile", "query_pyroscope",
                "diff_pyroscope_profiles", "diff_dot_profiles", "diff_profile_files"],
      "tools/list: every tool, fixed order", names)
check("nextCursor" not in r["result"], "no nextCursor")
check(all(t["inputSchema"]["type"] == "object" and t["annotations"]["readOnlyHint"] is True
          and "title" in t for t in tools), "each tool: object inputSchema, readOnlyHint, title")
diff_tool = tools[names.index("diff_pyroscope_profiles")]
check(diff_tool.get("outputSchema", {}).get("type") == "object", "the diff tools declare an outputSchema")
for p in ("data_source_uid", "profile_type", "matchers", "start_rfc_3339", "end_rfc_3339", "max_node_depth"):
    check(p in tools[names.index("fetch_pyroscope_profile")]["inputSchema"]["properties"],
          "fetch_pyroscope_profile has mcp-grafana's parameter " + p)
check(set(("query_type", "format", "group_by", "step")) <=
      set(tools[names.index("query_pyroscope")]["inputSchema"]["properties"]),
      "query_pyroscope has its successor's parameters")
r = s.request({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"cursor": "x"}})
check(err_of(r) == -32602, "unknown cursor: -32602", r)

# ---- protocol errors: each answered, the server keeps serving --------------------------
cases = [
    ("not json", -32700, "absent", "invalid JSON"),
    ("[]", -32600, "absent", "empty array"),
    ("42", -32600, "absent", "a bare number"),
    ('{"jsonrpc":"2.0","id":1}', -32600, 1, "no method"),
    ('{"jsonrpc":"1.0","id":2,"method":"ping"}', -32600, 2, "jsonrpc 1.0"),
    ('{"jsonrpc":"2.0","id":null,"method":"ping"}', -32600, "absent", "id null"),
    ('{"jsonrpc":"2.0","id":true,"method":"ping"}', -32600, "absent", "id boolean"),
    ('{"jsonrpc":"2.0","id":1.5,"method":"ping"}', -32600, "absent", "fractional id"),
    ('{"jsonrpc":"2.0","id":[1],"method":"ping"}', -32600, "absent", "id array"),
    ('{"jsonrpc":"2.0","id":3,"method":"ping","params":[1]}', -32602, 3, "params not an object"),
    ('{"jsonrpc":"2.0","id":4,"method":"resources/list"}', -32601, 4, "unknown method"),
    ('{"jsonrpc":"2.0","id":5,"method":"logging/setLevel","params":{"level":"info"}}', -32601, 5,
     "logging is not a capability"),
    ('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"nope","arguments":{}}}', -32602, 6,
     "unknown tool"),
    ('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":{}}}', -32602, 7, "tools/call without name"),
    ('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"diff_dot_profiles","arguments":[]}}',
     -32602, 8, "arguments not an object"),
    ('{"jsonrpc":"2.0","id":10,"method":"ping"', -32700, "absent", "truncated JSON"),
]
for line, code, want_id, desc in cases:
    r = s.request(line)
    got_id = r.get("id", "absent") if r else None
    check(err_of(r) == code and got_id == want_id, "%s: %d, id %s" % (desc, code, want_id), r)
s.send_raw(b'{"jsonrpc":"2.0","id":11,"method":"ping","params":{"x":"\xff\xfe"}}\n')
r = s.recv()
check(err_of(r) == -32700 and "id" not in r, "invalid UTF-8: -32700 without id", r)
s.send('{"jsonrpc":"2.0","method":"no/such/notification"}')
s.send('{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}')
s.send('{"jsonrpc":"2.0","id":77,"result":{}}')
s.send("")
s.send("   ")
check(s.silent(), "notifications, client responses and blank lines: no output")
for i, want in (("0", 0), ('"abc"', "abc"), ("12345678901234567", 12345678901234567), ("-3", -3)):
    s.send_raw(b'{"jsonrpc":"2.0","id":%s,"method":"ping"}\r\n' % i.encode())
    l = s.line()
    check(l is not None and json.loads(l).get("id") == want and b'"id":%s' % i.encode() in l,
          "id %s echoed with its type and digits (CRLF line)" % i, l)

# ---- oversized and interleaved ---------------------------------------------------------
s.send_raw(b'{"jsonrpc":"2.0","id":20,"method":"ping","params":{"pad":"' + b"x" * (2 << 20) + b'"}}\n')
r = s.recv()
check(err_of(r) == -32600 and "id" not in r, "a 2 MiB line: one -32600 without id", r)
r = s.request({"jsonrpc": "2.0", "id": 21, "method": "ping"})
check(r == {"jsonrpc": "2.0", "id": 21, "result": {}}, "the next request is served", r)
s.send_raw(b'{"jsonrpc":"2.0","id":30,"method":"ping"}\n{"jsonrpc":"2.0","id":31,"meth')
s.send_raw(b'od":"ping"}\n{"jsonrpc":"2.0","method":"x/y"}\n{"jsonrpc":"2.0","id":32,"method":"tools/list"}\n')
got = [s.recv() for _ in range(3)]
check([g and g.get("id") for g in got] == [30, 31, 32], "interleaved and split lines: answered in order", got)
check(s.silent(0.3), "and nothing more")
s.send_raw(b"[" * 100000 + b"\n")
r = s.recv()
check(err_of(r) == -32700, "100000 nested arrays: -32700, no stack overflow", r)
code = s.close()
check(code == 0, "EOF on stdin: exit 0 promptly", code)
bad = [l for l in s.raw_lines if json.loads(l).get("jsonrpc") != "2.0"]
check(not bad, "every stdout line is one JSON-RPC message", bad[:2])
check(s.stderr() == "" or "no server configured" in s.stderr(), "stderr quiet by default", s.stderr())

# ---- older versions: fields gated by the negotiated version ---------------------------
for version, title, ann, outs in (("2024-11-05", False, False, False), ("2025-03-26", False, True, False),
                                  ("2025-06-18", True, True, True)):
    s = Stdio()
    r = init(s, version)
    check(r["result"]["protocolVersion"] == version, version + ": echoed")
    t = s.request({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})["result"]["tools"]
    check(all(("title" in x) == title and ("annotations" in x) == ann for x in t),
          version + ": title %s, annotations %s" % (title, ann))
    check(any("outputSchema" in x for x in t) == outs, version + ": outputSchema %s" % outs)
    if version == "2025-03-26":
        s.send('[{"jsonrpc":"2.0","id":"a","method":"ping"},{"jsonrpc":"2.0","method":"x"},'
               '{"jsonrpc":"2.0","id":"b","method":"tools/list"},{"jsonrpc":"2.0","id":"c","method":"initialize",'
               '"params":{"protocolVersion":"2025-03-26"}}]')
        r = s.recv()
        check(isinstance(r, list) and sorted(x.get("id") for x in r) == ["a", "b", "c"] and
              err_of(r[2]) == -32600, "2025-03-26 batch: one array, initialize refused inside", r)
        s.send('[{"jsonrpc":"2.0","method":"x"}]')
        check(s.silent(), "a batch of notifications: no output")
    else:
        r = s.request('[{"jsonrpc":"2.0","id":"a","method":"ping"}]')
        check(err_of(r) == -32600 and "id" not in r, version + ": a batch is -32600", r)
    check(s.close() == 0, version + ": exit 0")
s = Stdio()
s.request({"jsonrpc": "2.0", "id": 1, "method": "ping"})  # serving: the handler is in place
s.p.terminate()
try:
    code = s.p.wait(5)
except Exception:
    code = None
check(code == 0, "SIGTERM: exit 0", code)
s = Stdio()
r = init(s, "1999-01-01")
check(r["result"]["protocolVersion"] == "2025-11-25", "unknown version: answered with 2025-11-25", r)
s.close()

# ---- the stateless 2026-07-28 revision --------------------------------------------------
s = Stdio()
r = s.request({"jsonrpc": "2.0", "id": "server-discover-probe-1", "method": "server/discover",
               "params": {"_meta": MODERN_META}})
res = (r or {}).get("result", {})
check(res.get("resultType") == "complete" and "2026-07-28" in res.get("supportedVersions", [])
      and res.get("capabilities") == {"tools": {}} and isinstance(res.get("ttlMs"), int)
      and res.get("cacheScope") in ("public", "private"), "server/discover: a DiscoverResult", r)
check(res.get("_meta", {}).get("io.modelcontextprotocol/serverInfo", {}).get("name") == "profdiff",
      "serverInfo in _meta")
r = s.request({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": MODERN_META}})
res = (r or {}).get("result", {})
check(res.get("resultType") == "complete" and "ttlMs" in res and "cacheScope" in res and len(res["tools"]) == 8,
      "modern tools/list without a handshake: resultType, ttlMs, cacheScope", r)
r = s.request({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {
    "name": "diff_dot_profiles", "arguments": {"base_dot": "x", "new_dot": "y"}, "_meta": MODERN_META}})
check(r["result"].get("isError") is True and r["result"].get("resultType") == "complete",
      "modern tools/call: a tool error still carries resultType", r)
meta = dict(MODERN_META)
meta["io.modelcontextprotocol/protocolVersion"] = "2030-01-01"
r = s.request({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": meta}})
check(err_of(r) == -32022 and "2026-07-28" in r["error"]["data"]["supported"] and
      r["error"]["data"]["requested"] == "2030-01-01", "unsupported version: -32022 with data", r)
r = s.request({"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {
    "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}})
check(err_of(r) == -32602, "missing clientCapabilities: -32602", r)
r = s.request({"jsonrpc": "2.0", "id": 5, "method": "ping", "params": {"_meta": MODERN_META}})
check(err_of(r) == -32601, "ping is gone in 2026-07-28: -32601", r)
r = init(s)
check(r["result"]["protocolVersion"] == "2025-11-25", "initialize after modern requests: legacy from now on")
s.close()
done()
