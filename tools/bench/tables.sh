#!/usr/bin/env bash
# Turns tools/bench/run.sh's raw.tsv into the markdown tables of
# docs/performance.md: per implementation and model, the minimum over the
# rounds (CPU time and wall clock separately), the ratios, the load average.
#   tools/bench/tables.sh RAW.tsv
set -euo pipefail
awk -F'\t' '
NR == 1 { next }
{
	k = $2 SUBSEP $3
	if (!(k in cpu) || $5 + 0 < cpu[k]) cpu[k] = $5 + 0
	if (!(k in wall) || $4 + 0 < wall[k]) wall[k] = $4 + 0
	if (!($3 in seen)) { seen[$3] = 1; order[++nm] = $3 }
	if ($7 ~ /^mmac=/) mmac[$3] = substr($7, 6)
	if ($2 == "eval") {
		extra[k] = $7; evals[$3] = 1
		if (kv($7, "rss_kb") + 0 > maxrss[k]) maxrss[k] = kv($7, "rss_kb") + 0
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
END {
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
			print "\nEval (`tflq-trace eval ...`, 2 workers; times: min over runs, RSS: max over runs):\n"
			print "| tflq-trace eval | Inputs | Wall (s) | CPU (s) | Peak RSS (MB) | Accuracy |"
			print "|---|---:|---:|---:|---:|---:|"
		}
		k = "eval" SUBSEP m
		printf "| `%s` | %s | %.2f | %.2f | %.1f | %s |\n", m, kv(extra[k], "inputs"), wall[k] / 1e9, cpu[k] / 1e9, maxrss[k] / 1024, kv(extra[k], "accuracy")
	}
}' "$1"
