#!/usr/bin/env python3
"""Writes the hostile-input corpus into DIR and prints its case table on stdout.

Each case is a pair of inputs (base, new) and what `profdiff diff` must do with it: the
exit code, a piece of the one-line error, and for successes a check on the numbers.
Inputs are made here rather than checked in so that large ones (1 MB names, 10^5 nodes,
millions of braces) cost nothing in the repository. Run by tests/hostile/run.sh."""
import gzip
import json
import os
import random
import sys

out = sys.argv[1]
fixtures = sys.argv[2]
os.makedirs(out, exist_ok=True)
cases = []


def legend(typ="cpu", total="1s", extra=""):
    return ('subgraph cluster_L { "File: x" [shape=box label="File: x\\lType: %s\\l'
            'Showing nodes accounting for %s, 100%% of %s total\\l%s" tooltip="x"] }\n'
            % (typ, total, total, extra))


def node(i, name, flat, cum=None, tooltip=None):
    cum = cum or flat
    short = name.replace('"', '\\"')
    tip = (tooltip if tooltip is not None else name).replace('"', '\\"')
    if flat == cum:
        val = "%s (50%%)" % flat
    else:
        val = "%s (10%%)\\nof %s (50%%)" % (flat, cum)
    return 'N%d [label="%s\\n%s" tooltip="%s (%s)"]\n' % (i, short, val, tip, cum)


def prof(body, typ="cpu", total="1s", extra=""):
    return ('digraph "x" {\nnode [style=filled fillcolor="#f8f8f8"]\n' + legend(typ, total, extra)
            + body + "}\n").encode()


GOOD = prof(node(1, "main.main", "0.60s", "1s") + node(2, "main.work", "0.40s")
            + 'N1 -> N2 [label=" 0.40s"]\n')
GOOD2 = prof(node(1, "main.main", "0.50s", "1s") + node(2, "main.work", "0.50s")
             + 'N1 -> N2 [label=" 0.50s"]\n')


def write(name, data):
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def case(name, base, new, rc, needle, check="-"):
    """base/new: bytes (written as <name>.base.dot / .new.dot) or a path."""
    paths = []
    for side, data in (("base", base), ("new", new)):
        if isinstance(data, bytes):
            paths.append(write("%s.%s.dot" % (name, side), data))
        else:
            paths.append(data)
    cases.append((name, paths[0], paths[1], rc, needle, check))


fx = lambda n: os.path.join(fixtures, n)
rnd = random.Random(9)

# -- not DOT at all
case("empty", b"", GOOD, 3, "empty")
case("whitespace-only", b" \n\t\n", GOOD, 3, "empty")
case("binary", bytes(rnd.randrange(256) for _ in range(4096)), GOOD, 3, "binary")
case("nul-in-dot", GOOD[:60] + b"\0" + GOOD[60:], GOOD, 3, "binary")
case("gzip-dot", gzip.compress(GOOD, mtime=0), GOOD, 0, "", "rows>=1")  # gzip is read
case("utf16-dot", GOOD.decode().encode("utf-16"), GOOD, 3, "binary")
case("directory", out, GOOD, 3, "")
case("missing-file", os.path.join(out, "no-such-file.dot"), GOOD, 3, "No such file")
case("dev-null", "/dev/null", GOOD, 3, "empty")
case("json-not-profile", json.dumps({"names": ["a"], "levels": "x"}).encode(), GOOD, 3, "")
case("gzip-truncated", gzip.compress(GOOD, mtime=0)[:40], GOOD, 3, "")
case("one-long-line", b"a" * (4 << 20), GOOD, 3, "")

# -- malformed DOT
case("truncated-in-string", GOOD[: GOOD.index(b"main.work") + 4], GOOD, 3, "")
case("no-closing-brace", GOOD.rstrip()[:-1], GOOD, 3, "")
case("text-after-graph", GOOD + b"N9 [label=\"x\"]\n", GOOD, 3, "after the graph")
case("two-graphs", GOOD + GOOD, GOOD, 3, "after the graph")
case("unbalanced-brackets", prof('N1 [label="a\\n1s" [[[ ]\n'), GOOD, 3, "")
case("backslash-at-eof", GOOD[:40] + b'"abc\\', GOOD, 3, "")
case("nested-subgraphs-3400",
     prof("subgraph { " * 3400 + node(1, "main.main", "1s") + "} " * 3400 + "\n"), GOOD, 3,
     "raise the limit with --max-nesting")
