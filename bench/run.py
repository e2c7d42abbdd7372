#!/usr/bin/env python3
"""profdiff benchmark harness (run by `cmake --build BUILD --target bench`).

For each size (functions per profile) it generates a DOT pair with bench/gen.py and
equivalent .pb.gz profiles with bench/pprofgen, then measures, R times each:
  cat          cat BASE NEW > /dev/null
  bare         bare_read BASE NEW  (agmemread + agget label/tooltip + agclose, x2)
  profdiff     profdiff diff -q BASE NEW  (text report)
  profdiff_all profdiff diff -q --format json --dot F --svg F BASE NEW
  pprof        pprof -top -diff_base=BASE.pb.gz NEW.pb.gz  (timeout; R capped)
and the per-phase times from bench/phases; then `profdiff compare` against the test
emulator, which delays every render (both windows must be fetched concurrently). Wall
time, CPU time and peak RSS of each tool come from wait4(2) in bench/rss_run. Prints
Markdown tables; also writes
WORK/results.md and WORK/results.json. The machine is shared: CPU time is the steadier
metric, wall time is reported too.
"""
import argparse
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def tree_stats(pid):
    """(RSS kB, CPU s) of pid and its descendants (the launcher and the tool it runs)."""
    rss, cpu, todo = 0, 0.0, [pid]
    while todo:
        p = todo.pop()
        rss += rss_kb(p)
        cpu += cpu_s(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return rss, cpu


RSS_RUN = None  # path of bench/rss_run, set in main()


def run(cmd, timeout=None, stdout=subprocess.DEVNULL, max_rss_mb=None):
    """(wall_s, cpu_s, maxrss_kb, timed_out) of one run of cmd, started through rss_run
    (see rss_run.c) so that peak RSS is the tool's own. With max_rss_mb the process tree
    (go tool pprof) is killed once its RSS passes the cap, which counts as a timeout
    (the result is a lower bound)."""
    out = tempfile.NamedTemporaryFile(prefix="rss_run.", delete=False)
    out.close()
    t0 = time.perf_counter()
    p = subprocess.Popen([RSS_RUN, out.name] + cmd, stdout=stdout, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    timed_out = False
    last_check = 0.0
    seen_rss, seen_cpu = 0, 0.0  # sampled, for a run that gets killed
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        now = time.perf_counter()
        over = False
        if (max_rss_mb or timeout) and now - last_check > 0.1:
            last_check = now
            rss, cpu = tree_stats(p.pid)
            seen_rss, seen_cpu = max(seen_rss, rss), max(seen_cpu, cpu)
            over = bool(max_rss_mb) and rss > max_rss_mb * 1024
            if over:
                print(f"bench: {cmd[0]} passed {max_rss_mb} MB RSS: killed", file=sys.stderr)
        if over or (timeout and now - t0 > timeout):
            os.killpg(p.pid, signal.SIGKILL)
            timed_out = True
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.002)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if not timed_out and p.returncode not in (0, 1):
        raise SystemExit(f"bench: {' '.join(cmd)} exited with {p.returncode}")
    with open(out.name) as f:
        fields = f.read().split()
    os.unlink(out.name)
    if len(fields) == 3:  # the tool's own numbers
        return wall, float(fields[1]) + float(fields[2]), int(fields[0]), timed_out
    return wall, seen_cpu, seen_rss, timed_out  # killed: the last samples (lower bounds)


def stats(xs):
    xs = sorted(xs)
    return {"median": statistics.median(xs), "min": xs[0], "max": xs[-1], "n": len(xs)}


def measure(cmd, reps, timeout=None, max_rss_mb=None):
    ws, cs, rs, to = [], [], [], False
    for _ in range(reps):
        w, c, r, t = run(cmd, timeout, max_rss_mb=max_rss_mb)
        ws.append(w)
        cs.append(c)
        rs.append(r)
        if t:
            to = True
            break  # one timeout is enough to know
    return {"wall": stats(ws), "cpu": stats(cs), "rss_kb": max(rs), "timeout": to}


def fmt_s(st, key="median"):
    v = st[key]
    return f"{v * 1000:.1f} ms" if v < 1 else f"{v:.2f} s"


def spread(st):
    return f"{fmt_s(st)} [{fmt_s(st, 'min')}–{fmt_s(st, 'max')}]"


def slope(points):
    """Least-squares slope of log(y) against log(x)."""
    xs = [math.log(x) for x, _ in points]
    ys = [math.log(y) for _, y in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profdiff", required=True)
    ap.add_argument("--phases", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--emulator", default="",
                    help="tests/emulator/pd_emulator (default: in the build tree of --bare)")
    ap.add_argument("--compare-delay-ms", type=int, default=1000,
                    help="render delay for the compare measurement (0: skip it)")
    ap.add_argument("--compare-reps", type=int, default=5)
    ap.add_argument("--rss-run", default="",
                    help="bench/rss_run (default: next to --bare)")
    ap.add_argument("--work", required=True)
    ap.add_argument("--go", default="")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--reps", default="5,5,3", help="repetitions per size")
    ap.add_argument("--pprof-timeout", type=float, default=300)
    ap.add_argument("--pprof-reps", default="3,3,1")
    ap.add_argument("--pprof-max-rss", type=float, default=16000,
                    help="MB; go tool pprof is killed above this (counts as a timeout)")
    ap.add_argument("--pprof-locs", type=int, default=12,
                    help="pprofgen: locations (addresses/lines) per function")
    a = ap.parse_args()
    global RSS_RUN
    RSS_RUN = a.rss_run or os.path.join(os.path.dirname(os.path.abspath(a.bare)), "rss_run")
    sizes = [int(s) for s in a.sizes.split(",")]
    reps = [int(r) for r in a.reps.split(",")]
    preps = [int(r) for r in a.pprof_reps.split(",")]
    reps += [reps[-1]] * (len(sizes) - len(reps))
    preps += [preps[-1]] * (len(sizes) - len(preps))
    os.makedirs(a.work, exist_ok=True)

    pprof = None
    if a.go and shutil.which(a.go):
        env = dict(os.environ, GOFLAGS="-mod=mod", GOPROXY="off")
        gen = os.path.join(a.work, "pprofgen")
        subprocess.run([a.go, "build", "-o", gen, "."], cwd=os.path.join(HERE, "pprofgen"),
                       env=env, check=True)
        tooldir = subprocess.run([a.go, "env", "GOTOOLDIR"], capture_output=True, text=True,
                                 env=env, check=True).stdout.strip()
        pprof = os.path.join(tooldir, "pprof")
        if not os.path.exists(pprof):
            pprof = None
    else:
        print("bench: go not found: no comparison with go tool pprof", file=sys.stderr)

    results = {}
    for n, r, pr in zip(sizes, reps, preps):
        d = os.path.join(a.work, f"n{n}")
        base, new = os.path.join(d, "base.dot"), os.path.join(d, "new.dot")
        if not os.path.exists(os.path.join(d, "changes.tsv")):
            print(f"bench: generating {n} functions in {d}", file=sys.stderr)
            subprocess.run([sys.executable, os.path.join(HERE, "gen.py"), str(n), d, "--samples"],
                           check=True)
        if pprof:
            for seed, side in enumerate(("base", "new"), 1):
                pb = os.path.join(d, side + ".pb.gz")
                if not os.path.exists(pb):
                    subprocess.run([gen, "-locs", str(a.pprof_locs), "-seed", str(seed),
                                    os.path.join(d, side + ".samples"), pb], check=True)
        print(f"bench: {n} functions, {r} runs", file=sys.stderr)
        res = {"bytes": os.path.getsize(base) + os.path.getsize(new)}
        if pprof:
            res["pb_bytes"] = sum(os.path.getsize(os.path.join(d, s + ".pb.gz"))
                                  for s in ("base", "new"))
        out = os.path.join(d, "out")
        res["cat"] = measure(["cat", base, new], r)
        res["bare"] = measure([a.bare, base, new], r)
        res["profdiff"] = measure([a.profdiff, "diff", "-q", base, new], r)
        res["profdiff_all"] = measure([a.profdiff, "diff", "-q", "--format", "json", "--dot",
                                       out + ".dot", "--svg", out + ".svg", base, new], r)
        ph = subprocess.run([a.phases, base, new, str(r)], capture_output=True, text=True,
                            check=True).stdout
        res["phases"] = {}
        for line in ph.splitlines():
            _, name, med, lo, hi = line.split()
            res["phases"][name] = {"median": float(med), "min": float(lo), "max": float(hi)}
        if pprof:
            res["pprof"] = measure([pprof, "-top", "-symbolize=none",
                                    "-diff_base=" + os.path.join(d, "base.pb.gz"),
                                    os.path.join(d, "new.pb.gz")], pr, a.pprof_timeout,
                                   a.pprof_max_rss)
        results[n] = res
        print(f"bench: {n}: profdiff cpu {fmt_s(res['profdiff']['cpu'])}, bare cpu "
              f"{fmt_s(res['bare']['cpu'])}", file=sys.stderr)

    md = report(results, a.pprof_timeout)
    emu = a.emulator or os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(a.bare))),
                                     "tests", "emulator", "pd_emulator")
    if os.path.exists(emu) and a.compare_delay_ms > 0:
        md += compare_concurrency(a.profdiff, emu, a.compare_delay_ms, a.compare_reps)
    else:
        print(f"bench: no emulator at {emu}: compare not measured", file=sys.stderr)
    print(md)
    with open(os.path.join(a.work, "results.md"), "w") as f:
        f.write(md)
    with open(os.path.join(a.work, "results.json"), "w") as f:
        json.dump(results, f, indent=1)


