#!/usr/bin/env python3
"""Benchmark of the exact inputs (see bench/README.md, "Exact inputs").

For each size it reuses (or makes) run.py's generated pair: gen.py's DOTs and pprofgen's
.pb.gz profiles (real-CPU-profile shape: one 10 ms sample per tick, 12 locations per
function, inlined frames, 6 mappings), converts each .pb.gz to Pyroscope's flamegraph
JSON with fixtures/gen/langs (-flamegraph, no cut), and times, through rss_run:
  pprof_pb     profdiff diff -q BASE.pb.gz NEW.pb.gz      (protobuf reader)
  flamegraph   profdiff diff -q BASE.json NEW.json        (flamegraph reader)
  dot          profdiff diff -q BASE.dot NEW.dot          (the DOT path, for scale)
  go_pprof     go tool pprof -top -diff_base=BASE.pb.gz NEW.pb.gz (sizes in --pprof-sizes)
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as harness  # noqa: E402  (measure, rss_run launcher)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profdiff", required=True)
    ap.add_argument("--rss-run", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--reps", default="5,3")
    ap.add_argument("--pprof-sizes", default="10000")
    ap.add_argument("--pprof-reps", type=int, default=2)
    ap.add_argument("--pprof-timeout", type=float, default=400)
    ap.add_argument("--pprof-max-rss", type=int, default=16000)
    a = ap.parse_args()
    harness.RSS_RUN = a.rss_run
    sizes = [int(s) for s in a.sizes.split(",")]
    reps = [int(r) for r in a.reps.split(",")]
    reps += [reps[-1]] * (len(sizes) - len(reps))
    psizes = {int(s) for s in a.pprof_sizes.split(",") if s}
    os.makedirs(a.work, exist_ok=True)
    genv = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off")
    pgen = os.path.join(a.work, "pprofgen")
    subprocess.run(["go", "build", "-o", pgen, "."], cwd=os.path.join(HERE, "pprofgen"),
                   env=genv, check=True)
    lenv = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode", GOFLAGS="")
    langs = os.path.join(a.work, "langs")
    subprocess.run(["go", "build", "-o", langs, "."],
                   cwd=os.path.join(HERE, "..", "fixtures", "gen", "langs"), env=lenv, check=True)
    tooldir = subprocess.run(["go", "env", "GOTOOLDIR"], capture_output=True, text=True,
                             check=True).stdout.strip()
    pprof = os.path.join(tooldir, "pprof")
    rows = []
    for n, r in zip(sizes, reps):
        d = os.path.join(a.work, f"n{n}")
        if not os.path.exists(os.path.join(d, "changes.tsv")):
            print(f"bench: generating {n} functions", file=sys.stderr)
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n), d, "--samples"],
                           check=True)
        for seed, side in enumerate(("base", "new"), 1):
            pb = os.path.join(d, side + ".pb.gz")
            if not os.path.exists(pb):
                subprocess.run([pgen, "-locs", "12", "-seed", str(seed),
                                os.path.join(d, side + ".samples"), pb], check=True)
            js = os.path.join(d, side + ".json")
            if not os.path.exists(js):
                with open(js, "w") as f:
                    subprocess.run([langs, "-flamegraph", pb], stdout=f, check=True)
        f = lambda s: os.path.join(d, s)  # noqa: E731
        size = lambda *xs: sum(os.path.getsize(f(x)) for x in xs) / 1e6  # noqa: E731
        cases = [
            ("profdiff diff (.pb.gz)", [a.profdiff, "diff", "-q", f("base.pb.gz"), f("new.pb.gz")],
             size("base.pb.gz", "new.pb.gz"), r),
            ("profdiff diff (flamegraph JSON)", [a.profdiff, "diff", "-q", f("base.json"),
                                                 f("new.json")], size("base.json", "new.json"), r),
            ("profdiff diff (DOT)", [a.profdiff, "diff", "-q", f("base.dot"), f("new.dot")],
             size("base.dot", "new.dot"), r),
        ]
        if n in psizes:
            cases.append(("go tool pprof -top -diff_base", [pprof, "-top", "-symbolize=none",
                          "-diff_base=" + f("base.pb.gz"), f("new.pb.gz")],
                          size("base.pb.gz", "new.pb.gz"), a.pprof_reps))
        for name, cmd, mb, reps_n in cases:
            print(f"bench: {n}: {name}", file=sys.stderr)
            m = harness.measure(cmd, reps_n, a.pprof_timeout if "pprof -top" in name else None,
                                a.pprof_max_rss if "pprof -top" in name else None)
            rows.append((n, name, mb, m))
    print("| functions | tool | input (2 files) | wall | CPU | peak RSS |")
    print("|---:|---|---:|---:|---:|---:|")
    for n, name, mb, m in rows:
        to = " (killed)" if m["timeout"] else ""
        print(f"| {n} | {name} | {mb:.1f} MB | {harness.spread(m['wall'])}{to} | "
              f"{harness.fmt_s(m['cpu'])} | {m['rss_kb'] / 1024:.1f} MB |")


if __name__ == "__main__":
    main()
