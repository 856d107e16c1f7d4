#!/usr/bin/env bash
# Prints the hottest frames of an async-profiler collapsed-stacks file (self: top frame; total: anywhere
# on the stack), each as a share of all samples; Java, JIT compiler, GC and native frames alike.
#
#   s3recon-bench/collapsed-top.sh /tmp/relay.collapsed [rows=30]
awk -v rows="${2:-30}" '{
  n = $NF; $NF = ""; sub(/ $/, ""); total_n += n
  k = split($0, f, ";"); self[f[k]] += n
  delete seen
  for (i = 1; i <= k; i++) if (!(f[i] in seen)) { seen[f[i]] = 1; tot[f[i]] += n }
} END {
  printf "%d samples\n-- self\n", total_n
  for (x in self) printf "%6.1f%%  %s\n", 100 * self[x] / total_n, x | "sort -rn | head -" rows
  close("sort -rn | head -" rows)
  printf "-- total\n"
  for (x in tot) printf "%6.1f%%  %s\n", 100 * tot[x] / total_n, x | "sort -rn | head -" rows
  close("sort -rn | head -" rows)
}' "$1"
