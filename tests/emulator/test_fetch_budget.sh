# Time budgets: --timeout bounds each request with its retries and waits, whatever the
# server asks (Retry-After), and --max-time bounds the whole command.
. "$(dirname "$0")/lib.sh"

# A 503 that asks to come back in a minute: with --timeout 2 the command gives up
# within the budget instead of sleeping 60 s, and says why.
start_emu --fault status --fault-status 503 --retry-after 60 --fault-count -1
export PROFDIFF_URL=$URL
run types "${BASE_WIN[@]}" --timeout 2
expect_rc 3 "503 with Retry-After: 60 under --timeout 2"
expect_true "finishes near the 2 s budget, not after 60 s (took ${ELAPSED}s)" awk "BEGIN{exit !($ELAPSED < 10)}"
expect_in "$ERR" "HTTP 503.*Retry-After.*--timeout" "the message names Retry-After and --timeout"
expect_one_line "Retry-After past the budget"

# A slow server: every render takes 6 s. --max-time 1 ends compare's two fetches
# (concurrent, so one budget) long before; each alone fits --timeout.
start_emu --delay-ms 6000
export PROFDIFF_URL=$URL
run compare --type "$TYPE" "${NEW_WIN[@]}" --max-time 1
expect_rc 3 "--max-time 1 with 6 s renders"
expect_true "ends near --max-time, not after a render (took ${ELAPSED}s)" awk "BEGIN{exit !($ELAPSED < 4)}"
expect_in "$ERR" "max-time" "the message names --max-time"
run compare --type "$TYPE" "${NEW_WIN[@]}" --max-time 20
expect_rc 0 "--max-time 20 leaves room for 6 s renders"
done_testing
