# Each tool of `profdiff mcp` against the Pyroscope emulator (stdio): the success paths,
# the requests they send, and tool failures as isError results that say what to do next.
import json
import os
import tempfile

from mcplib import (DATA, NEW_WIN, TYPE, WORK, Stdio, call, check, clean_env, done,
                    requests_seen, start_emulator, text_of)

url, log = start_emulator()
s = Stdio(env=clean_env(PROFDIFF_URL=url))
s.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
n = [0]


def tool(name, args):
    n[0] += 1
    r = s.request(call(n[0], name, args), timeout=30)
    return (r or {}).get("result", {}), r


def last_req():
    return requests_seen(log)[-1]


# ---- list tools (mcp-grafana's names, bodies and outputs) -----------------------------
res, r = tool("list_pyroscope_profile_types", {})
check(not res.get("isError") and TYPE in json.loads(text_of(r)), "profile types: a JSON list", r)
res, r = tool("list_pyroscope_label_names", {"matchers": 'service_name="api"'})
check(not res.get("isError") and isinstance(json.loads(text_of(r)), list), "label names: a JSON list", r)
check(json.loads(last_req()["body"])["matchers"] == ['{service_name="api"}'], "label names: matchers braced")
res, r = tool("list_pyroscope_label_values", {"name": " service_name "})
vals = json.loads(text_of(r)) if not res.get("isError") else []
check("api" in vals, "label values of service_name", r)
check(json.loads(last_req()["body"])["name"] == "service_name", "label name trimmed")
res, r = tool("list_pyroscope_label_values", {"name": "service_name", **NEW_WIN})
b = json.loads(last_req()["body"])
check(b["start"] == 1777626000000 and b["end"] == 1777629600000, "RFC 3339 window sent as ms", b)
res, r = tool("list_pyroscope_label_values", {"name": "service_name", "end_rfc_3339": "2026-05-01T10:00:00Z"})
b = json.loads(last_req()["body"])
check(b["end"] - b["start"] == 3600000, "only end: the hour before it", b)

# ---- fetch and query -------------------------------------------------------------------
res, r = tool("fetch_pyroscope_profile", {"profile_type": TYPE, "matchers": '{service_name="api"}', **NEW_WIN})
check(not res.get("isError") and text_of(r) == open(os.path.join(DATA, "new.dot")).read(),
      "fetch_pyroscope_profile: the DOT byte for byte", text_of(r)[:200])
q = last_req()["query"]
check(q["max-nodes"] == "100" and q["query"] == TYPE + '{service_name="api"}', "render: 100 nodes, type+matchers", q)
tool("fetch_pyroscope_profile", {"profile_type": TYPE, "max_node_depth": 250, **NEW_WIN})
check(last_req()["query"]["max-nodes"] == "250", "max_node_depth passed as max-nodes")
res, r = tool("query_pyroscope", {"profile_type": TYPE, **NEW_WIN})
o = json.loads(text_of(r)) if not res.get("isError") else {}
check(o.get("query_type") == "both" and o.get("metrics") is None and "main.compress" in o.get("profile", "")
      and "flat%" in o.get("profile", ""), "query_pyroscope: table by default, metrics null", r)
res, r = tool("query_pyroscope", {"profile_type": TYPE, "query_type": "profile", "format": "dot", **NEW_WIN})
o = json.loads(text_of(r)) if not res.get("isError") else {}
check(o.get("profile", "").startswith("digraph"), "query_pyroscope format=dot", r)
res, r = tool("query_pyroscope", {"profile_type": TYPE, "query_type": "metrics"})
check(res.get("isError") and "not supported" in text_of(r), "query_type=metrics: a clear isError", r)

# ---- diff_pyroscope_profiles -----------------------------------------------------------
res, r = tool("diff_pyroscope_profiles", {"profile_type": TYPE, "matchers": '{service_name="api"}', **NEW_WIN})
sc = res.get("structuredContent", {})
check(not res.get("isError") and sc.get("top", [{}])[0].get("name") == "main.compress", "diff: regressed function first", r)
check(sc["top"][0]["delta"]["flat"] == 500000000 and sc["unit"] == "nanoseconds", "diff: +500ms flat, in ns")
check(sc["windows"]["baseline"]["from"] == "2026-05-01T08:00:00Z" and
      sc["windows"]["problem"]["to"] == "2026-05-01T10:00:00Z", "default baseline: the window just before", sc.get("windows"))
