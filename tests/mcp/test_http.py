# `profdiff mcp --listen` (Streamable HTTP at /mcp), raw with http.client: status codes,
# headers, Origin/Host checks, MCP-Protocol-Version, the stateless 2026-07-28 requests,
# batches, oversized bodies, and twenty concurrent tool calls against the emulator.
import json
import os
import threading

from mcplib import (DATA, INIT, MODERN_META, NEW_WIN, TYPE, Http, call, check, clean_env, done,
                    requests_seen, start_emulator, text_of)

url, log = start_emulator("--delay-ms", "300")
h = Http(env=clean_env(PROFDIFF_URL=url))


def err_of(b):
    return (b or {}).get("error", {}).get("code")


st, hd, b = h.post(INIT)
check(st == 200 and hd.get("content-type", "").startswith("application/json") and
      b["result"]["protocolVersion"] == "2025-11-25" and b["id"] == 0, "initialize: 200 JSON", (st, hd, b))
check("mcp-session-id" not in hd, "no Mcp-Session-Id")
st, hd, body = h.req("POST", {"jsonrpc": "2.0", "method": "notifications/initialized"},
                     {"MCP-Protocol-Version": "2025-11-25"})
check(st == 202 and body == b"", "notification: 202, empty body", (st, body))
st, hd, b = h.post({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, "2025-11-25")
check(st == 200 and len(b["result"]["tools"]) == 8 and "outputSchema" in b["result"]["tools"][5],
      "tools/list without initialize (stateless, no gate)", (st, b))
st, hd, b = h.post({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
check(st == 200 and all("title" not in t and "annotations" in t for t in b["result"]["tools"]),
      "no MCP-Protocol-Version: served as 2025-03-26", b)
st, hd, b = h.post({"jsonrpc": "2.0", "id": 3, "method": "tools/list"}, "1999-01-01")
check(st == 400 and err_of(b) == -32600 and b.get("id") == 3, "unsupported MCP-Protocol-Version: 400", (st, b))
st, hd, b = h.post({"jsonrpc": "2.0", "id": "p", "method": "ping"}, "2025-06-18")
check(st == 200 and b == {"jsonrpc": "2.0", "id": "p", "result": {}}, "ping: {}", b)
st, hd, b = h.post({"jsonrpc": "2.0", "id": 4, "method": "resources/list"}, "2025-11-25")
check(st == 200 and err_of(b) == -32601, "legacy JSON-RPC errors travel with 200", (st, b))
st, hd, body = h.req("POST", {"jsonrpc": "2.0", "id": 9, "result": {}})
check(st == 202 and body == b"", "a client response: 202", st)

for method in ("GET", "DELETE", "PUT"):
    st, hd, _ = h.req(method, None)
    check(st == 405 and hd.get("allow") == "POST", method + ": 405 with Allow: POST", (st, hd))
st, _, _ = h.req("POST", INIT, path="/other")
check(st == 404, "another path: 404", st)
st, _, b = h.req("POST", INIT, {"Origin": "http://evil.example"})
check(st == 403, "foreign Origin: 403", st)
st, _, _ = h.req("POST", INIT, {"Origin": "null"})
check(st == 403, "Origin null: 403", st)
st, _, _ = h.req("POST", INIT, {"Host": "evil.example:%d" % h.port})
check(st == 403, "rebinding Host: 403", st)
st, _, _ = h.req("POST", INIT, {"Host": "localhost:%d" % h.port})
check(st == 200, "Host localhost:port accepted", st)
st, _, _ = h.req("POST", INIT, {"Content-Type": "text/plain"})
check(st == 415, "text/plain: 415", st)
st, _, _ = h.req("POST", INIT, {"Content-Type": "application/json; charset=utf-8", "Accept": "*/*"})
check(st == 200, "media type parameters and Accept */* accepted", st)
st, _, _ = h.req("POST", INIT, {"Accept": "text/html"})
check(st == 406, "Accept text/html: 406", st)
st, _, body = h.req("POST", "not json")
check(st == 400 and err_of(json.loads(body)) == -32700, "invalid JSON: 400 -32700", (st, body))
st, _, body = h.req("POST", b'{"jsonrpc":"2.0","id":1,"method":"ping","x":"' + b"y" * (2 << 20) + b'"}')
check(st == 413, "2 MiB body: 413", st)
st, _, b = h.post({"jsonrpc": "2.0", "id": 5, "method": "ping"}, "2025-11-25")
check(st == 200, "served after the oversized body", st)
st, _, b = h.post([{"jsonrpc": "2.0", "id": "a", "method": "ping"}], "2025-06-18")
check(st == 400 and err_of(b) == -32600, "array under 2025-06-18: 400 -32600", (st, b))
st, _, b = h.post([{"jsonrpc": "2.0", "id": "a", "method": "ping"}, {"jsonrpc": "2.0", "method": "n"},
                   {"jsonrpc": "2.0", "id": "b", "method": "tools/list"}], "2025-03-26")
check(st == 200 and isinstance(b, list) and sorted(x["id"] for x in b) == ["a", "b"],
      "batch under 2025-03-26: an array of responses", (st, b))
st, _, body = h.req("POST", [{"jsonrpc": "2.0", "method": "n"}])
check(st == 202 and body == b"", "batch of notifications (no header = 2025-03-26): 202", st)

# ---- 2026-07-28 over HTTP -----------------------------------------------------------------
modern = {"MCP-Protocol-Version": "2026-07-28"}
probe = {"jsonrpc": "2.0", "id": "server-discover-probe-1", "method": "server/discover", "params": {"_meta": MODERN_META}}
st, hd, b = h.post(probe, headers=dict(modern, **{"Mcp-Method": "server/discover"}))
check(st == 200 and b["result"]["resultType"] == "complete" and "2026-07-28" in b["result"]["supportedVersions"],
      "server/discover: 200 DiscoverResult", (st, b))
st, hd, b = h.post(probe, headers=modern)
check(st == 400 and err_of(b) == -32020, "missing Mcp-Method: 400 -32020 (header mismatch)", (st, b))
st, hd, b = h.post(probe, headers=dict(modern, **{"Mcp-Method": "tools/list"}))
check(st == 400 and err_of(b) == -32020, "Mcp-Method differs from the body: 400 -32020", (st, b))
st, hd, b = h.post({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
                   headers=dict(modern, **{"Mcp-Method": "tools/list"}))
check(st == 400 and err_of(b) == -32602, "missing _meta: 400 -32602", (st, b))
m2 = dict(MODERN_META)
m2["io.modelcontextprotocol/protocolVersion"] = "2030-01-01"
st, hd, b = h.post({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": m2}})
check(st == 400 and err_of(b) == -32022 and "2026-07-28" in b["error"]["data"]["supported"],
      "unsupported _meta version: 400 -32022", (st, b))
st, hd, b = h.post({"jsonrpc": "2.0", "id": 2, "method": "ping", "params": {"_meta": MODERN_META}},
                   headers=dict(modern, **{"Mcp-Method": "ping"}))
check(st == 404 and err_of(b) == -32601, "modern unknown method: 404 -32601", (st, b))
args = {"base_dot": "digraph{}", "new_dot": "digraph{}"}
c = call(3, "diff_dot_profiles", args)
c["params"]["_meta"] = MODERN_META
st, hd, b = h.post(c, headers=dict(modern, **{"Mcp-Method": "tools/call", "Mcp-Name": "diff_dot_profiles"}))
check(st == 200 and b["result"]["resultType"] == "complete" and b["result"]["isError"] is True,
      "modern tools/call: 200, resultType, isError result", (st, b))
st, hd, b = h.post(c, headers=dict(modern, **{"Mcp-Method": "tools/call",
                                              "Mcp-Name": "=?base64?ZGlmZl9kb3RfcHJvZmlsZXM=?="}))
check(st == 200 and b["result"]["isError"] is True, "Mcp-Name in its =?base64?...?= form", (st, b))
st, hd, b = h.post(c, headers=dict(modern, **{"Mcp-Method": "tools/call", "Mcp-Name": "=?base64?!!?="}))
check(st == 400 and err_of(b) == -32020, "Mcp-Name with bad Base64: 400 -32020", (st, b))
st, hd, b = h.post(c, headers=dict(modern, **{"Mcp-Method": "tools/call", "Mcp-Name": "other"}))
check(st == 400 and err_of(b) == -32020, "Mcp-Name differs: 400 -32020", (st, b))

# ---- a tool and concurrency ----------------------------------------------------------------
st, _, b = h.post(call(6, "diff_pyroscope_profiles", {"profile_type": TYPE, **NEW_WIN}), "2025-11-25")
check(st == 200 and b["result"]["structuredContent"]["top"][0]["name"] == "main.compress",
      "diff_pyroscope_profiles over HTTP", (st, b))
results = {}


BASE, NEW = (open(os.path.join(DATA, f)).read() for f in ("base.dot", "new.dot"))


def worker(i):
    try:
        if i % 2:  # parsing DOT concurrently too (libcgraph has global state)
            results[i] = h.post(call(100 + i, "diff_dot_profiles", {"base_dot": BASE, "new_dot": NEW}),
                                "2025-11-25")
        else:
            results[i] = h.post(call(100 + i, "fetch_pyroscope_profile", {"profile_type": TYPE, **NEW_WIN}),
                                "2025-11-25")
    except Exception as e:  # reported below
        results[i] = (0, {}, str(e))


n0 = len(requests_seen(log))
threads = [threading.Thread(target=worker, args=(i,)) for i in range(20)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
good = [i for i, (st, _, b) in results.items() if st == 200 and b["id"] == 100 + i and
        (text_of(b).startswith("digraph") if i % 2 == 0 else "main.compress" in text_of(b))]
check(len(good) == 20, "twenty parallel tools/call (fetches and DOT diffs): twenty 200 answers with their own ids",
      {i: r for i, r in results.items() if i not in good})
renders = sorted((r for r in requests_seen(log)[n0:] if r["path"] == "/pyroscope/render"), key=lambda r: r["t0"])
check(len(renders) == 10 and any(renders[i + 1]["t0"] < renders[i]["t1"] for i in range(len(renders) - 1)),
      "the calls were served concurrently (renders overlapped on the emulator)")
check(h.stop() == 0, "SIGTERM stops the daemon, exit 0")
done()
