# The exact inputs the emulator serves beside its DOT fixtures: SelectMergeStacktraces
# (flamegraph JSON, maxNodes honoured, `other`) and SelectMergeProfile (pprof protobuf
# both ways), fetched with pd_pyro_flamegraph / pd_pyro_merge_profile (exact_client),
# must describe the same profile as the DOT of the same window.
. "$(dirname "$0")/lib.sh"
: "${PD_EXACT_CLIENT:?}"
start_emu
B0=1777622400000 B1=1777626000000 N1=1777629600000

fetch() { # fetch KIND END_MS MAX_NODES OUT
	"$PD_EXACT_CLIENT" "$1" "$URL" "$TYPE" "$B0" "$2" "$3" "$4" 2>"$ERR"
	RC=$?
}

fetch flamegraph "$B1" 0 "$T/base.json"; expect_rc 0 "flamegraph of the base window"
expect_eq "$(reqs '.[-1] | [.method, .path] | join(" ")')" \
	"POST /querier.v1.QuerierService/SelectMergeStacktraces" "flamegraph is a Connect POST"
expect_eq "$(reqs '.[-1].body | fromjson | [.profileTypeID, .labelSelector, .format, (.maxNodes // "none" | tostring)] | join(" ")')" \
	"$TYPE {} PROFILE_FORMAT_FLAMEGRAPH none" "flamegraph request body (no maxNodes: server default)"
expect_eq "$(jq -r '.flamegraph.total' "$T/base.json")" "1000000000" "total as an int64 string"
fetch flamegraph "$N1" 0 "$T/new.json"; expect_rc 0 "flamegraph of the new window"
fetch pprof "$B1" 0 "$T/base.pb"; expect_rc 0 "pprof of the base window"
expect_eq "$(reqs '.[-1] | [.path, .headers["content-type"]] | join(" ")')" \
	"/querier.v1.QuerierService/SelectMergeProfile application/proto" "pprof asked as protobuf"
fetch pprof "$N1" 0 "$T/new.pb"; expect_rc 0 "pprof of the new window"

# Same window, three formats: nothing changes between them.
for f in base.json base.pb; do
	run diff --format json "$PD_EMU_DATA/base.dot" "$T/$f"
	expect_rc 0 "diff base.dot $f"
	expect_eq "$(jq '[.functions[] | select(.status != "unchanged")] | length' "$OUT")" 0 \
		"base.dot and $f agree on every function"
done
# The diff from exact inputs equals the DOT diff.
run diff --format json "$PD_EMU_DATA/base.dot" "$PD_EMU_DATA/new.dot"
jq -c '[.functions[] | [.name, .delta.flat, .delta.cum]]' "$OUT" >"$T/dot.rows"
run diff --format json "$T/base.json" "$T/new.pb"
jq -c '[.functions[] | [.name, .delta.flat, .delta.cum]]' "$OUT" >"$T/exact.rows"
expect_eq "$(cat "$T/exact.rows")" "$(cat "$T/dot.rows")" "flamegraph vs pprof diff = DOT diff"

# maxNodes: 2 nodes kept, the rest in `other`; the reader marks the profile trimmed.
fetch flamegraph "$N1" 2 "$T/cut.json"; expect_rc 0 "flamegraph cut to 2 nodes"
expect_eq "$(reqs '.[-1].body | fromjson | .maxNodes')" 2 "maxNodes passed through"
expect_eq "$(jq -r '.flamegraph.names | join(",")' "$T/cut.json")" "total,runtime.main,main.handle,other" \
	"the cut subtrees became other"
run diff --format json "$T/new.json" "$T/cut.json"
expect_rc 0 "diff full against cut"
expect_eq "$(jq -r '.new.trimmed' "$OUT")" "true" "a flamegraph with other is trimmed"

# Pyroscope's limits on maxNodes.
fetch flamegraph "$B1" -1 "$T/neg.json"; expect_rc 0 "maxNodes -1 is not sent (server default)"
fetch flamegraph "$B1" 2000000 "$T/big.json"; expect_rc 3 "maxNodes over the server's maximum"
expect_in "$ERR" "greater than allowed 1048576" "the server's limit message is passed on"

# No data: an empty window is exit 4 for both calls.
start_emu --empty-lists
fetch flamegraph "$B1" 0 "$T/empty.json"; expect_rc 4 "flamegraph {} is no data"
expect_in "$ERR" "no data for $TYPE\\{\\}" "no-data message names the query"
done_testing
