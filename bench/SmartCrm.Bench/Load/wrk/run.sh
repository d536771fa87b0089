#!/bin/bash
# HTTP load on a running `smartcrm serve` with wrk (Debian package `wrk`): 64 connections on 2 threads, closed loop.
# Prints requests/s, p99 and the server's CPU time per request (from /proc, so it holds up better than requests/s
# when other work shares the machine).
#
#   bench/SmartCrm.Bench/Load/wrk/run.sh URL KEY SCENARIO [SECONDS]     SCENARIO: 360 | search | get | health
#
# Data: `smartcrm serve --demo --demo-scale 50` (100,000 customers, 1M interactions), a key from
# `smartcrm apikey create --name bench --role Admin`.
set -euo pipefail
url=$1; key=$2; scenario=$3; seconds=${4:-10}
here=$(dirname "$0")
port=${url##*:}; port=${port%%/*}
pid=$(pgrep -f "serve.*127.0.0.1:$port" | head -1 || true)
cpu() { if [ -n "$pid" ]; then awk '{print $14+$15}' /proc/$pid/stat; else echo 0; fi; }
wrk -t2 -c64 -d3s -H "Authorization: Bearer $key" -s "$here/$scenario.lua" "$url" > /dev/null
before=$(cpu)
out=$(wrk -t2 -c64 -d${seconds}s --latency -H "Authorization: Bearer $key" -s "$here/$scenario.lua" "$url")
after=$(cpu)
requests=$(echo "$out" | awk '/requests in/{print $1}')
echo "$out" | awk -v s="$scenario" -v r="$requests" -v c="$((after - before))" '
  /Requests\/sec/ {rps=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$5}
  END {printf "load scenario=%s rps=%s p99=%s requests=%s non2xx=%d server_cpu_ms_per_request=%.3f\n", s, rps, p99, r, bad, c*10/r}'
