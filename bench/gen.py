#!/usr/bin/env python3
"""Synthetic pprof/Pyroscope-style DOT pairs for the benchmark (stdlib only).

Builds one call-graph model of N functions from explicit samples, then renders a BASE
and a NEW profile from it in pprof's DOT dialect (legend, N<k> nodes with full
tooltips, ~3N edges with tooltips/labeltooltips, colors, font sizes) and, with
--samples, a plain sample list that bench/pprofgen turns into equivalent .pb.gz
profiles. Stacks are deep (a call tree of depth 9..39). NEW differs from BASE in a
known set of functions (listed in changes.tsv): ~1% regress, ~1% improve, ~0.5%
disappear, ~0.5% appear.

Usage: gen.py N OUTDIR [--seed S] [--lines] [--samples]
Writes OUTDIR/base.dot, OUTDIR/new.dot, OUTDIR/changes.tsv
(and OUTDIR/{base,new}.samples with --samples).
"""
import math
import os
import random
import sys

TICK = 10_000_000  # 10 ms in ns: CPU samples
DEPTH = (9, 39)  # depth range of the call tree: stacks of 8..40 frames (24 on average)
FLAT_CAP = 1000  # Pareto draws above this are clipped (hottest function: 4000 ticks)


# ---- names ---------------------------------------------------------------------------
WORDS = ("alpha beta cache codec config cursor decode encode engine fetch frame gateway "
         "handler index ingest json kafka ledger lookup metrics mutex parser pool proto "
         "query queue ratelimit render replica router scheduler schema session shard "
         "snapshot span storage stream sync table tenant tokenize trace txn validate "
         "wal worker").split()
TYPES = ("Store Client Server Ring Tree Buffer Reader Writer Encoder Decoder Conn Batch "
         "Cache Pool Span Tracker Index Planner Executor Segment").split()
VERBS = ("Get Put Push Pop Read Write Flush Encode Decode Handle Serve Lookup Merge Split "
         "Scan Append Close Open Reset Sync Apply Commit Emit Visit Walk").split()


def make_name(rng, i):
    """A full function name, its pprof label name lines, and its source file."""
    kind = rng.random()
    w = lambda: rng.choice(WORDS)
    if kind < 0.70:  # Go, with package paths, receivers, generics, closures
        org = f"github.com/acme/{w()}" if rng.random() < 0.6 else w()
        v = f"/v{rng.randint(2, 5)}" if rng.random() < 0.2 else ""
        pkg = w()
        mid = f"/internal/{w()}" if rng.random() < 0.3 else ""
        path = f"{org}{v}{mid}/{pkg}"
        r = rng.random()
        if r < 0.35:
            typ = rng.choice(TYPES)
            gen = "[...]" if rng.random() < 0.2 else ""
            star = "*" if rng.random() < 0.7 else ""
            recv = f"({star}{typ}{gen})" if star else f"{typ}{gen}"
            fn = f"{rng.choice(VERBS)}{i}"
            full = f"{path}.{recv}.{fn}"
            lines = [pkg, recv.replace("[...]", "[…]"), fn]
        elif r < 0.5:
            fn = f"{rng.choice(VERBS)}{w().capitalize()}{i}"
            full = f"{path}.{fn}[...]"
            lines = [pkg, f"{fn}[…]"]
        elif r < 0.65:
            fn = f"{rng.choice(VERBS).lower()}{i}"
            k = rng.randint(1, 3)
            full = f"{path}.{fn}.func{k}"
            lines = [pkg, fn, f"func{k}"]
        else:
            fn = f"{rng.choice(VERBS)}{w().capitalize()}{i}"
            full = f"{path}.{fn}"
            lines = [pkg, fn]
        src = f"{org}{v}{mid}/{pkg}/{w()}.go"
    elif kind < 0.85:  # C++
        ns = w()
        cls = rng.choice(TYPES)
        if rng.random() < 0.3:
            full = f"{ns}::detail::{cls}<std::vector<int>, {ns}::Alloc>::operator()(int) const#{i}"
        else:
            full = f"{ns}::{cls}::{rng.choice(VERBS)}{i}"
        short = full.split("::", 1)[1] if "::" in full else full
        short = short.replace("detail::", "")
        lines = short.replace("::", "\n").split("\n")
        src = f"src/{ns}/{cls.lower()}.cc"
    else:  # Java
        pk = f"com.acme.{w()}.{w()}"
        cls = rng.choice(TYPES)
        m = f"{rng.choice(VERBS).lower()}{i}"
        full = f"{pk}.{cls}.{m}"
        lines = [cls, m]
        src = f"{cls}.java"
    return full, lines, src


