package trace

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/tflq/tflq-trace/tflite"
)

// The memory plan: before an interpreter allocates anything it adds up
// what the run will hold — every tensor, the aligned copies of the
// constants, the float shadow (a float32 per element of every tensor) and
// the data-movement kernels' index tables — and refuses a model above the
// limit. A hostile 2.6 KB file that declares twenty 1 GiB tensors is
// refused in microseconds instead of filling the machine. Explaining an
// element adds little beyond the plan: a chain keeps at most
// kernels.MaxRecorded terms and sources (3 MiB), however many inputs the
// element was computed from.

// ErrMemoryLimit reports a model whose run would need more memory than the
// limit (Options.MaxMemory).
var ErrMemoryLimit = errors.New("memory limit exceeded")

// MemoryPlan is what a run of a model will allocate, in bytes.
type MemoryPlan struct {
	// Tensors is every non-constant tensor's buffer.
	Tensors int64 `json:"tensors"`
	// Constants is the aligned copies of the constant tensors.
	Constants int64 `json:"constants"`
	// Shadow is the float reference of every tensor (explain, trace, ui and
	// eval compute it).
	Shadow int64 `json:"float_shadow"`
	// LocalShadow is what the trace export's local references add (not in
	// Total): for every non-constant tensor 4 bytes per element for its
	// local reference and 4 for the dequantized values the pass starts from.
	LocalShadow int64 `json:"local_shadow"`
	// Tables is the data-movement kernels' index tables (5 bytes per output
	// element).
	Tables int64 `json:"index_tables"`
	Total  int64 `json:"total"`
	// PerOp is the bytes of each operator's outputs (activations, shadow
	// and table), in operator order.
	PerOp []int64 `json:"per_op"`
	// Largest lists the largest tensors, largest first (at most 5).
	Largest []PlannedTensor `json:"largest"`
}

// PlannedTensor is one tensor of a memory plan.
type PlannedTensor struct {
	Index int     `json:"index"`
	Name  string  `json:"name"`
	Shape []int32 `json:"shape"`
	Bytes int64   `json:"bytes"`
}

// movingOps are the operators whose kernels keep an index table per output
// element (kernels/movetable.go).
var movingOps = map[tflite.BuiltinOperator]bool{
	tflite.OpTranspose: true, tflite.OpStridedSlice: true, tflite.OpSlice: true, tflite.OpSplit: true, tflite.OpSplitV: true,
	tflite.OpPack: true, tflite.OpUnpack: true, tflite.OpGather: true, tflite.OpGatherNd: true, tflite.OpSpaceToDepth: true,
	tflite.OpDepthToSpace: true, tflite.OpBatchToSpaceNd: true, tflite.OpSpaceToBatchNd: true, tflite.OpMirrorPad: true,
	tflite.OpReverseV2: true, tflite.OpBroadcastTo: true, tflite.OpFill: true, tflite.OpZerosLike: true,
	tflite.OpDynamicUpdateSlice: true, tflite.OpEmbeddingLookup: true, tflite.OpSelectV2: true,
}

// PlanMemory adds up what running subgraph 0 of m allocates, from the model
// alone (nothing is allocated). The reader guarantees each tensor is below
// tflite.MaxTensorBytes, so the sums cannot overflow.
func PlanMemory(m *tflite.Model) MemoryPlan {
	var p MemoryPlan
	if len(m.SubGraphs) == 0 {
		return p
	}
	g := &m.SubGraphs[0]
	elements := make([]int64, len(g.Tensors))
	var all []PlannedTensor
	for i := range g.Tensors {
		t := &g.Tensors[i]
		n := int64(1)
		for _, d := range t.Shape {
			n *= int64(max(d, 0))
		}
		elements[i] = n
		bytes := n * int64(t.Type.Size())
		if data := m.BufferData(*t); len(data) > 0 {
			p.Constants += int64(len(data))
			bytes = int64(len(data))
		} else {
			p.Tensors += bytes
			p.LocalShadow += 8 * n // local reference, dequantized values
		}
		p.Shadow += 4 * n
		all = append(all, PlannedTensor{Index: i, Name: t.Name, Shape: t.Shape, Bytes: bytes})
	}
	for _, op := range g.Operators {
		var b int64
		moves := movingOps[m.OpCode(op)]
		for _, o := range op.Outputs {
			if o < 0 || int(o) >= len(g.Tensors) {
				continue
			}
			n := elements[o]
			b += n*int64(g.Tensors[o].Type.Size()) + 4*n
			if moves {
				b += 5 * n
				p.Tables += 5 * n
			}
		}
		p.PerOp = append(p.PerOp, b)
	}
	p.Total = p.Tensors + p.Constants + p.Shadow + p.Tables
	sort.SliceStable(all, func(a, b int) bool { return all[a].Bytes > all[b].Bytes })
	p.Largest = all[:min(5, len(all))]
	return p
}

// withLocal is the plan of a shadow run with its local references: they
// count in Shadow and Total.
func (p MemoryPlan) withLocal() MemoryPlan {
	p.Shadow += p.LocalShadow
	p.Total += p.LocalShadow
	return p
}

// check refuses a plan above limit, naming the total, the limit and the
// largest tensors; the float shadow counts only when withShadow (New checks
// without it, RunShadow with it, each before allocating).
func (p MemoryPlan) check(limit int64, withShadow bool) error {
	total := p.Total
	if !withShadow {
		total -= p.Shadow
	}
	if limit <= 0 || total <= limit {
		return nil
	}
	var big []string
	for _, t := range p.Largest[:min(3, len(p.Largest))] {
		big = append(big, fmt.Sprintf("t%d %q %s %s", t.Index, t.Name, strings.ReplaceAll(fmt.Sprint(t.Shape), " ", ","), FormatBytes(t.Bytes)))
	}
	shadow := "not needed"
	if withShadow {
		shadow = FormatBytes(p.Shadow)
	}
	return fmt.Errorf("%w: running this model needs %s (tensors %s, constants %s, index tables %s, float shadow %s), above the limit of %s; largest: %s (raise the limit with --max-memory SIZE)",
		ErrMemoryLimit, FormatBytes(total), FormatBytes(p.Tensors), FormatBytes(p.Constants), FormatBytes(p.Tables), shadow,
		FormatBytes(limit), strings.Join(big, ", "))
}

// memoryLimit is the limit an interpreter's options set.
func (o Options) memoryLimit() int64 {
	if o.MaxMemory == 0 {
		return DefaultMemoryLimit()
	}
	return o.MaxMemory
}

// DefaultMemoryLimit is the smaller of 4 GiB and half the machine's
// physical memory (when it can be read).
func DefaultMemoryLimit() int64 {
	limit := int64(4 << 30)
	if phys := physicalMemory(); phys > 0 {
		limit = min(limit, phys/2)
	}
	return limit
}

// physicalMemory reads MemTotal from /proc/meminfo (0 when unknown).
func physicalMemory() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// FormatBytes writes a byte count in B, KiB, MiB or GiB.
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// ParseBytes reads a size such as 512MiB, 8GiB, 1.5G, 4096 (bytes).
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := float64(1)
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if rest, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || !(v > 0) || v*mult > 1<<62 {
		return 0, fmt.Errorf("%q is not a size (e.g. 512MiB, 8GiB)", s)
	}
	return int64(v * mult), nil
}