check(sc["verdict"]["status"] == "regression" and "main.compress" in text_of(r) and "Verdict" in text_of(r),
      "Markdown verdict and top changes in the text", text_of(r))
check(len(text_of(r)) + len(json.dumps(sc)) < 8192, "default answer under 8 KB")
windows = sorted((x["query"]["from"], x["query"]["until"]) for x in requests_seen(log)[-2:])
check(windows == [("1777622400000", "1777626000000"), ("1777626000000", "1777629600000")], "both windows fetched", windows)
tool("diff_pyroscope_profiles", {"profile_type": TYPE, "baseline": "24h-before", **NEW_WIN})
windows = sorted(x["query"]["from"] for x in requests_seen(log)[-2:])
check(windows == ["1777539600000", "1777626000000"], "baseline 24h-before", windows)
tool("diff_pyroscope_profiles", {"profile_type": TYPE, "baseline_matchers": "{service_name=\"canary\"}",
                                 "baseline_start_rfc_3339": "2026-04-30T09:00:00Z", **NEW_WIN})
reqs = sorted((x["query"]["query"], x["query"]["from"], x["query"]["until"]) for x in requests_seen(log)[-2:])
check(reqs[0] == (TYPE + "{service_name=\"canary\"}", "1777539600000", "1777543200000"),
      "explicit baseline start (same length) and baseline_matchers", reqs)
res, r = tool("diff_pyroscope_profiles", {"profile_type": TYPE, "top": 1, "by": "cum", **NEW_WIN})
sc = res.get("structuredContent", {})
check(len(sc.get("top", [])) == 1 and sc.get("by") == "cum" and sc["other"]["functions"] == sc["truncated"],
      "top and by", sc)

# ---- local diffs -------------------------------------------------------------------------
base, new = (open(os.path.join(DATA, f)).read() for f in ("base.dot", "new.dot"))
res, r = tool("diff_dot_profiles", {"base_dot": base, "new_dot": new})
check(not res.get("isError") and res["structuredContent"]["top"][0]["name"] == "main.compress", "diff_dot_profiles", r)
for extra, want, desc in (({"fail_on_total": 60}, "pass", "total +50% under fail_on_total 60: pass"),
                          ({"fail_on_total": 60, "fail_on_increase": 100}, "regression",
                           "main.compress +167% over fail_on_increase 100: regression"),
                          ({"fail_on_total": 60, "fail_on_increase": 200}, "pass", "under fail_on_increase 200: pass"),
                          # the gate's floor: below min_delta nothing fails
                          ({"fail_on_total": 60, "fail_on_increase": 100, "min_delta": "1000s"}, "pass",
                           "main.compress under a min_delta of 1000s: pass")):
    res, r = tool("diff_dot_profiles", {"base_dot": base, "new_dot": new, **extra})
    v = res.get("structuredContent", {}).get("verdict", {})
    check(v.get("status") == want and ("main.compress" in v.get("summary", "")) == (want == "regression")
          and ("Verdict: " + want) in text_of(r), "verdict: " + desc, v)
res, r = tool("diff_dot_profiles", {"base_dot": base, "new_dot": "digraph { broken"})
check(res.get("isError") and "new profile" in text_of(r), "diff_dot_profiles: bad DOT is isError", r)


def gen_dot(n, bump, dropped):
    """A pprof-style DOT of n leaf functions with long names; flat = cum."""
    vals = [10 + k + (bump * (k % 7)) for k in range(n)]
    total = sum(vals)
    legend = "Showing nodes accounting for %dms, 100%% of %dms total\\l" % (total, total)
    if dropped:
        legend += "Dropped 12 nodes (cum <= 1ms)\\l"
    out = ['digraph "big" {', 'subgraph cluster_L { "File: big" [shape=box label="File: big\\lType: cpu\\l%s"] }' % legend]
    for k, v in enumerate(vals):
        name = "example.com/some/long/package/path/module%03d.(*HandlerType[go.shape.struct { A string; B int; C []byte; D map[string]any }]).ServeFunction%03d.func1.func2.deeply.nested.closure" % (k, k)
        out.append('N%d [label="module%03d\\nServeFunction%03d\\n%dms (%.2f%%)" shape=box tooltip="%s x.go:%d (%dms)"]'
                   % (k + 1, k, k, v, 100.0 * v / total, name, k + 1, v))
    out.append("}")
    return "\n".join(out) + "\n"