# The legend's subgraph is level 2: 62 more make 64, the default limit.
case("nested-subgraphs-64", prof("subgraph { " * 62 + node(1, "main.main", "1s") + "} " * 62 + "\n"),
     GOOD, 0, "", "rows>=1")
case("braces-3M", b"digraph x {" + b"{}" * 3000000 + b"}\n", GOOD, 3, "--max-subgraphs")
case("subgraphs-200k", prof("".join("subgraph s%d {}\n" % i for i in range(200000))
                            + node(1, "main.main", "1s")), GOOD, 3, "more than 1000 subgraphs")
case("long-token", b"a" + "\u00e9".encode() * 100000 + b" digraph {}", GOOD, 3,
     "near 'a" + "\u00e9" * 29 + "...'")
case("control-token", b"\x1b]0;pwned\x07 digraph {}", GOOD, 3, "near '\\x1b")

# -- numbers
zeros = "0" * 130
case("decimals-130", prof(node(1, "main.main", "1s") + node(2, "main.tiny", "0.%s1s" % zeros)),
     GOOD, 0, "", "rows>=1")
case("digits-130", prof(node(1, "main.main", "1" + zeros + "s")), GOOD, 3, "out of range")
case("int64-overflow-value", prof(node(1, "main.main", "9999999999999999999")), GOOD, 3, "out of range")
case("legend-total-overflow", prof(node(1, "main.main", "1s"), total="9" * 30 + "s"), GOOD, 3,
     "out of range")
case("node-sum-overflow", prof(node(1, "main.a", "5000000000s") + node(2, "main.b", "5000000000s"),
                               total="1s"), GOOD, 3, "overflow")
case("unknown-unit", prof(node(1, "main.main", "10.5parsecs")), GOOD, 3, "unknown unit")
case("mixed-units", fx("edge/alloc_mixed_units.dot"), GOOD, 3, "")
case("cpu-vs-alloc", fx("cpu_base.dot"), fx("alloc_new.dot"), 3, "")
case("negative-values", prof(node(1, "main.main", "-1s")), GOOD, 3, "")
case("all-zero", prof(node(1, "main.main", "0"), total="0"), GOOD, 4, "empty")
# Everything trimmed away: the legend's total stands, every function is hidden.
case("legend-only", prof(""), GOOD, 0, "")
case("not-a-profile", fx("edge/not_profile.dot"), GOOD, 3, "not a")
case("label-without-value", prof('N1 [label="main.main" tooltip="main.main"]\n'), GOOD, 3, "")

# -- names
case("one-mb-name", prof(node(1, "main." + "x" * (1 << 20), "1s")), GOOD, 0, "", "rows>=1")
case("invalid-utf8-name", prof(node(1, "main.\xff\xfe", "1s").encode("latin-1").decode("latin-1")).replace(
    b"\xc3\xbf\xc3\xbe", b"\xff\xfe"), GOOD, 0, "", "rows>=1")
case("terminal-escape-name", prof(node(1, "main.\x1b]0;pwned\x07\x1b[31mred", "1s")), GOOD, 0, "",
     "no-raw-escape")
case("same-name-1e5", prof("".join(node(i, "main.same", "1ms") for i in range(1, 100001)), total="100s"),
     prof(node(1, "main.same", "100s"), total="100s"), 0, "", "same-sum")
case("html-label", prof('N1 [label=<b>main</b> tooltip="main.main (1s)"]\n'), GOOD, 3, "")
case("label-10k-lines", prof('N1 [label="%s\\n1s (1%%)" tooltip="main.main (1s)"]\n' % ("a\\n" * 10000)),
     GOOD, 0, "", "rows>=1")

# -- line endings and encodings of a real profile
real = open(fx("cpu_base.dot"), "rb").read()
case("crlf-real", real.replace(b"\n", b"\r\n"), fx("cpu_base.dot"), 0, "", "no-change")
case("bom-real", b"\xef\xbb\xbf" + real, fx("cpu_base.dot"), 0, "", "no-change")
case("same-file", fx("cpu_base.dot"), fx("cpu_base.dot"), 0, "", "no-change")

for c in cases:
    print("|".join(str(x) for x in c))