# ---- pprof formatting -----------------------------------------------------------------
def fmt_value(ns, unit):
    if ns == 0:
        return "0"
    div = {"ms": 1e6, "s": 1e9}[unit]
    s = "%.2f" % (ns / div)
    if s.endswith(".00"):
        s = s[:-3]
    if s in ("0", "-0"):
        return "0"
    return s + unit


def fmt_pct(v, total):
    if total == 0:
        return "0"
    p = abs(v) / total * 100
    if 99.95 <= p <= 100.05:
        return "100%"
    if p >= 1:
        return "%.2f%%" % p
    return ("%.2g" % p).strip() + "%"


def dot_color(score, bg):
    score = max(-1.0, min(1.0, score))
    sat, val = (0.1, 0.93) if bg else (1.0, 0.7)
    if abs(score) < 0.2:
        sat *= abs(score) / 0.2
    score = math.copysign(abs(score) ** 0.3, score) if score else 0.0
    if score < 0:
        g, r = val, val * (1 + sat * score)
    else:
        r, g = val, val * (1 - sat * score)
    b = val * (1 - sat)
    return "#%02x%02x%02x" % (int(r * 255), int(g * 255), int(b * 255))


def esc(s):
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l")


# ---- model ------------------------------------------------------------------------------
class Model:
    def __init__(self, n, rng, lines):
        self.funcs = [make_name(rng, i) for i in range(n)]
        self.lineno = [rng.randint(10, 2000) for _ in range(n)]
        self.lines = lines
        # Primary parent: an earlier function one level up. Each function gets a target
        # depth of 9..39, so sampled stacks are 8..40 frames deep (the first functions
        # form the narrow top: main, server loop, ...); each level holds ~N/31
        # functions, so the tree is bushy and every inner function is on many stacks.
        # Two extra callers from the levels just above give ~3 edges per node.
        self.parent = [-1] * n
        self.depth = [0] * n
        self.callers = [[]]
        by_depth = [[0]]
        for i in range(1, n):
            d = rng.randint(DEPTH[0], DEPTH[1])
            d = min(d, len(by_depth))  # deepest level that has a function at d - 1
            self.parent[i] = rng.choice(by_depth[d - 1])
            self.depth[i] = d
            cs = [self.parent[i]]
            if i > 1:
                for _ in range(2):
                    cs.append(rng.choice(by_depth[max(0, d - rng.randint(1, 3))]))
            self.callers.append(sorted(set(cs)))
            if d == len(by_depth):
                by_depth.append([])
            by_depth[d].append(i)
        # Heavy-tailed flat: most functions small, a few hot ones. The cap keeps the
        # mean (≈18 ticks a function) independent of N, so sizes scale linearly.
        self.flat = [int(min(rng.paretovariate(1.2), FLAT_CAP) * 4) * TICK for _ in range(n)]

    def path(self, i):
        """Root .. i through primary parents (i last)."""
        p = []
        while i >= 0:
            p.append(i)
            i = self.parent[i]
        p.reverse()
        return p


