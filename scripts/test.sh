#!/usr/bin/env bash
# Every test: build the bundle, install the pinned tools, then, side by side, the Go end-to-end
# harness (test/e2e: the real CAPI providers against envtest and simulated Proxmox and Talos APIs;
# it builds its binaries from the Go module proxy once, ~20-25 min cold, into
# ~/.cache/capi-proxmox-talos-e2e; see docs/e2e.md) and tsc + jest (unit, golden, property and
# end-to-end tests with the real kpt, kustomize and provider CRDs).
#
# Why side by side: the harness spends most of its wall time waiting for controllers (requeues,
# rollouts), so it overlaps well with jest's CPU-bound suites; they share nothing but dist/
# (read-only here). The harness's output goes to .tools/e2e.log and is printed when it ends.
# CPT_NO_E2E=1 leaves the harness out; so do jest arguments (`npm test -- test/cli.test.ts` means
# one suite), unless CPT_E2E=1.
set -euo pipefail
cd "$(dirname "$0")/.."
node scripts/build.mjs
bash scripts/setup-tools.sh

# The Talos oracle (test/talosconfig: Talos machinery v1.14.1, test/talos-oracle.test.ts runs it), built
# once from the Go module proxy into ~/.cache/capi-proxmox-talos-talosconfig (cold: about 2 minutes; warm:
# nothing), before jest starts so the suite never builds it under its time limit.
echo "test: building the Talos oracle if missing (cold: ~2 min)"
bash test/talosconfig/build.sh >/dev/null

e2e_pid=""
e2e_log=.tools/e2e.log
if [ -n "${CPT_NO_E2E:-}" ] || { [ $# -gt 0 ] && [ -z "${CPT_E2E:-}" ]; }; then
  echo "test: the Go end-to-end harness is left out (CPT_NO_E2E, or jest arguments without CPT_E2E=1)"
else
  # First, alone: the providers' binaries and the harness's Go dependencies. Warm, about a second; cold
  # (a new machine), ~30 min of both cores, which jest must not share (its tests have time limits).
  echo "test: building the e2e harness's binaries and packages if missing (cold: ~30 min, docs/e2e.md)"
  bash test/e2e/tools/build.sh >/dev/null
  (cd test/e2e && go build ./...)
  # -parallel: the scenarios are t.Parallel (one cluster each, ten in all); go test's default is GOMAXPROCS.
  # They mostly wait for the controllers, so all at once is shortest (measured: 287 s against 324 s with 8).
  (cd test/e2e && exec go test -count=1 -p 1 -parallel 12 -timeout 75m ./...) >"$e2e_log" 2>&1 &
  e2e_pid=$!
  trap '[ -n "$e2e_pid" ] && kill "$e2e_pid" 2>/dev/null; true' EXIT
fi

# The type check beside jest too (jest transpiles without checking types, so neither needs the other);
# its output is printed after jest's.
tsc_log=.tools/tsc.log
npx tsc -p . >"$tsc_log" 2>&1 &
tsc_pid=$!

status=0
npx jest --ci "$@" || status=$?

tsc_status=0
wait "$tsc_pid" || tsc_status=$?
if [ "$tsc_status" -ne 0 ]; then
  cat "$tsc_log"
  echo "type check (tsc -p .) FAILED (exit $tsc_status)"
  [ "$status" -ne 0 ] || status=$tsc_status
fi

if [ -n "$e2e_pid" ]; then
  echo "--- Go end-to-end harness (test/e2e), started with jest; output in $e2e_log:"
  e2e_status=0
  wait "$e2e_pid" || e2e_status=$?
  e2e_pid=""
  cat "$e2e_log"
  if [ "$e2e_status" -ne 0 ]; then
    echo "Go end-to-end harness FAILED (exit $e2e_status)"
    [ "$status" -ne 0 ] || status=$e2e_status
  fi
fi
exit "$status"
