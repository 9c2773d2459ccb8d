#!/usr/bin/env bash
# Whole-process timings of podnet on the dense clusters of BENCHMARKS.md.
# Usage: scripts/bench/measure.sh PODNET [OUT_DIR]   (needs python3 and GNU time)
set -euo pipefail
podnet="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
out="${2:-$here/../../target/podnet-bench-dense}"
mkdir -p "$out"
cat > "$out/profile.yaml" <<'YAML'
apiVersion: podnet.dev/v1alpha1
kind: ClusterProfile
metadata: {name: bench}
spec:
  clusterCIDRs: [10.0.0.0/8]
  nodeMaskSizeIPv4: 24
  serviceCIDRs: [172.16.0.0/12]
  nodeCount: 1000
YAML
gen() { # NAMESPACES [--pods]
  local dir="$out/c$1${2:+-pods}"
  [[ -f "$dir/.gen_cluster" ]] || python3 "$here/gen_cluster.py" --namespaces "$1" \
    --workloads-per-ns 10 --replicas 2 --policies-per-ns 8 --seed 1 --out "$dir" --force ${2:-} >/dev/null
  echo "$dir"
}
run() { # NAME ARGS...
  # Output is counted, never stored: the whole 100k list is many GB.
  local name="$1"; shift
  local bytes
  bytes=$(/usr/bin/time -f "%e %M %x" -o "$out/time" "$podnet" "$@" --profile "$out/profile.yaml" -q 2>/dev/null | wc -c)
  read -r secs kb code < <(tail -n 1 "$out/time")
  printf '| %s | %s s | %s MiB | %s bytes | %s |\n' "$name" "$secs" "$((kb / 1024))" "$bytes" "$code"
}
echo "| run | wall | peak RSS | output | exit |"
echo "|---|---:|---:|---:|---:|"
c1k=$(gen 50); c4k=$(gen 225); c10k=$(gen 500); c100k=$(gen 5000); c100kp=$(gen 5000 --pods)
run "1,006 pods, txt" connlist "$c1k"
run "4,506 pods, txt" connlist "$c4k"
run "10,006 pods, txt" connlist "$c10k"
run "10,006 pods, json" connlist "$c10k" -o json
run "10,006 pods, --focus-workload" connlist "$c10k" --focus-workload billing-api-dev/api
run "10,006 pods, --group" connlist "$c10k" --group
run "100,006 pods, --group" connlist "$c100k" --group
run "100,006 pods (--pods), --group" connlist "$c100kp" --group
run "100,006 pods, --focus-workload" connlist "$c100k" --focus-workload billing-api-dev/api
run "100,006 pods (--pods), --focus-workload" connlist "$c100kp" --focus-workload billing-api-dev/api
run "100,006 pods, --namespace" connlist "$c100k" --namespace billing-api-dev
run "100,006 pods, txt (the whole list)" connlist "$c100k"
