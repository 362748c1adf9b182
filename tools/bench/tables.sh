#!/usr/bin/env bash
# Turns tools/bench/run.sh's raw.tsv into the markdown tables of
# docs/performance.md: per implementation and model, the minimum over the
# rounds (CPU time and wall clock separately), the ratios, the load average.
# With the samples' info.json, it first lists issue 13's targets, each with
# the measured figure and whether it is met.
#   tools/bench/tables.sh RAW.tsv [samples/info.json]
set -euo pipefail
info=${2:-/dev/null}
awk -F'\t' '
FILENAME != ARGV[2] && FNR == 1 && !raw_started { raw_started = 1; next }
FILENAME == ARGV[2] {
	# samples/info.json: "name": "mnist_cnn" ... "int_accuracy": 0.9803
	if (match($0, /"name": "[^"]*"/)) { nm_ = substr($0, RSTART + 9, RLENGTH - 10) }
	if (match($0, /"int_accuracy": [0-9.]+/)) { want_acc["sample:" nm_] = substr($0, RSTART + 16, RLENGTH - 16) + 0 }
	next
}
{
	k = $2 SUBSEP $3
	if (!(k in cpu) || $5 + 0 < cpu[k]) cpu[k] = $5 + 0
	if (!(k in wall) || $4 + 0 < wall[k]) { wall[k] = $4 + 0; evload[k] = $6 + 0 }
	if (!($3 in seen)) { seen[$3] = 1; order[++nm] = $3 }
	if ($7 ~ /^mmac=/) mmac[$3] = substr($7, 6)
	if ($2 == "eval") {
		extra[k] = $7; evals[$3] = 1
		rss = kv($7, "rss_kb") + 0
		if (rss > maxrss[k]) maxrss[k] = rss
		if (!(k in minrss) || rss < minrss[k]) minrss[k] = rss
	}
	loads[++nl] = $6 + 0
}
function ms(x) { return x == "" ? "" : sprintf("%.2f", x / 1e6) }
function has(w, m) { return (w SUBSEP m) in cpu }
function ratio(a, b) { return sprintf("%.2f×", a / b) }
function kv(s, key,   n, i, parts, p) {
	n = split(s, parts, " ")
	for (i = 1; i <= n; i++) { split(parts[i], p, "="); if (p[1] == key) return p[2] }
	return ""
}
function verdict(ok) { return ok ? "**met**" : "**not met**" }
function evalrow(model, src) { return "eval" SUBSEP "sample:" model " --inputs " src }
# invokerows prints a target row for each of models (space-separated) measured
# under impl: tflq-trace CPU time of one invoke / that of impl (printed with
# ratiofmt), met when <= limit; target names the model with %s.
function invokerows(models, impl, target, ratiofmt, limit,   list, n, i, m, r) {
	n = split(models, list, " ")
	for (i = 1; i <= n; i++) {
		m = list[i]
		if (!has(impl, m)) continue
		r = cpu["tflq" SUBSEP m] / cpu[impl SUBSEP m]
		printf "| %s | %s (%s ms vs %s ms) | %s |\n", sprintf(target, m), sprintf(ratiofmt, r), ms(cpu["tflq" SUBSEP m]), ms(cpu[impl SUBSEP m]), verdict(r <= limit)
	}
}
END {
	if (has("tflq", "person_detect_int8")) {
		print "Targets of issue 13 (ratios are tflq-trace time / the other time, from process CPU time):\n"
		print "| Target | Measured | |"
		print "|---|---|---|"
		invokerows("person_detect_int8 id_model_int8", "tflm", "%s one invoke ≤ 0.2× TFLite-Micro ref", "%.2f×", 0.2)
		split("person_detect_int8 id_model_int8", tm, " ")
		for (i = 1; i <= 2; i++) {
			m = tm[i]
			if (has("proc-tflm", m)) {
				r = cpu["proc-tflq" SUBSEP m] / cpu["proc-tflm" SUBSEP m]
				printf "| %s whole `run --dump` ≤ 0.5× a TFLite-Micro process (load + invoke + write outputs) | %.2f× CPU, %.2f× wall (%s vs %s ms CPU) | %s |\n", m, r, wall["proc-tflq" SUBSEP m] / wall["proc-tflm" SUBSEP m], ms(cpu["proc-tflq" SUBSEP m]), ms(cpu["proc-tflm" SUBSEP m]), verdict(r <= 0.5)
			}
		}
		split("mnist_cnn:10 mnist_dense:2", te, " ")
		for (i = 1; i <= 2; i++) {
			split(te[i], p, ":")
			k = evalrow(p[1], "sample:mnist-test")
			if (!(k in wall)) continue
			acc = kv(extra[k], "accuracy") + 0
			want = ("sample:" p[1]) in want_acc ? want_acc["sample:" p[1]] : -1
			# The wall clock depends on the load; CPU time / 2 is what 2 idle cores would need at best.
			if (acc != want) v = verdict(0) " (accuracy)"
			else if (wall[k] / 1e9 <= p[2]) v = verdict(1)
			else if (cpu[k] / 2e9 <= p[2]) v = "**met in CPU time** (CPU ÷ 2 cores ≤ " p[2] " s; wall not shown at this load)"
			else v = verdict(0)
			printf "| eval sample:%s, 10,000 MNIST test images, ≤ %d s on 2 cores, accuracy as in samples/info.json | %.2f s wall at load %.1f, %.2f s CPU; accuracy %s (info.json %s) | %s |\n", p[1], p[2], wall[k] / 1e9, evload[k], cpu[k] / 1e9, acc, want < 0 ? "?" : want, v
		}
		k = evalrow("mnist_cnn", "sample:mnist-test")
		for (kk in maxrss) if (kk ~ /mnist-test-1000/) k1 = kk
		if ((k in maxrss) && k1 != "") {
			big = 0
			for (kk in maxrss) if (maxrss[kk] > big) big = maxrss[kk]
			# Peak RSS of a Go process depends on when the collector runs, which
			# the load shifts: independence compares the smallest peaks.
			flat = minrss[k] <= 1.2 * minrss[k1]
			printf "| eval peak RSS ≤ 100 MB for MNIST and independent of the number of inputs | max %.1f MiB; mnist_cnn smallest peak %.1f MiB at 1,000 inputs, %.1f MiB at 10,000 | %s |\n", big / 1024, minrss[k1] / 1024, minrss[k] / 1024, big <= 100 * 1024 && flat ? verdict(1) : (big <= 100 * 1024 ? "≤ 100 MB **met**; independence **not met**" : verdict(0))
		}
		invokerows("id_model_int8 kws_dscnn_int8 ic_resnet_cifar10_int8", "xnnpack", "stretch: %s within 4× of TFLite+XNNPACK wasm", "%.1f×", 4)
		print ""
	}
	# load average: min / median / max of the 1-minute figure at each measurement
	n = nl
	for (i = 2; i <= n; i++) { v = loads[i]; for (j = i - 1; j >= 1 && loads[j] > v; j--) loads[j + 1] = loads[j]; loads[j + 1] = v }
	printf "Load average (1 min) during the measurements: min %.1f, median %.1f, max %.1f (%d samples).\n\n", loads[1], loads[int((n + 1) / 2)], loads[n], n

	for (pass = 1; pass <= 2; pass++) {
		if (pass == 1) print "Invoke, process CPU time per invoke (ms, min over rounds):\n"
		else print "\nInvoke, wall clock per invoke (ms, min over rounds; inflated by the load):\n"
		print "| Model | M MAC | tflq-trace | G MAC/s | TFLite-Micro ref | tflq-trace / TFLM | TFLite+XNNPACK wasm | tflq-trace / XNNPACK |"
		print "|---|---:|---:|---:|---:|---:|---:|---:|"
		for (i = 1; i <= nm; i++) {
			m = order[i]
			if (!has("tflq", m)) continue
			t = pass == 1 ? cpu["tflq" SUBSEP m] : wall["tflq" SUBSEP m]
			r = has("tflm", m) ? (pass == 1 ? cpu["tflm" SUBSEP m] : wall["tflm" SUBSEP m]) : ""
			x = has("xnnpack", m) ? (pass == 1 ? cpu["xnnpack" SUBSEP m] : wall["xnnpack" SUBSEP m]) : ""
			printf "| %s | %.2f | %s | %.2f | %s | %s | %s | %s |\n", m, mmac[m], ms(t), mmac[m] * 1e6 / t, \
				r == "" ? "–" : ms(r), r == "" ? "–" : ratio(t, r), x == "" ? "–" : ms(x), x == "" ? "–" : ratio(t, x)
		}
	}

	hdr = 0
	for (i = 1; i <= nm; i++) {
		m = order[i]
		if (!has("proc-tflq", m)) continue
		if (!hdr++) {
			print "\nWhole process (load model + inputs, one invoke, write files), per process (ms, min over rounds; CPU = user + system):\n"
			print "| Model | tflq-trace run --dump: CPU / wall | TFLM dump (graph outputs): CPU / wall | ratio CPU / wall | TFLM dump --all (every tensor): CPU / wall | ratio CPU / wall |"
			print "|---|---:|---:|---:|---:|---:|"
		}
		tc = cpu["proc-tflq" SUBSEP m]; tw = wall["proc-tflq" SUBSEP m]
		line = sprintf("| %s | %s / %s", m, ms(tc), ms(tw))
		split("proc-tflm proc-tflm-all", ws, " ")
		for (j = 1; j <= 2; j++) {
			w = ws[j]
			if (has(w, m)) line = line sprintf(" | %s / %s | %s / %s", ms(cpu[w SUBSEP m]), ms(wall[w SUBSEP m]), ratio(tc, cpu[w SUBSEP m]), ratio(tw, wall[w SUBSEP m]))
			else line = line " | – | –"
		}
		print line " |"
	}

	hdr = 0
	for (i = 1; i <= nm; i++) {
		m = order[i]
		if (!(m in evals)) continue
		if (!hdr++) {
			print "\nEval (`tflq-trace eval ...`, 2 workers; times: min over runs; peak RSS: smallest–largest over runs):\n"
			print "| tflq-trace eval | Inputs | Wall (s) | CPU (s) | Peak RSS (MiB) | Accuracy |"
			print "|---|---:|---:|---:|---:|---:|"
		}
		k = "eval" SUBSEP m
		printf "| `%s` | %s | %.2f | %.2f | %.1f–%.1f | %s |\n", m, kv(extra[k], "inputs"), wall[k] / 1e9, cpu[k] / 1e9, minrss[k] / 1024, maxrss[k] / 1024, kv(extra[k], "accuracy")
	}
}' "$1" "$info"