def samples(model, flat, present):
    """Samples (value, stack root..leaf); each function's flat split over its callers."""
    out = []
    for i, f in enumerate(flat):
        if not present[i] or f == 0:
            continue
        cs = [c for c in model.callers[i] if present[c]] or []
        if not cs:
            out.append((f, [i]))
            continue
        ticks = f // TICK
        share = [ticks // len(cs)] * len(cs)
        share[0] += ticks - sum(share)
        for c, t in zip(cs, share):
            if t:
                stack = [x for x in model.path(c) if present[x]] + [i]
                out.append((t * TICK, stack))
    return out


def render(model, smp, title, unit, rng):
    n = len(model.funcs)
    flat = [0] * n
    cum = [0] * n
    edges = {}
    for v, st in smp:
        flat[st[-1]] += v
        for x in st:
            cum[x] += v
        for a, b in zip(st, st[1:]):
            edges[(a, b)] = edges.get((a, b), 0) + v
    total = sum(flat)
    nodes = [i for i in range(n) if cum[i]]
    rng.shuffle(nodes)  # N<k> numbering differs between files, as in pprof
    ids = {f: k + 1 for k, f in enumerate(nodes)}
    maxflat = max(flat) or 1
    o = []
    o.append(f'digraph "{title}" {{\n')
    o.append('node [style=filled fillcolor="#f8f8f8"]\n')
    legend = [f"File: {title}", "Type: cpu", "Time: Nov 26, 2026 at 6:14am (UTC)",
              f"Duration: {fmt_value(total * 11 // 10, 's')}, Total samples = "
              f"{fmt_value(total, unit)} (90.91%)",
              f"Showing nodes accounting for {fmt_value(total, unit)}, 100% of "
              f"{fmt_value(total, unit)} total", "", "See https://git.io/JfYMW for how to read the graph"]
    lab = "".join(esc(l) + "\\l" for l in legend)
    o.append(f'subgraph cluster_L {{ "File: {title}" [shape=box fontsize=16 label="{lab}" '
             f'tooltip="{title}"] }}\n')
    full_of = {}
    for f in nodes:
        full, lines, src = model.funcs[f]
        nl = [esc(l) for l in lines]
        tip_name = full
        if model.lines:
            base = src.rsplit("/", 1)[-1]
            nl.append(f"{base}:{model.lineno[f]}")
            tip_name = f"{full} {src}:{model.lineno[f]}"
        full_of[f] = tip_name
        fv, cv = flat[f], cum[f]
        if fv:
            val = f"{fmt_value(fv, unit)} ({fmt_pct(fv, total)})"
            if cv != fv:
                val += f"\\nof {fmt_value(cv, unit)} ({fmt_pct(cv, total)})"
        else:
            val = f"0 of {fmt_value(cv, unit)} ({fmt_pct(cv, total)})"
        fs = 8 + math.ceil(16 * math.sqrt(abs(fv) / maxflat)) if fv else 8
        k = ids[f]
        names = "\\n".join(nl)
        o.append(f'N{k} [label="{names}\\n{val}" id="node{k}" fontsize={fs} shape=box '
                 f'tooltip="{esc(tip_name)} ({fmt_value(cv, unit)})" '
                 f'color="{dot_color(cv / total, False)}" fillcolor="{dot_color(cv / total, True)}"]\n')
    for (a, b), w in sorted(edges.items(), key=lambda e: (-e[1], full_of[e[0][0]], full_of[e[0][1]])):
        wt = 1 + min(w * 100 // total, 100)
        pw = 1 + min(w * 5 // total, 5)
        extra = (f" weight={wt}" if wt > 1 else "") + (f" penwidth={pw}" if pw > 1 else "")
        inl = "\\n (inline)" if (a * 7 + b) % 13 == 0 else ""
        tt = f"{esc(full_of[a])} -> {esc(full_of[b])} ({fmt_value(w, unit)})"
        o.append(f'N{ids[a]} -> N{ids[b]} [label=" {fmt_value(w, unit)}{inl}"{extra} '
                 f'color="{dot_color(w / total, False)}" tooltip="{tt}" labeltooltip="{tt}"]\n')
    o.append("}\n")
    return "".join(o)


def write_samples(path, model, smp):
    """Plain input for pprofgen.go: F lines define functions, S lines are samples."""
    with open(path, "w") as f:
        for i, (full, _, src) in enumerate(model.funcs):
            f.write(f"F\t{i}\t{full}\t{src}\t{model.lineno[i]}\n")
        for v, st in smp:
            f.write("S\t%d\t%s\n" % (v, " ".join(map(str, reversed(st)))))  # leaf first


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    n, outdir = int(args[0]), args[1]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    rng = random.Random(seed * 1000003 + n)
    os.makedirs(outdir, exist_ok=True)
    # Functions 0..n-1 exist in base; a few extra appear only in new.
    extra = max(1, n // 200)
    m = Model(n + extra, rng, "--lines" in args)
    present_b = [True] * n + [False] * extra
    present_n = list(present_b)
    flat_b = list(m.flat)
    flat_n = list(m.flat)
    changes = []
    cand = list(range(max(1, n // 10), n))  # keep the top of the tree stable
    rng.shuffle(cand)
    k = max(1, n // 100)
    for f in cand[:k]:
        flat_n[f] = flat_b[f] * 2 + 50 * TICK
        changes.append((f, "regressed"))
    for f in cand[k:2 * k]:
        flat_n[f] = (flat_b[f] // (2 * TICK)) * TICK
        changes.append((f, "improved"))
    for f in cand[2 * k:2 * k + max(1, k // 2)]:
        flat_n[f] = 0  # keeps a node only while a callee's samples pass through it
        changes.append((f, "flat_to_zero"))
    for f in range(n, n + extra):
        present_n[f] = True
        changes.append((f, "added"))
    sb = samples(m, flat_b, present_b)
    sn = samples(m, flat_n, present_n)
    with open(os.path.join(outdir, "base.dot"), "w") as fh:
        fh.write(render(m, sb, "svc", "s", rng))
    with open(os.path.join(outdir, "new.dot"), "w") as fh:
        fh.write(render(m, sn, "svc", "ms", rng))  # a different unit, as pprof picks per file
    with open(os.path.join(outdir, "changes.tsv"), "w") as fh:
        for f, what in sorted(changes):
            fh.write(f"{what}\t{m.funcs[f][0]}\n")
    if "--samples" in args:
        write_samples(os.path.join(outdir, "base.samples"), m, sb)
        write_samples(os.path.join(outdir, "new.samples"), m, sn)


if __name__ == "__main__":
    main()
