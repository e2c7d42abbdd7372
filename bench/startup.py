#!/usr/bin/env python3
"""Start-up cost of profdiff: wall time of short commands, measured against /bin/true.

    python3 bench/startup.py --profdiff BUILD/profdiff [--profdiff before=OLD/profdiff] [--runs 200]

For each binary (LABEL=PATH, or just PATH) it times `profdiff --version` and a small
diff without SVG (fixtures/cpu_base.dot vs cpu_new.dot: 38 and 31 nodes, text report).
Every command runs RUNS times, interleaved round by round so that load on the shared
machine hits all commands alike; output goes to /dev/null. Prints a Markdown table:
median and 10th-90th percentile wall time (time.perf_counter around subprocess.run,
which adds Python's fork+exec+wait, the same for /bin/true), the median CPU time of
the child (user+sys from getrusage(RUSAGE_CHILDREN) deltas: steadier than wall time on
a busy machine), and how many shared objects the dynamic loader maps (LD_DEBUG=files;
vDSO and the loader not counted).
"""
import argparse
import os
import resource
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(ROOT, "fixtures", "cpu_base.dot")
NEW = os.path.join(ROOT, "fixtures", "cpu_new.dot")


def mapped(argv):
    """How many shared objects the loader maps for argv."""
    env = dict(os.environ, LD_DEBUG="files")
    p = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       text=True, check=False)
    return len({l.split("file=", 1)[1].split()[0] for l in p.stderr.splitlines()
                if "generating link map" in l})


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--profdiff", action="append", required=True, metavar="[LABEL=]PATH")
    ap.add_argument("--runs", type=int, default=200)
    a = ap.parse_args()
    cmds = [("/bin/true", ["/bin/true"])]
    for spec in a.profdiff:
        label, _, path = spec.rpartition("=")
        path = os.path.abspath(path)
        tag = f" ({label})" if label else ""
        cmds.append((f"profdiff --version{tag}", [path, "--version"]))
        cmds.append((f"profdiff diff, 40 nodes, text{tag}", [path, "diff", "-q", BASE, NEW]))
    devnull = subprocess.DEVNULL
    times = {name: [] for name, _ in cmds}
    cpu = {name: [] for name, _ in cmds}
    for _ in range(5):  # warm the page cache
        for _, argv in cmds:
            subprocess.run(argv, stdout=devnull, stderr=devnull, check=False)
    for _ in range(a.runs):
        for name, argv in cmds:
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            subprocess.run(argv, stdout=devnull, stderr=devnull, check=False)
            times[name].append((time.perf_counter() - t0) * 1000)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    print(f"{a.runs} runs each, interleaved\n")
    print("| command | wall median | wall p10–p90 | CPU median | shared objects |")
    print("|---|---:|---:|---:|---:|")
    for name, argv in cmds:
        t = sorted(times[name])
        q = statistics.quantiles(t, n=10)
        print(f"| {name} | {statistics.median(t):.2f} ms | {q[0]:.2f}–{q[-1]:.2f} ms "
              f"| {statistics.median(cpu[name]):.2f} ms | {mapped(argv)} |")


if __name__ == "__main__":
    main()
