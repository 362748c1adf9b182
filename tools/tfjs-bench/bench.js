// Times TFLite + XNNPACK as the npm package @tensorflow/tfjs-tflite runs it
// (tflite_web_api_cc_simd.wasm: the WebAssembly SIMD build, one thread), for
// docs/performance.md.
//
//   node bench.js MODEL.tflite [INPUT.bin ...] [--n N] [--reps R] [--warmup-ms MS] [--out DIR]
//
// Loads MODEL once, copies the raw input files into the input tensors, runs
// Infer for MS milliseconds of warm-up (default 1000), then R repetitions of
// N Infers, and prints ns per invoke, wall clock (process.hrtime) and process
// CPU time (process.cpuUsage, all threads), each the min and the median over
// the repetitions of (repetition's time / N).
// --out DIR writes graph output k to DIR/out<k>.bin after the runs.
'use strict';
const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const a = { n: 20, reps: 7, warmupMs: 1000, out: '', files: [] };
  for (let i = 0; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--n') a.n = Number(argv[++i]);
    else if (s === '--reps') a.reps = Number(argv[++i]);
    else if (s === '--warmup-ms') a.warmupMs = Number(argv[++i]);
    else if (s === '--out') a.out = argv[++i];
    else a.files.push(s);
  }
  if (a.files.length < 1 || !(a.n >= 1) || !(a.reps >= 1) || !(a.warmupMs >= 0)) {
    console.error('usage: node bench.js MODEL.tflite [INPUT.bin ...] [--n N] [--reps R] [--warmup-ms MS] [--out DIR]');
    process.exit(2);
  }
  return a;
}

function tensorBytes(t) {
  const v = t.data();
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const [modelPath, ...inputs] = args.files;
  const pkgDir = path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json'));
  const version = require(path.join(pkgDir, 'package.json')).version;
  const wasmDir = path.join(pkgDir, 'wasm') + path.sep;
  const factory = require(wasmDir + 'tflite_web_api_cc_simd.js');
  const M = await factory({
    wasmBinary: fs.readFileSync(wasmDir + 'tflite_web_api_cc_simd.wasm'),
    locateFile: (f) => wasmDir + f,
    print: () => {},
    printErr: () => {},
  });
  const bytes = new Uint8Array(fs.readFileSync(modelPath));
  const p = M._malloc(bytes.length);
  M.HEAPU8.set(bytes, p);
  const created = M.TFLiteWebModelRunner.CreateFromBufferAndOptions(p, bytes.length, {
    numThreads: 1, enableProfiling: false, maxProfilingBufferEntries: 1024,
  });
  if (!created.ok()) throw new Error('create failed: ' + created.errorMessage());
  const runner = created.value();
  const ins = runner.GetInputs();
  if (inputs.length > ins.size()) throw new Error(`${inputs.length} inputs given, the model has ${ins.size()}`);
  for (let i = 0; i < inputs.length; i++) {
    const dst = tensorBytes(ins.get(i));
    const src = fs.readFileSync(inputs[i]);
    if (src.length !== dst.length) throw new Error(`input ${i} (${inputs[i]}): want ${dst.length} bytes, got ${src.length}`);
    dst.set(src);
  }
  // Warm-up: V8 first runs WebAssembly with its baseline compiler (Liftoff)
  // and recompiles hot functions with TurboFan on a background thread, so
  // the first invokes are slower and their process CPU time includes the
  // compiler's. Infer until warmupMs have passed (at least once).
  const warmEnd = process.hrtime.bigint() + BigInt(Math.round(args.warmupMs * 1e6));
  do {
    if (!runner.Infer()) throw new Error('Infer failed');
  } while (process.hrtime.bigint() < warmEnd);
  const wall = [], cpu = [];
  for (let r = 0; r < args.reps; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    for (let k = 0; k < args.n; k++) {
      if (!runner.Infer()) throw new Error('Infer failed');
    }
    const c = process.cpuUsage(c0);
    wall.push(Number(process.hrtime.bigint() - t0) / args.n);
    cpu.push((c.user + c.system) * 1000 / args.n);
  }
  wall.sort((x, y) => x - y);
  cpu.sort((x, y) => x - y);
  if (args.out) {
    fs.mkdirSync(args.out, { recursive: true });
    const outs = runner.GetOutputs();
    for (let k = 0; k < outs.size(); k++) {
      fs.writeFileSync(path.join(args.out, `out${k}.bin`), Buffer.from(tensorBytes(outs.get(k))));
    }
  }
  const f = (x) => x.toFixed(0);
  console.log(`model=${modelPath} tfjs-tflite=${version} build=simd threads=1 n=${args.n} reps=${args.reps} ` +
    `min_ns=${f(wall[0])} median_ns=${f(wall[wall.length >> 1])} ` +
    `cpu_min_ns=${f(cpu[0])} cpu_median_ns=${f(cpu[cpu.length >> 1])}`);
}

main().catch((e) => { console.error('bench.js: ' + (e && e.message ? e.message : e)); process.exit(1); });
