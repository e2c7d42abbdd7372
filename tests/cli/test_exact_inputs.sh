# `profdiff diff` reads pprof protobuf (.pb.gz, .pb) and flamegraph JSON as well as DOT,
# told apart by content, and mixes them: the same pair in every format gives the same
# ranking, and exact inputs report the exact deltas (no rounding tolerance).
. "$(dirname "$0")/lib.sh"
F=$PD_FIXTURES

run diff --format json "$F/cpu_base.pb.gz" "$F/cpu_new.pb.gz"
expect_rc 0 "pprof pair"
expect_out 'main.parseRecords' "pprof pair ranks parseRecords"
jq -e '.functions[0].name == "main.parseRecords" and .functions[0].delta.flat == 2040000000' "$T/out" >/dev/null \
	&& pass || fail "pprof pair: parseRecords +2040000000 ns first"

gzip -dc "$F/cpu_base.pb.gz" >"$T/base.pb"
cp "$F/cpu_new.flamegraph.json" "$T/new.json"
run diff --format json "$T/base.pb" "$T/new.json"
expect_rc 0 "raw .pb against flamegraph JSON"
jq -e '.functions[0].name == "main.parseRecords" and .functions[0].delta.flat == 2040000000' "$T/out" >/dev/null \
	&& pass || fail "mixed pair: parseRecords +2040000000 ns first"

# pprof against its own DOT rendering: the same functions, nothing changed.
run diff --format json "$F/cpu_base.pb.gz" "$F/cpu_base.full.ms.dot"
expect_rc 0 "pprof against its DOT"
jq -e '[.functions[] | select(.status != "unchanged")] | length == 0' "$T/out" >/dev/null \
	&& pass || fail "pprof against its own DOT: every row unchanged"

# Memory: the default sample type of an allocs profile is alloc_space (bytes).
run diff "$F/alloc_base.pb.gz" "$F/alloc_new.flamegraph.json"
expect_rc 0 "alloc pprof against alloc flamegraph"
expect_out "alloc_space" "alloc type named"

# Bad exact input: one line, exit 3.
printf '{"flamegraph":{"names":["total"],"levels":[{"values":["0","1","0","7"]}]}}' >"$T/bad.json"
run diff "$T/bad.json" "$F/cpu_new.pb.gz"; expect_rc 3 "bad flamegraph"
expect_err_line "flamegraph name index 7 out of range" "bad flamegraph"
# --sample-index picks the sample type of a pprof input, as pprof's -sample_index.
run diff --format json --sample-index alloc_objects "$PD_FIXTURES/alloc_base.pb.gz" "$PD_FIXTURES/alloc_new.pb.gz"
expect_rc 0 "--sample-index alloc_objects"
[ "$(jq -r '.unit + " " + .base.type' "$T/out")" = "count alloc_objects" ] && pass ||
	fail "--sample-index alloc_objects: counts of alloc_objects"
run diff --sample-index nope "$PD_FIXTURES/alloc_base.pb.gz" "$PD_FIXTURES/alloc_new.pb.gz"
expect_rc 3 "--sample-index of a type the profile lacks"
expect_err_line "alloc_objects alloc_space inuse_objects inuse_space" "the message lists the types"
# A flamegraph cut by max_nodes: its `other` is reported as each side's share, never a row.
run diff --format json --top 0 "$PD_FIXTURES/langs/java_cpu.flamegraph.max6.json" "$PD_FIXTURES/langs/java_cpu_new.flamegraph.json"
expect_rc 0 "flamegraph with other"
jq -e '.base.other > 0 and .base.other_share > 0.3 and ([.functions[] | select(.name == "other")] | length == 0)' "$T/out" >/dev/null &&
	pass || fail "flamegraph other: a share of the base, not a row"
finish
