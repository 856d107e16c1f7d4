#!/usr/bin/env bash
# Prints the hottest frames of a JFR recording's CPU samples (jdk.ExecutionSample): the top frames
# (self time) and the frames most often anywhere on the stack (total time), each as a share of all
# samples. For a recording made with e.g.
#   java -XX:StartFlightRecording=filename=/tmp/relay.jfr,settings=profile -cp benchmarks.jar ...CopyHarness ...
#
#   s3recon-bench/jfr-top.sh /tmp/relay.jfr [rows=25] [stack-depth=64]
set -euo pipefail
file=$1
rows=${2:-25}
depth=${3:-64}
jfr print --events jdk.ExecutionSample --stack-depth "$depth" "$file" | awk -v rows="$rows" '
  /^jdk.ExecutionSample/ { inStack = 0; n++; delete seen; first = 1; next }
  /stackTrace = \[/ { inStack = 1; next }
  inStack && /^[[:space:]]*\]/ { inStack = 0; next }
  inStack {
    line = $0
    sub(/^[[:space:]]+/, "", line)
    sub(/[[:space:]]+line:.*$/, "", line)
    if (line == "...") next
    if (first) { self[line]++; first = 0 }
    if (!(line in seen)) { seen[line] = 1; total[line]++ }
  }
  END {
    printf "%d samples\n\n-- self (top frame)\n", n
    for (k in self) printf "%6.1f%%  %s\n", 100 * self[k] / n, k | "sort -rn | head -" rows
    close("sort -rn | head -" rows)
    printf "\n-- total (anywhere on the stack)\n"
    for (k in total) printf "%6.1f%%  %s\n", 100 * total[k] / n, k | "sort -rn | head -" rows
    close("sort -rn | head -" rows)
  }'
