# Interoperability with the official TypeScript SDK clients (tests/mcp/interop/interop.mjs):
# installs the pinned packages with `npm ci` into the build tree (reinstalling only when
# package-lock.json changed), starts the emulator and `profdiff mcp --listen`, and runs the
# node script, which also spawns `profdiff mcp` over stdio. Skipped, visibly, only when
# Node.js is not installed.
import os
import shutil
import subprocess
import sys

from mcplib import Http, check, clean_env, done, start_emulator

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop")
if not shutil.which("node"):
    print("SKIP: node not installed (tests/install-deps.sh installs nodejs and npm)")
    sys.exit(77)
if not shutil.which("npm"):
    check(False, "npm is installed alongside node")
    done()

dest = os.path.join(os.environ.get("PD_BUILD", os.environ.get("PD_TMP", "/tmp")), "tests", "mcp", "node")
os.makedirs(dest, exist_ok=True)
for f in ("package.json", "package-lock.json", "interop.mjs"):
    shutil.copyfile(os.path.join(SRC, f), os.path.join(dest, f))
lock = open(os.path.join(SRC, "package-lock.json")).read()
stamp = os.path.join(dest, "node_modules", ".profdiff-lock")
if not (os.path.exists(stamp) and open(stamp).read() == lock):
    r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=dest,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
    if not check(r.returncode == 0, "npm ci of the pinned SDK clients", r.stdout[-2000:]):
        done()
    open(stamp, "w").write(lock)

url, _ = start_emulator()
h = Http(env=clean_env(PROFDIFF_URL=url))
env = dict(os.environ, PD_PYRO_URL=url, PD_MCP_HTTP_URL=h.url)
r = subprocess.run(["node", "interop.mjs"], cwd=dest, env=env, stdout=subprocess.PIPE,
                   stderr=subprocess.STDOUT, text=True, timeout=170)
print(r.stdout, end="")
check(r.returncode == 0, "the SDK clients' checks passed", r.stdout[-500:] if r.returncode else "")
done()
