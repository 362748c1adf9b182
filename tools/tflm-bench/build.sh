#!/usr/bin/env bash
# Builds TFLite-Micro's reference-kernel library with its own Makefile (default
# BUILD_TYPE, host target) and links tflm_bench.cc against it.
#
#   tools/tflm-bench/build.sh TFLM_SRC [OUT_DIR]
#
# TFLM_SRC: a tflite-micro source tree (a checkout or `git archive` of
#   github.com/tensorflow/tflite-micro). OUT_DIR (default TFLM_SRC/gen/tflq-bench)
#   receives the tflm_bench binary.
#
# The Makefile downloads flatbuffers, gemmlowp, ruy and kissfft into
# TFLM_SRC/tensorflow/lite/micro/tools/make/downloads unless they are there. On a
# machine without network access, point these variables at local git clones
# (bare or not) and the script unpacks the exact versions the Makefile pins
# (third_party_downloads.inc) and applies TFLM's patches, as the download
# script would:
#   FLATBUFFERS_GIT GEMMLOWP_GIT RUY_GIT KISSFFT_GIT
# Pigweed (used only by TFLM's tests) is replaced by an empty directory when
# PIGWEED_SKIP=1 (the Makefile otherwise git-clones it at parse time).
set -euo pipefail

src=$(cd "${1:?usage: build.sh TFLM_SRC [OUT_DIR]}" && pwd)
out=${2:-$src/gen/tflq-bench}
here=$(cd "$(dirname "$0")" && pwd)
mk=tensorflow/lite/micro/tools/make
dl=$src/$mk/downloads
mkdir -p "$dl" "$out"

# pinned_ref NAME: the commit or tag in NAME_URL of third_party_downloads.inc.
pinned_ref() {
	sed -n "s|^$1_URL *:\?= *\"\(.*\)\"|\1|p" "$src/$mk/third_party_downloads.inc" |
		sed -e 's|.*/archive/refs/tags/||' -e 's|.*/archive/||' -e 's|\.zip$||'
}

# unpack NAME DIR GITDIR [PATCH]: the download script's result, from a local clone.
unpack() {
	local name=$1 dir=$2 git=$3 patch=${4:-}
	[ -d "$dl/$dir" ] && return 0
	local ref
	ref=$(pinned_ref "$name")
	echo "unpacking $dir at $ref from $git" >&2
	mkdir -p "$dl/$dir"
	git -C "$git" archive "$ref" | tar -x -C "$dl/$dir"
	find "$dl/$dir" -type f -name '*BUILD' -delete
	if [ -n "$patch" ]; then patch -s -p1 -d "$dl/$dir" <"$src/$patch"; fi
}

patchpath() { sed -n "s|^$1_PATCH_PATH *:\?= *\"\(.*\)\"|\1|p" "$src/$mk/third_party_downloads.inc"; }

[ -n "${FLATBUFFERS_GIT:-}" ] && unpack FLATBUFFERS flatbuffers "$FLATBUFFERS_GIT" "$(patchpath FLATBUFFERS)"
[ -n "${GEMMLOWP_GIT:-}" ] && unpack GEMMLOWP gemmlowp "$GEMMLOWP_GIT"
[ -n "${RUY_GIT:-}" ] && unpack RUY ruy "$RUY_GIT"
[ -n "${KISSFFT_GIT:-}" ] && unpack KISSFFT kissfft "$KISSFFT_GIT" "$(patchpath KISSFFT)"
if [ "${PIGWEED_SKIP:-0}" = 1 ] && [ ! -d "$dl/pigweed" ]; then mkdir -p "$dl/pigweed"; fi

jobs=${JOBS:-$(nproc)}
cd "$src"
# The library exactly as TFLM's Makefile builds it by default (BUILD_TYPE
# default: kernels -O2, framework -Os, TF_LITE_STATIC_MEMORY, no NDEBUG).
make -s -f $mk/Makefile -j"$jobs" microlite >&2
lib=$(make -s -f $mk/Makefile list_gendir 2>/dev/null | tail -1)lib/libtensorflow-microlite.a
[ -f "$lib" ] || { echo "build.sh: no $lib" >&2; exit 1; }

# The harness: the Makefile's CXXFLAGS and include paths, -O2 like its kernels.
flags=(-std=c++17 -O2 -fno-rtti -fno-exceptions -fno-threadsafe-statics
	-DTF_LITE_STATIC_MEMORY -DTF_LITE_DISABLE_X86_NEON -DTF_LITE_USE_CTIME
	-DKERNELS_OPTIMIZED_FOR_SPEED
	-I. -I"$dl" -I"$dl/gemmlowp" -I"$dl/flatbuffers/include" -I"$dl/ruy")
g++ "${flags[@]}" "$here/tflm_bench.cc" "$lib" -lm -o "$out/tflm_bench"

# compile_flags FILE: the flags the Makefile compiles FILE with (dry run),
# without include paths and warnings.
compile_flags() {
	make -s -f $mk/Makefile -n -W "$1" microlite 2>/dev/null | grep -m1 -- " -c $1 " |
		tr ' ' '\n' | grep -v -e '^-I' -e '^-W' -e '^$' -e '^-o$' -e '^-c$' -e '\.cc$' -e '\.o$' | tr '\n' ' '
}
{
	echo "tflite-micro: $(git -C "$src" rev-parse HEAD 2>/dev/null || cat "$src/.tflm-commit" 2>/dev/null || echo unknown)"
	echo "library: $lib"
	echo "library kernel flags (kernels/conv.cc): $(compile_flags tensorflow/lite/micro/kernels/conv.cc)"
	echo "library framework flags (micro_interpreter.cc): $(compile_flags tensorflow/lite/micro/micro_interpreter.cc)"
	echo "g++: $(g++ --version | head -1)"
	echo "harness flags: $(printf '%s\n' "${flags[@]}" | grep -v '^-I' | tr '\n' ' ')(+ include paths)"
} >"$out/BUILD-INFO"
echo "$out/tflm_bench"
