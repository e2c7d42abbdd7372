#!/usr/bin/env python3
"""Measures the CI gate (profdiff diff --base ... --new ...) on sliced synthetic CPU
profiles: the false-failure rate over A/A runs and the power curve over A/B runs.

Profiles come from gategen/ (Go, github.com/google/pprof/profile), are rendered with
the real `go tool pprof -dot -nodecount=0 -nodefraction=0 -edgefraction=0`, and gated
with the real profdiff binary; gate_family (bench/CMakeLists.txt) re-runs the same
samples with the other Benjamini-Hochberg family. Run i of every scenario shares its
base slices, so A/A and A/B runs of one i differ only in the new side.
See bench/README.md, "Gate: false failures and power"."""
import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET7 = "pricing.(*Engine).Quote"
TARGET2 = "pricing.roundCents"

# name, expected samples per slice, slice seconds, function whose cost grows
SCENARIOS = {
    "busy": (96000, 60, TARGET7),   # 16 cores x 60 s x 100 Hz
    "onecore": (1000, 10, TARGET2),  # 1 core x 10 s x 100 Hz
}


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def build_gen(args):
    exe = os.path.join(args.work, "gategen")
    env = dict(os.environ, GO111MODULE="off", GOPATH=args.gopath,
               GOCACHE=os.path.join(args.work, "gocache"), GOFLAGS="")
    sh([args.go, "build", "-o", exe, "main.go"], cwd=os.path.join(HERE, "gategen"), env=env)
    return exe


def make_set(args, gen, name, scen, seed, bump):
    """Writes K slices NAME.NN.pb.gz, renders each to NAME.NN.dot; returns the dots."""
    samples, secs, _ = SCENARIOS[scen]
    cmd = [gen, "-out", args.work, "-prefix", name, "-k", str(args.k), "-samples",
           str(samples), "-seconds", str(secs), "-seed", str(seed), "-funcs", str(args.funcs)]
    if bump:
        cmd += ["-bump", bump]
    sh(cmd)
    dots = []
    for s in range(1, args.k + 1):
        pb = os.path.join(args.work, "%s.%02d.pb.gz" % (name, s))
        dot = pb[:-len(".pb.gz")] + ".dot"
        with open(dot, "w") as f:
            sh([args.go, "tool", "pprof", "-dot", "-nodecount=0", "-nodefraction=0",
                "-edgefraction=0", pb], stdout=f, stderr=subprocess.DEVNULL)
        os.unlink(pb)
        dots.append(dot)
    return dots


def gate_cmd(args, base, new):
    cmd = [args.profdiff, "diff"]
    for b in base:
        cmd += ["--base", b]
    for n in new:
        cmd += ["--new", n]
    return cmd + args.gate_opts + ["--format", "json"]


