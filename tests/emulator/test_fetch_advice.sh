# Errors advise the fix that applies: https:// against a plain-HTTP server says to use
# http:// (not --cacert/--insecure), and a wrong Grafana datasource uid is named as such.
. "$(dirname "$0")/lib.sh"

start_emu
run types "${BASE_WIN[@]}" --url "https://${URL#http://}"
expect_rc 3 "https:// against a plain-HTTP server"
expect_in "$ERR" "speaks plain HTTP.*http://" "says the server speaks plain HTTP and to use http://"
expect_not_in "$ERR" "--insecure" "does not suggest --insecure"
expect_one_line "https against http"

run types "${BASE_WIN[@]}" --url "$URL" --datasource nope
expect_rc 3 "a datasource uid Grafana does not know"
expect_in "$ERR" "datasource.*'nope'.*not found" "names the unknown datasource uid"
done_testing