big_base, big_new = gen_dot(300, 0, False), gen_dot(300, 3, True)
res, r = tool("diff_dot_profiles", {"base_dot": big_base, "new_dot": big_new})
sc = res.get("structuredContent", {})
size = len(text_of(r)) + len(json.dumps(sc, separators=(",", ":")))
check(not res.get("isError") and size <= 8192 and sc["truncated"] > 0 and 3 <= len(sc["top"]) <= 10,
      "300 functions, default: rows trimmed to fit about 8 KB (%d bytes, %d rows)" % (size, len(sc.get("top", []))), r)
check(any("trimmed" in w for w in sc.get("warnings", [])) and "Warning:" in text_of(r),
      "a trimmed input is a warning in both forms", sc.get("warnings"))
check(sc["other"]["functions"] == sc["truncated"] and sc["other"]["share_base"] is not None,
      "other: the rows not shown, with their shares", sc.get("other"))
res, r = tool("diff_dot_profiles", {"base_dot": big_base, "new_dot": big_new, "top": 100})
check(len(res.get("structuredContent", {}).get("top", [])) == 100, "top=100: more rows on request")
res, r = tool("diff_dot_profiles", {"base_dot": big_base, "new_dot": big_new, "top": 0})
check(res.get("isError") and "top" in text_of(r), "top=0: isError", r)
res, r = tool("diff_profile_files", {"base_path": os.path.join(DATA, "base.dot"), "new_path": os.path.join(DATA, "new.dot")})
check(res.get("isError") and "--allow-dir" in text_of(r), "diff_profile_files without --allow-dir: refused", r)

allowed = tempfile.mkdtemp(dir=WORK)
outside = tempfile.mkdtemp(dir=WORK)
for d in (allowed, outside):
    for f in ("base.dot", "new.dot"):
        open(os.path.join(d, f), "w").write(open(os.path.join(DATA, f)).read())
os.symlink(os.path.join(outside, "new.dot"), os.path.join(allowed, "escape.dot"))
os.symlink(outside, os.path.join(allowed, "escdir"))
f = Stdio(["--allow-dir", allowed])
f.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
def fcall(i, a):
    r = f.request(call(i, "diff_profile_files", a))
    return (r or {}).get("result", {}), r
res, r = fcall(1, {"base_path": os.path.join(allowed, "base.dot"), "new_path": os.path.join(allowed, "new.dot")})
check(not res.get("isError") and res["structuredContent"]["top"][0]["name"] == "main.compress",
      "diff_profile_files under --allow-dir", r)
for i, (p, desc) in enumerate(((os.path.join(outside, "new.dot"), "a file outside"),
                               (os.path.join(allowed, "escape.dot"), "a symlink out of the directory"),
                               (os.path.join(allowed, "escdir", "new.dot"), "a path through a symlinked directory"),
                               (os.path.join(allowed, "..", os.path.basename(outside), "new.dot"), "a .. path"),
                               (allowed, "the directory itself"), ("/etc/passwd", "/etc/passwd"))):
    res, r = fcall(10 + i, {"base_path": os.path.join(allowed, "base.dot"), "new_path": p})
    check(res.get("isError") and "structuredContent" not in res, "refused: " + desc, r)
f.close()

# ---- tool errors ---------------------------------------------------------------------------
for args, want, desc in (
        ({"profile_type": "cpu", **NEW_WIN}, "list_pyroscope_profile_types", "bad profile type"),
        ({"profile_type": TYPE, "start_rfc_3339": "yesterday"}, "RFC 3339", "bad time"),
        ({"profile_type": TYPE, "start_rfc_3339": "2026-05-01T10:00:00Z", "end_rfc_3339": "2026-05-01T09:00:00Z"},
         "strictly before", "start after end"),
        ({"profile_type": TYPE, "colour": "red"}, "unknown argument", "unknown argument"),
        ({"profile_type": 7}, "must be a string", "wrong type"),
        ({}, "profile_type is required", "missing required argument"),
        ({"profile_type": TYPE, "max_node_depth": 1.5}, "integer", "fractional integer"),
        ({"profile_type": TYPE, "data_source_uid": "pyro"}, "GRAFANA_URL", "data_source_uid without a Grafana URL")):
    res, r = tool("fetch_pyroscope_profile", args)
    check(res.get("isError") is True and want in text_of(r), "isError: " + desc, r)