def run_gate(args, base, new):
    """(verdict per the exit code, violating functions, BH family size) of profdiff, and
    the per-family lines of gate_family when it is given."""
    p = subprocess.run(gate_cmd(args, base, new), capture_output=True, text=True)
    if p.returncode not in (0, 1, 4):
        sys.exit("profdiff failed (%d): %s" % (p.returncode, p.stderr.strip()))
    verdict = {0: "pass", 1: "regression", 4: "inconclusive"}[p.returncode]
    names = []
    try:
        j = json.loads(p.stdout)
        for v in (j.get("gate") or {}).get("findings", []) or []:
            if v.get("state") == "violation":
                names.append(v.get("function") or v.get("name") or v.get("rule"))
    except (ValueError, AttributeError):
        pass
    out = {"cli": (verdict, names)}
    if args.gate_family:
        pct, floor = args.fail_on_increase, args.min_delta
        fam = subprocess.run([args.gate_family, str(pct), floor, str(args.alpha)] + base +
                             ["--"] + new, capture_output=True, text=True, check=True)
        for line in fam.stdout.splitlines():
            parts = line.split("\t")
            fname, v, m = parts[0].split(" ")
            out[fname] = (v, parts[1:], int(m[2:]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profdiff", required=True)
    ap.add_argument("--gate-family", help="bench gate_family binary (the other BH family)")
    ap.add_argument("--work", default="/tmp/profdiff-gatebench")
    ap.add_argument("--go", default="go")
    ap.add_argument("--gopath", default="/usr/share/gocode",
                    help="GOPATH holding github.com/google/pprof (Debian golang-github-google-pprof-dev)")
    ap.add_argument("--k", type=int, default=10, help="slices per side")
    ap.add_argument("--funcs", type=int, default=100)
    ap.add_argument("--aa-runs", type=int, default=100, help="A/A runs per scenario")
    ap.add_argument("--ab-runs", type=int, default=20, help="A/B runs per effect")
    ap.add_argument("--effects", default="2,5,10,20",
                    help="cost increases in %% of the 7%% function (busy)")
    ap.add_argument("--onecore-effects", default="10,20,50,100",
                    help="cost increases in %% of the 2%% function (onecore)")
    ap.add_argument("--scenarios", default="busy,onecore")
    ap.add_argument("--fail-on-increase", type=float, default=5)
    ap.add_argument("--min-delta", default="0.5%")
    ap.add_argument("--alpha", type=float, default=0.05)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true",
                    help="10 A/A and 5 A/B runs of +5%% and +10%%, busy only (about 15 s)")
    ap.add_argument("--json", help="write the results here")
    args = ap.parse_args()
    if args.quick:
        args.aa_runs, args.ab_runs, args.effects, args.scenarios = 10, 5, "5,10", "busy"
    args.gate_opts = ["--fail-on-increase", "%g" % args.fail_on_increase,
                      "--min-delta", args.min_delta, "--alpha", "%g" % args.alpha]
    if os.path.isdir(args.work):
        shutil.rmtree(args.work)
    os.makedirs(args.work)
    t0 = time.time()
    gen = build_gen(args)
    effects = {"busy": [float(e) for e in args.effects.split(",") if e],
               "onecore": [float(e) for e in args.onecore_effects.split(",") if e]}
    scens = [s for s in args.scenarios.split(",") if s]

    # Every set of K slices to make: (name, scenario, seed, bump)
    sets = []
    pairs = []  # (scenario, effect or None, run, base name, new name)
    for si, scen in enumerate(scens):
        target = SCENARIOS[scen][2]
        aa = args.aa_runs
        for i in range(max(aa, args.ab_runs)):
            seed = args.seed * 1_000_000 + si * 100_000 + i * 100
            sets.append(("%s-b%02d" % (scen, i), scen, seed, None))
            if i < aa:
                sets.append(("%s-a%02d" % (scen, i), scen, seed + 1, None))
                pairs.append((scen, 0.0, i, "%s-b%02d" % (scen, i), "%s-a%02d" % (scen, i)))
            if i < args.ab_runs:
                for ei, e in enumerate(effects[scen]):
                    n = "%s-e%g-%02d" % (scen, e, i)
                    sets.append((n, scen, seed + 2 + ei, "%s:%g" % (target, e)))
                    pairs.append((scen, e, i, "%s-b%02d" % (scen, i), n))
    dots = {}
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        futs = {ex.submit(make_set, args, gen, *s): s[0] for s in sets}
        for f in cf.as_completed(futs):
            dots[futs[f]] = f.result()
    t_render = time.time() - t0
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        res = list(ex.map(lambda p: run_gate(args, dots[p[3]], dots[p[4]]), pairs))
    t_all = time.time() - t0

    # Tally per (scenario, effect): runs, failures (exit 1) per gate variant.
    variants = ["cli"] + (["practical", "testable"] if args.gate_family else [])
    rows = {}
    mismatch = 0
    for (scen, e, i, _, _), r in zip(pairs, res):
        row = rows.setdefault((scen, e), {"runs": 0, **{v: 0 for v in variants},
                                          "hit": {v: 0 for v in variants},
                                          "names": {v: {} for v in variants},
                                          "family": {v: [] for v in variants[1:]}})
        row["runs"] += 1
        for v in variants:
            if r[v][0] == "regression":
                row[v] += 1
            if e != 0 and SCENARIOS[scen][2] in r[v][1]:
                row["hit"][v] += 1
            for n in r[v][1]:
                row["names"][v][n] = row["names"][v].get(n, 0) + 1
            if v != "cli":
                row["family"][v].append(r[v][2])
        if args.gate_family and r["cli"][0] != r["practical"][0]:
            mismatch += 1

    ex_base = [os.path.basename(d) for d in dots[pairs[0][3]][:2]]
    ex_new = [os.path.basename(d) for d in dots[pairs[0][4]][:2]]
    print("# gate benchmark: K = %d slices per side, %d functions, gate options: %s"
          % (args.k, args.funcs, " ".join(args.gate_opts)))
    print("# command per run: profdiff diff --base %s --base %s ... --new %s --new %s ... %s"
          % (ex_base[0], ex_base[1], ex_new[0], ex_new[1], " ".join(args.gate_opts)))
    print("# %d sets of %d slices rendered in %.0f s; %d gate runs; total %.0f s"
          % (len(sets), args.k, t_render, len(pairs), t_all))
    if args.gate_family:
        print("# gate_family's practical verdicts %s the CLI's in every run"
              % ("match" if mismatch == 0 else "DIFFER from (%d runs)" % mismatch))
    hdr = "| scenario | change | runs | profdiff: runs failed | changed function flagged |"
    if args.gate_family:
        hdr += (" testable family: runs failed | changed function flagged |"
                " BH family size M (practical / testable, median) |")
    print(hdr)
    print("|" + "---|" * hdr.count(" |"))
    for (scen, e), row in sorted(rows.items()):
        samples, secs, target = SCENARIOS[scen]
        what = "A/A" if e == 0 else "+%g%% %s" % (e, target)
        hit = lambda v: "-" if e == 0 else "%d/%d" % (row["hit"][v], row["runs"])
        cells = [scen + " (%d samples/slice)" % samples, what, str(row["runs"]),
                 "%d/%d" % (row["cli"], row["runs"]), hit("cli")]
        if args.gate_family:
            med = lambda xs: sorted(xs)[len(xs) // 2]
            cells += ["%d/%d" % (row["testable"], row["runs"]), hit("testable"),
                      "%d / %d" % (med(row["family"]["practical"]), med(row["family"]["testable"]))]
        print("| " + " | ".join(cells) + " |")
    for (scen, e), row in sorted(rows.items()):
        for v in variants:
            other = {n: c for n, c in row["names"][v].items()
                     if e == 0 or n != SCENARIOS[scen][2]}
            if other:
                print("# %s %s, %s: violations of unchanged functions: %s" % (
                    scen, "A/A" if e == 0 else "+%g%%" % e, v,
                    ", ".join("%s x%d" % kv for kv in sorted(other.items()))))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"k": args.k, "funcs": args.funcs, "gate_opts": args.gate_opts,
                       "seconds": t_all,
                       "rows": [{"scenario": s, "effect_pct": e, **{k: v for k, v in r.items()}}
                                for (s, e), r in sorted(rows.items())]}, f, indent=1)


if __name__ == "__main__":
    main()
