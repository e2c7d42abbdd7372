// Interoperability of `profdiff mcp` with the official TypeScript SDK clients:
// @modelcontextprotocol/sdk 1.x (stdio and Streamable HTTP) and @modelcontextprotocol/client
// 2.x (legacy, auto negotiation, and pinned to 2026-07-28). Each connects, lists tools, calls
// a fetch tool and a diff tool, and checks structuredContent against the declared
// outputSchema with its own Ajv. Run by test_interop.py with PROFDIFF, PD_PYRO_URL and
// PD_MCP_HTTP_URL set; prints ok/FAIL lines and exits non-zero on any failure.
import { Client as Client1 } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport as Stdio1 } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport as Http1 } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv from "ajv";

const PROFDIFF = process.env.PROFDIFF;
const PYRO = process.env.PD_PYRO_URL;
const HTTP = process.env.PD_MCP_HTTP_URL;
const TYPE = "process_cpu:cpu:nanoseconds:cpu:nanoseconds";
const WIN = { start_rfc_3339: "2026-05-01T09:00:00Z", end_rfc_3339: "2026-05-01T10:00:00Z" };
const TOOLS = ["list_pyroscope_profile_types", "list_pyroscope_label_names", "list_pyroscope_label_values",
  "fetch_pyroscope_profile", "query_pyroscope", "diff_pyroscope_profiles", "diff_dot_profiles",
  "diff_profile_files"];
let fails = 0;

function check(cond, desc, detail) {
  if (cond) {
    console.log(`ok   - ${desc}`);
  } else {
    fails++;
    console.log(`FAIL - ${desc}`);
    if (detail !== undefined) console.log("  " + JSON.stringify(detail).slice(0, 1500));
  }
}

async function exercise(label, client, transport, wantVersionEra) {
  const errors = [];
  client.onerror = (e) => errors.push(String(e));
  try {
    await client.connect(transport);
  } catch (e) {
    check(false, `${label}: connect`, String(e));
    return;
  }
  check(client.getServerVersion()?.name === "profdiff", `${label}: connected, serverInfo.name profdiff`);
  check(typeof client.getServerCapabilities()?.tools === "object", `${label}: tools capability`);
  if (wantVersionEra && client.getProtocolEra)
    check(client.getProtocolEra() === wantVersionEra, `${label}: ${wantVersionEra} era`, client.getProtocolEra());
  const { tools } = await client.listTools();
  check(JSON.stringify(tools.map((t) => t.name)) === JSON.stringify(TOOLS), `${label}: tools/list names and order`,
    tools.map((t) => t.name));
  const types = await client.callTool({ name: "list_pyroscope_profile_types", arguments: {} });
  check(!types.isError && JSON.parse(types.content[0].text).includes(TYPE), `${label}: list_pyroscope_profile_types`,
    types);
  const dot = await client.callTool({ name: "fetch_pyroscope_profile", arguments: { profile_type: TYPE, ...WIN } });
  check(!dot.isError && dot.content[0].text.startsWith("digraph"), `${label}: fetch_pyroscope_profile`, dot);
  const diff = await client.callTool({ name: "diff_pyroscope_profiles", arguments: { profile_type: TYPE, ...WIN } },
    undefined, { timeout: 30000 });
  const schema = tools.find((t) => t.name === "diff_pyroscope_profiles").outputSchema;
  const validate = new Ajv({ strict: false }).compile(schema);
  check(!diff.isError && validate(diff.structuredContent), `${label}: diff structuredContent matches outputSchema`,
    validate.errors ?? diff);
  check(diff.structuredContent?.top?.[0]?.name === "main.compress", `${label}: diff ranks main.compress first`);
  const bad = await client.callTool({ name: "fetch_pyroscope_profile", arguments: { profile_type: "cpu" } });
  check(bad.isError === true && /list_pyroscope_profile_types/.test(bad.content[0].text),
    `${label}: a bad profile type is an isError result`, bad);
  try {
    await client.callTool({ name: "no_such_tool", arguments: {} });
    check(false, `${label}: unknown tool rejects`);
  } catch (e) {
    check(e.code === -32602 || /-32602|Unknown tool/.test(String(e)), `${label}: unknown tool rejects with -32602`,
      String(e));
  }
  await client.close();
  check(errors.length === 0, `${label}: no client-side protocol errors`, errors);
}

const env = { PROFDIFF_URL: PYRO };
const stdioParams = { command: PROFDIFF, args: ["mcp"], env, stderr: "pipe" };

{
  const t = new Stdio1(stdioParams);
  await exercise("sdk 1.x stdio", new Client1({ name: "interop", version: "0" }), t);
  const pid = t.pid;
  await new Promise((r) => setTimeout(r, 300));
  let alive = true;
  try { process.kill(pid, 0); } catch { alive = false; }
  check(!alive, "sdk 1.x stdio: the server exited after close()");
}
await exercise("sdk 1.x http", new Client1({ name: "interop", version: "0" }), new Http1(new URL(HTTP)));
// The 2.x client needs Node.js 20 (Debian 12 ships 18): loaded only where it can run.
const major = Number(process.versions.node.split(".")[0]);
if (major < 20) {
  console.log(`SKIP: @modelcontextprotocol/client 2.x needs Node.js >= 20 (this is ${process.versions.node})`);
  console.log(`${fails} failure(s)`);
  process.exit(fails ? 1 : 0);
}
const { Client: Client2, StreamableHTTPClientTransport: Http2 } = await import("@modelcontextprotocol/client");
const { StdioClientTransport: Stdio2 } = await import("@modelcontextprotocol/client/stdio");
await exercise("client 2.x stdio legacy", new Client2({ name: "interop", version: "0" }), new Stdio2(stdioParams),
  "legacy");
await exercise("client 2.x stdio auto",
  new Client2({ name: "interop", version: "0" }, { versionNegotiation: { mode: "auto" } }), new Stdio2(stdioParams),
  "modern");
await exercise("client 2.x http legacy", new Client2({ name: "interop", version: "0" }), new Http2(new URL(HTTP)),
  "legacy");
await exercise("client 2.x http auto",
  new Client2({ name: "interop", version: "0" }, { versionNegotiation: { mode: "auto" } }), new Http2(new URL(HTTP)),
  "modern");
await exercise("client 2.x http pinned 2026-07-28",
  new Client2({ name: "interop", version: "0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } }),
  new Http2(new URL(HTTP)), "modern");
console.log(`${fails} failure(s)`);
process.exit(fails ? 1 : 0);