res, r = tool("diff_pyroscope_profiles", {"profile_type": TYPE, "baseline": "last-week"})
check(res.get("isError") and "allowed values" in text_of(r), "isError: unknown baseline preset", r)
res, r = tool("diff_pyroscope_profiles", {"profile_type": TYPE, "focus": "(", **NEW_WIN})
check(res.get("isError") and "regex" in text_of(r), "isError: bad focus regex", r)
s.close()

url2, log2 = start_emulator("--fault", "status", "--fault-status", "500", "--fault-count", "-1")
e = Stdio(env=clean_env(PROFDIFF_URL=url2))
e.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
r = e.request(call(1, "diff_pyroscope_profiles", {"profile_type": TYPE, **NEW_WIN}), timeout=60)
check(r["result"].get("isError") and "500" in text_of(r) and "retry" in text_of(r),
      "server 500: isError with the status and advice", r)
r = e.request(call(2, "list_pyroscope_label_values", {"name": "service_name"}), timeout=60)
check(r["result"].get("isError") and "500" in text_of(r), "list tool, server 500: isError", r)
e.close()

for flags, tool_name, args, want, desc in (
        (["--fault", "big", "--big-bytes", str(4 << 20), "--fault-count", "-1"], "fetch_pyroscope_profile",
         {"profile_type": TYPE}, "too large", "a 4 MiB render: isError advising a narrower query"),
        (["--fault", "zero", "--fault-count", "-1"], "fetch_pyroscope_profile", {"profile_type": TYPE},
         "No samples matched", "an empty profile: isError naming the next steps"),
        (["--fault", "empty", "--fault-count", "-1"], "diff_pyroscope_profiles", {"profile_type": TYPE},
         "list_pyroscope_label_values", "an empty window in a diff: isError naming the next steps"),
        (["--empty-lists"], "list_pyroscope_label_values", {"name": "service_name"}, None,
         "nothing matched: an empty list, not an error")):
    u, _ = start_emulator(*flags)
    x = Stdio(env=clean_env(PROFDIFF_URL=u))
    x.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
               "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
    r = x.request(call(1, tool_name, args), timeout=60)
    res = (r or {}).get("result", {})
    if want:
        check(res.get("isError") is True and want in text_of(r), desc, r)
    else:
        check(not res.get("isError") and text_of(r) == "[]", desc, r)
    x.close()

url3, _ = start_emulator("--delay-ms", "3000")
t = Stdio(["--timeout", "0.3"], env=clean_env(PROFDIFF_URL=url3))
t.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
r = t.request(call(1, "fetch_pyroscope_profile", {"profile_type": TYPE}), timeout=60)
check(r["result"].get("isError") and "time" in text_of(r), "timeout: isError that says so", r)
t.close()

url4, _ = start_emulator("--delay-ms", "10000")
t = Stdio(env=clean_env(PROFDIFF_URL=url4))
t.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
t.send(call(1, "fetch_pyroscope_profile", {"profile_type": TYPE}))
check(t.close(timeout=6) == 0, "stdin closed while a call waits 10 s on the server: exit 0 well before")
l = t.line(0.1)
check(l is None, "and the abandoned call is not answered", l)

n0 = Stdio()
n0.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
            "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
r = n0.request(call(1, "list_pyroscope_profile_types", {}))
check(r["result"].get("isError") and "PROFDIFF_URL" in text_of(r), "no server configured: isError with the fix", r)
n0.close()

# Grafana mode: data_source_uid selects the datasource proxy of GRAFANA_URL.
g = Stdio(env=clean_env(GRAFANA_URL=url))
g.request({"jsonrpc": "2.0", "id": 0, "method": "initialize",
           "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}})
r = g.request(call(1, "list_pyroscope_profile_types", {"data_source_uid": "pyro"}))
check(not r["result"].get("isError") and requests_seen(log)[-1]["path"].startswith("/api/datasources/proxy/uid/pyro/"),
      "data_source_uid: through Grafana's proxy", r)
r = g.request(call(2, "list_pyroscope_profile_types", {"data_source_uid": "nope"}))
check(r["result"].get("isError") and "nope" in text_of(r), "unknown data_source_uid: isError", r)
g.close()
done()
