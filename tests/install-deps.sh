#!/usr/bin/env bash
# Installs the Debian 12 packages profdiff needs to build and test, when missing.
# Safe to run repeatedly: it only calls apt-get when a package is absent.
set -euo pipefail
# nettle-dev: SHA-256 for the bundle; chromium: tests/browser (the bundle's HTML page).
# clang + libclang-rt-14-dev (libFuzzer and sanitizer runtimes, only recommended by
# clang-14) + llvm (llvm-symbolizer) for tests/fuzz/run_all.sh; valgrind for
# tests/valgrind/run.sh.
pkgs=(build-essential cmake pkg-config libcurl4-openssl-dev libcjson-dev libgraphviz-dev
      graphviz uthash-dev libmicrohttpd-dev libcmocka-dev jq bc openssl python3
      libxml2-utils libprotobuf-c-dev protobuf-c-compiler zlib1g-dev nettle-dev chromium
      clang libclang-rt-14-dev llvm valgrind)
# Node.js for the MCP interoperability tests: Debian's nodejs and npm, unless a node with
# its npm is already there (NodeSource's nodejs bundles npm and conflicts with Debian's).
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