def compare_concurrency(profdiff, emulator, delay_ms, reps):
    """`profdiff compare` against the test emulator delaying every render by delay_ms:
    its wall time over one delay (1.0 = both windows fetched fully in parallel, 2.0 =
    one after the other), next to `profdiff fetch` of one window for reference."""
    data = os.path.join(os.path.dirname(HERE), "tests", "emulator", "data")
    tmp = tempfile.mkdtemp(prefix="pd_bench_emu.")
    port_file = os.path.join(tmp, "port")
    emu = subprocess.Popen([emulator, "--port-file", port_file, "--base",
                            os.path.join(data, "base.dot"), "--new", os.path.join(data, "new.dot"),
                            "--split", "1777626000000", "--delay-ms", str(delay_ms)],
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            if os.path.exists(port_file) and os.path.getsize(port_file):
                break
            time.sleep(0.025)
        with open(port_file) as f:
            url = "http://127.0.0.1:" + f.read().strip()
        common = ["--url", url, "--type", "process_cpu:cpu:nanoseconds:cpu:nanoseconds",
                  "--from", "2026-05-01T09:00:00Z", "--to", "2026-05-01T10:00:00Z"]
        one = measure([profdiff, "fetch"] + common + ["-o", os.path.join(tmp, "w.dot")], reps)
        both = measure([profdiff, "compare", "-q"] + common, reps)
    finally:
        emu.kill()
        emu.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    d = delay_ms / 1000
    return ("\n### compare: two windows against the emulator (each render delayed "
            f"{delay_ms} ms; {reps} runs)\n\n"
            "| command | wall | / one delay |\n|---|---:|---:|\n"
            f"| profdiff fetch (one window) | {spread(one['wall'])} | "
            f"{one['wall']['median'] / d:.2f}× |\n"
            f"| profdiff compare (two windows, then the diff) | {spread(both['wall'])} | "
            f"{both['wall']['median'] / d:.2f}× |\n")


def report(results, timeout):
    L = []
    sizes = sorted(results)
    L.append("### Whole commands (median [min–max]; CPU = user+sys; RSS = peak)\n")
    L.append("| functions | input | tool | wall | CPU | peak RSS |")
    L.append("|---:|---:|---|---:|---:|---:|")
    for n in sizes:
        res = results[n]
        for k, name in (("cat", "cat"), ("bare", "bare libcgraph read x2"),
                        ("profdiff", "profdiff diff (text)"),
                        ("profdiff_all", "profdiff diff (json+dot+svg)"),
                        ("pprof", "go tool pprof -top -diff_base")):
            if k not in res:
                continue
            m = res[k]
            ge = ">= " if m.get("timeout") else ""
            nb = res.get("pb_bytes", res["bytes"]) if k == "pprof" else res["bytes"]
            L.append(f"| {n} | {nb / 2**20:.1f} MB | {name} | {ge}{spread(m['wall'])} | "
                     f"{ge}{spread(m['cpu'])} | {ge}{m['rss_kb'] / 1024:.1f} MB |")
    L.append("\n### Ratios (medians)\n")
    L.append("| functions | profdiff/bare CPU | profdiff/bare wall | profdiff_all/bare CPU | "
             "RSS profdiff_all/bare | profdiff/cat wall | pprof/profdiff wall |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        res = results[n]
        pd, pa, b, c = res["profdiff"], res["profdiff_all"], res["bare"], res["cat"]
        pp = res.get("pprof")
        ppr = "n/a"
        if pp:
            ppr = ("≥ " if pp["timeout"] else "") + \
                f"{pp['wall']['median'] / pd['wall']['median']:.0f}×"
        L.append(f"| {n} | {pd['cpu']['median'] / b['cpu']['median']:.2f} | "
                 f"{pd['wall']['median'] / b['wall']['median']:.2f} | "
                 f"{pa['cpu']['median'] / b['cpu']['median']:.2f} | "
                 f"{pa['rss_kb'] / b['rss_kb']:.2f} | "
                 f"{pd['wall']['median'] / c['wall']['median']:.1f} | {ppr} |")
    L.append("\n### Phases inside one process (bench/phases; median [min–max])\n")
    names = list(results[sizes[0]]["phases"])
    L.append("| phase | " + " | ".join(str(n) for n in sizes) + " |")
    L.append("|---|" + "---:|" * len(sizes))
    for p in names:
        L.append(f"| {p} | " + " | ".join(spread(results[n]["phases"][p]) for n in sizes) + " |")
    if len(sizes) >= 2:
        L.append("\n### Growth (least-squares slope of log time vs log functions; 1.0 = linear)\n")
        for k in ("profdiff", "profdiff_all", "bare", "cat"):
            s = slope([(n, results[n][k]["cpu"]["median"]) for n in sizes])
            s2 = slope([(n, results[n][k]["cpu"]["median"]) for n in sizes if n >= 10000]) \
                if sum(n >= 10000 for n in sizes) >= 2 else float("nan")
            L.append(f"- {k}: CPU slope {s:.2f} over all sizes, {s2:.2f} from 10k up")
        parse = [(n, results[n]["phases"]["parse_base"]["median"]) for n in sizes]
        L.append(f"- parse_base phase: slope {slope(parse):.2f}")
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    main()
