// tflm_bench: times TFLite-Micro's reference kernels on a .tflite model, for
// docs/performance.md. Written for tflq-trace against TFLM's public API
// (MicroInterpreter, MicroMutableOpResolver); built by build.sh.
//
//   tflm_bench bench MODEL [--input FILE]... [--n N] [--reps R] [--arena BYTES]
//     loads MODEL once, sets the inputs, runs one warm-up Invoke, then R
//     repetitions of N Invokes; prints ns per invoke, wall clock (steady_clock)
//     and process CPU time (CLOCK_PROCESS_CPUTIME_ID), each the min and the
//     median over the repetitions of (repetition's time / N).
//   tflm_bench dump MODEL [--input FILE]... --out DIR [--all] [--arena BYTES]
//     one whole process: read MODEL and inputs, allocate, one Invoke, write
//     each graph output to DIR/t<tensor index>.bin (raw bytes, the name the
//     conformance goldens use) — the counterpart of `tflq-trace run --dump`.
//     --all keeps every tensor (the interpreter's preserve_all_tensors) and
//     writes every non-constant one, as `tflq-trace run --dump` does.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <time.h>

#include "tensorflow/lite/micro/memory_helpers.h"
#include "tensorflow/lite/micro/micro_interpreter.h"
#include "tensorflow/lite/micro/micro_mutable_op_resolver.h"
#include "tensorflow/lite/schema/schema_generated.h"

namespace {

constexpr int kMaxOps = 48;
using Resolver = tflite::MicroMutableOpResolver<kMaxOps>;

bool ReadFile(const std::string& path, std::vector<uint8_t>* out) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  uint8_t buf[1 << 16];
  size_t n;
  out->clear();
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) {
    out->insert(out->end(), buf, buf + n);
  }
  bool ok = std::ferror(f) == 0;
  std::fclose(f);
  return ok;
}

bool WriteFile(const std::string& path, const void* data, size_t size) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

bool WriteTensor(const std::string& dir, int index, const void* data, size_t size) {
  std::string path = dir + "/t" + std::to_string(index) + ".bin";
  if (WriteFile(path, data, size)) return true;
  std::fprintf(stderr, "tflm_bench: cannot write %s\n", path.c_str());
  return false;
}

// IsConstant: the tensor's data is in the model (a non-empty buffer).
bool IsConstant(const tflite::Model* model, const tflite::Tensor* t) {
  const auto* buffers = model->buffers();
  if (buffers == nullptr || t->buffer() >= buffers->size()) return false;
  const tflite::Buffer* b = buffers->Get(t->buffer());
  return (b->data() != nullptr && b->data()->size() > 0) || b->offset() > 1;
}

// Every operator the benchmarked models (and the MNIST samples) use, plus the
// common elementwise ones, all with TFLM's default (reference) registrations.
bool AddOps(Resolver* r) {
  const TfLiteStatus results[] = {
      r->AddAdd(),          r->AddAveragePool2D(),     r->AddConcatenation(),
      r->AddConv2D(),       r->AddDepthwiseConv2D(),   r->AddDequantize(),
      r->AddExpandDims(),   r->AddFullyConnected(),    r->AddHardSwish(),
      r->AddLeakyRelu(),    r->AddLogistic(),          r->AddMaxPool2D(),
      r->AddMean(),         r->AddMul(),               r->AddPad(),
      r->AddPadV2(),        r->AddQuantize(),          r->AddRelu(),
      r->AddRelu6(),        r->AddReshape(),           r->AddResizeNearestNeighbor(),
      r->AddResizeBilinear(), r->AddSoftmax(),         r->AddSqueeze(),
      r->AddStridedSlice(), r->AddSub(),               r->AddTanh(),
      r->AddTranspose(),    r->AddShape(),             r->AddPack(),
      r->AddUnpack(),       r->AddSplit(),             r->AddSplitV(),
      r->AddSlice(),        r->AddMinimum(),           r->AddMaximum(),
      r->AddGather(),       r->AddBatchMatMul(),       r->AddDetectionPostprocess(),
  };
  for (TfLiteStatus s : results) {
    if (s != kTfLiteOk) return false;
  }
  return true;
}

struct Args {
  std::string mode, model, out;
  std::vector<std::string> inputs;
  bool all = false;
  long n = 20, reps = 7;
  size_t arena = 32u << 20;
};

int Usage() {
  std::fprintf(stderr,
               "usage: tflm_bench bench MODEL [--input FILE]... [--n N] [--reps R] [--arena BYTES]\n"
               "       tflm_bench dump MODEL [--input FILE]... --out DIR [--all] [--arena BYTES]\n");
  return 2;
}

