// SPDX-License-Identifier: MIT
// Interface of every compute unit (systolic array, tensor cores, vector unit, ...) and the task
// vocabulary the mapper speaks to it. arch never sees the op graph: sim/driver lowers ops to tasks.
#pragma once

#include <cstdint>
#include <vector>

#include "arch/component.h"
#include "sim/dtype.h"
#include "sim/weight_format.h"

namespace xpusim::arch {

/// Which operand stays in the processing elements (SCALE-Sim's os / ws / is).
enum class Dataflow { kOutputStationary, kWeightStationary, kInputStationary };
constexpr const char* to_string(Dataflow d) {
  switch (d) {
    case Dataflow::kOutputStationary: return "os";
    case Dataflow::kWeightStationary: return "ws";
    case Dataflow::kInputStationary: return "is";
  }
  return "?";
}

enum class TaskClass {
  kMatrix,  // C[m x n] += A[m x k] * B[k x n]
  kVector,  // `elements` independent element operations, `ops_per_element` each
};

struct ComputeTask {
  TaskClass cls = TaskClass::kMatrix;
  DataType dtype = DataType::kBf16;
  // kMatrix
  std::int64_t m = 0, n = 0, k = 0;
  /// Independent GEMMs of this shape in one task (a batched GEMM: attention heads); their folds
  /// share the unit's arrays.
  std::int64_t batch = 1;
  Dataflow dataflow = Dataflow::kOutputStationary;
  /// Charge the pipeline fill/drain of the tile. A mapper that streams one tile's temporal dimension
  /// in several chunks sets it on exactly one chunk, so the chunks add up to the whole tile. A vector
  /// task without it skips the unit's pipeline latency (weight dequantization inside a GEMM kernel).
  bool fill_drain = true;
  /// The first task of an op: units with a per-op start cost (a GPU kernel launch) pay it here.
  bool starts_op = false;
  /// On a spatial unit (spatial_parts() > 0) running layers side by side: the region (index) of the
  /// op's layer and the parts (banks, cores) it holds. Tasks of different regions overlap in time.
  /// -1 / 0: the whole unit.
  std::int32_t region = -1;
  std::int64_t parts = 0;
  /// kMatrix: how B (the weight) is stored. A unit that can skip the zeros of this pattern
  /// (skips_zeros) does density x the MACs; others multiply the zeros too. Activations are dense.
  Sparsity sparsity = Sparsity::kDense;
  double density = 1.0;
  /// kUnstructured: seed of this task's survivor draw (which PE blocks keep how many values).
  std::uint64_t sparse_seed = 0;
  /// Bits per element of B as it reaches the unit's operand buffers (narrow weights, sparsity
  /// metadata); 0 = bits(dtype). Units that stream operands through a bandwidth limit use it.
  double b_bits = 0;
  // kVector
  std::int64_t elements = 0;
  double ops_per_element = 1.0;
  /// Of ops_per_element, the transcendental ones (exp, tanh, reciprocal). A unit with special-function
  /// units beside its lanes (a GPU's MUFU) issues them there; every other unit counts them as lane ops.
  double special_per_element = 0;
  /// A weight decode pass inside a matrix op's kernel (the mapper's decode_task). A unit whose vector
  /// pipe is separate from its MACs (a GPU's CUDA cores beside its tensor cores) runs it beside the
  /// MACs of the previous tile, as software-pipelined mixed-precision kernels do (Marlin).
  bool weight_decode = false;
  /// A fused element-wise epilogue on a finished C block of a matrix op's kernel; a unit with a
  /// separate vector pipe runs it beside the MACs of the next block, as weight_decode.
  bool epilogue = false;

  bool operator==(const ComputeTask&) const = default;
};

/// What set the pace of a task: the unit's arithmetic, its own local store (a GPU SM's shared
/// memory), or the operand buffers it streams from (ComputeUnit's buffers: a GPU's L2).
enum class Feed { kCompute, kLocalStore, kBuffers };

/// Cost of a task on an idle unit.
struct TaskCost {
  Cycles cycles;
  Time time;
  Energy energy;
  Flops flops;
  Feed feed = Feed::kCompute;
};

/// Shape facts a mapper needs to tile for a unit.
struct MatrixGeometry {
  std::int64_t rows = 0, cols = 0;      // PE array (0,0 for units that are not arrays)
  std::int64_t arrays = 1;              // identical arrays that share one tile's folds
  std::vector<Dataflow> dataflows;      // supported, in order of preference
  /// Rows of A that share one dequantized copy of a weight block: a GPU CTA dequantizes the weight
  /// tile it loads for its own M rows, so a tile is converted once per CTA row (0: once per tile).
  std::int64_t dequant_m = 0;
  /// Tiles of a row (or column) of the output grid that receive one buffer read of the operand they
  /// have in common: the CTAs of a thread-block cluster fed by TMA multicast. 1 = each reads its own.
  std::int64_t operand_sharing = 1;
};

class ComputeModel : public Component {
 public:
  using Component::Component;
  virtual bool supports(TaskClass cls, DataType dtype) const = 0;
  /// Side-effect free; lets the mapper compare tilings and dataflows.
  virtual TaskCost estimate(const ComputeTask& task) const = 0;
  /// Runs `task` issued at `now`, after any task already accepted (FCFS).
  virtual Completion execute(const ComputeTask& task, Time now) = 0;
  /// Roofline ceiling for `cls` in `dtype`.
  virtual FlopRate peak_rate(TaskClass cls, DataType dtype) const = 0;
  virtual MatrixGeometry geometry() const { return {}; }
  /// Identical parts (banks, cores) that a spatial unit deals out to layers running side by side,
  /// each on a region of its own with its weights resident there (layer pipelining); 0 for a unit
  /// that runs one op at a time on all of itself.
  virtual std::int64_t spatial_parts() const { return 0; }
  /// True when weight decode passes and epilogues (ComputeTask::weight_decode, ::epilogue) run on a
  /// pipe of their own beside the MACs, as a GPU's CUDA cores run beside its tensor cores.
  virtual bool side_pipe() const { return false; }
  /// True when a fused attention kernel overlaps each tile's softmax with the GEMMs of another tile
  /// (FlashAttention-3's ping-pong of two warpgroups): steady-state tiles cost the slower of the two.
  virtual bool overlaps_softmax() const { return false; }
  /// True when the MAC datapath takes weights stored as `weight` directly into `compute`-dtype
  /// MACs. Otherwise the mapper adds a dequantization pass on a vector path. Equal types are native.
  virtual bool native_weight(DataType weight, DataType compute) const { return weight == compute; }
  /// True when the unit skips the zero weights of `s` (2:4 sparse tensor cores, a zero-skipping
  /// array); otherwise a sparse weight is expanded to dense before the MACs.
  virtual bool skips_zeros(Sparsity s) const { return s == Sparsity::kDense; }
  /// An op's cycle count as this unit's reference tool reports it, given the cycles the unit was
  /// busy with the op. Most units report the busy cycles themselves; a model that reproduces another
  /// simulator's numbers (SCALE-Sim's 0-based last-cycle index) overrides it. Reporting only.
  virtual std::int64_t reported_cycles(Cycles busy) const { return busy.count(); }
};

}  // namespace xpusim::arch