bool ParseArgs(int argc, char** argv, Args* a) {
  if (argc < 3) return false;
  a->mode = argv[1];
  a->model = argv[2];
  if (a->mode != "bench" && a->mode != "dump") return false;
  for (int i = 3; i < argc; i++) {
    std::string flag = argv[i];
    if (flag == "--all") {
      a->all = true;
      continue;
    }
    if (i + 1 >= argc) return false;
    const char* v = argv[++i];
    if (flag == "--input") {
      a->inputs.push_back(v);
    } else if (flag == "--n") {
      a->n = std::atol(v);
    } else if (flag == "--reps") {
      a->reps = std::atol(v);
    } else if (flag == "--arena") {
      a->arena = static_cast<size_t>(std::atoll(v));
    } else if (flag == "--out") {
      a->out = v;
    } else {
      return false;
    }
  }
  if (a->n < 1 || a->reps < 1) return false;
  return a->mode == "bench" || !a->out.empty();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// CPU time of the whole process (all threads): on a loaded machine it counts
// only the time this process ran, not the time it waited for a core.
int64_t CpuNs() {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!ParseArgs(argc, argv, &args)) return Usage();

  std::vector<uint8_t> model_bytes;
  if (!ReadFile(args.model, &model_bytes)) {
    std::fprintf(stderr, "tflm_bench: cannot read %s\n", args.model.c_str());
    return 1;
  }
  // flatbuffers wants the buffer aligned; std::vector's allocation is (16 bytes).
  const tflite::Model* model = tflite::GetModel(model_bytes.data());

  static Resolver resolver;
  if (!AddOps(&resolver)) {
    std::fprintf(stderr, "tflm_bench: op resolver full\n");
    return 1;
  }
  std::unique_ptr<uint8_t[]> arena(new uint8_t[args.arena + 16]);
  uint8_t* aligned = reinterpret_cast<uint8_t*>(
      (reinterpret_cast<uintptr_t>(arena.get()) + 15) & ~uintptr_t{15});
  tflite::MicroInterpreter interpreter(model, resolver, aligned, args.arena,
                                       /*resource_variables=*/nullptr, /*profiler=*/nullptr,
                                       /*preserve_all_tensors=*/args.all);
  if (interpreter.AllocateTensors() != kTfLiteOk) {
    std::fprintf(stderr, "tflm_bench: AllocateTensors failed (arena %zu bytes)\n", args.arena);
    return 1;
  }
  if (args.inputs.size() > interpreter.inputs_size()) {
    std::fprintf(stderr, "tflm_bench: %zu inputs given, the model has %zu\n",
                 args.inputs.size(), interpreter.inputs_size());
    return 1;
  }
  std::vector<uint8_t> buf;
  for (size_t i = 0; i < args.inputs.size(); i++) {
    TfLiteTensor* t = interpreter.input(i);
    if (!ReadFile(args.inputs[i], &buf) || buf.size() != t->bytes) {
      std::fprintf(stderr, "tflm_bench: input %zu (%s): want %zu bytes, got %zu\n", i,
                   args.inputs[i].c_str(), t->bytes, buf.size());
      return 1;
    }
    std::memcpy(t->data.raw, buf.data(), buf.size());
  }

  if (args.mode == "dump") {
    if (interpreter.Invoke() != kTfLiteOk) {
      std::fprintf(stderr, "tflm_bench: Invoke failed\n");
      return 1;
    }
    if (args.all) {
      const auto* tensors = model->subgraphs()->Get(0)->tensors();
      for (int i = 0; i < static_cast<int>(tensors->size()); i++) {
        if (IsConstant(model, tensors->Get(i))) continue;
        const TfLiteEvalTensor* t = interpreter.GetTensor(i);
        size_t bytes = 0;
        if (t == nullptr || t->data.raw == nullptr ||
            tflite::TfLiteEvalTensorByteLength(t, &bytes) != kTfLiteOk) {
          continue;  // a tensor no operator uses
        }
        if (!WriteTensor(args.out, i, t->data.raw, bytes)) return 1;
      }
      return 0;
    }
    for (size_t i = 0; i < interpreter.outputs_size(); i++) {
      const TfLiteTensor* t = interpreter.output(i);
      if (!WriteTensor(args.out, interpreter.outputs()[i], t->data.raw, t->bytes)) return 1;
    }
    return 0;
  }

  if (interpreter.Invoke() != kTfLiteOk) {  // warm-up
    std::fprintf(stderr, "tflm_bench: Invoke failed\n");
    return 1;
  }
  std::vector<double> wall, cpu;
  for (long r = 0; r < args.reps; r++) {
    int64_t t0 = NowNs(), c0 = CpuNs();
    for (long k = 0; k < args.n; k++) {
      if (interpreter.Invoke() != kTfLiteOk) {
        std::fprintf(stderr, "tflm_bench: Invoke failed\n");
        return 1;
      }
    }
    int64_t c1 = CpuNs(), t1 = NowNs();
    wall.push_back(static_cast<double>(t1 - t0) / args.n);
    cpu.push_back(static_cast<double>(c1 - c0) / args.n);
  }
  std::printf(
      "model=%s n=%ld reps=%ld arena_used=%zu min_ns=%.0f median_ns=%.0f cpu_min_ns=%.0f "
      "cpu_median_ns=%.0f\n",
      args.model.c_str(), args.n, args.reps, interpreter.arena_used_bytes(),
      *std::min_element(wall.begin(), wall.end()), Median(wall),
      *std::min_element(cpu.begin(), cpu.end()), Median(cpu));
  return 0;
}
