// SPDX-License-Identifier: MIT
// The mapper decides *what* an op moves and computes on a chip: which unit runs it, which dataflow,
// how it is tiled to fit the unit's buffers (half of each, for double buffering), and in which loop
// order, so that off-chip traffic is least. It never decides how long anything takes.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "arch/chip.h"
#include "workloads/op.h"

namespace xpusim::driver {

/// Off-chip traffic and on-chip buffer traffic of one tile, in bytes, plus its compute task.
struct TileStep {
  Bytes load_a, load_b, load_c;  // main memory -> buffers (load_c: partial sums read back)
  Bytes store_c;                 // buffers -> main memory
  Bytes buffer_read_a, buffer_read_b, buffer_write_c;  // operand traffic between buffers and the unit
  arch::ComputeTask task;
  /// Weight dequantization (or sparse expansion) before `task`, on OpPlan::decode_unit: a kVector
  /// task, empty (elements 0) when the unit takes the weights as stored.
  arch::ComputeTask decode;
  /// Fused attention only: the softmax of the scores `task` computed (on OpPlan::epilogue_unit), then
  /// P x V (on the op's unit; m = 0 when absent).
  arch::ComputeTask softmax, pv;
  /// A fused kernel's element-wise epilogue on a finished C block (on OpPlan::epilogue_unit; elements
  /// 0 when none), and what it reads from main memory for it (a residual) beside the tile's loads.
  arch::ComputeTask epilogue;
  Bytes load_extra;
};

/// A GEMM (or im2col conv) tiled as a loop nest over blocks of M, N and K.
struct MatrixTiling {
  arch::Dataflow dataflow = arch::Dataflow::kOutputStationary;
  std::int64_t instances = 1;  // independent GEMMs run back to back (attention heads x batch)
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t tile_m = 0, tile_n = 0, tile_k = 0;
  std::int64_t tile_instances = 1;  // instances per tile: > 1 only when an instance fits a tile whole
  std::array<char, 3> order{'m', 'n', 'k'};  // outermost first
  int in_bits = 16, out_bits = 16;
  double b_bits = 16;  // per element of B as stored: a weight's own dtype (FP4) plus sparsity metadata
  /// Implicit-GEMM convolution: bytes of the activation tensor a block of tile_m output rows reads,
  /// per element of its im2col block (the halo included); 1 for a GEMM or an im2col convolution.
  double a_scale = 1;
  /// Fused epilogue, per element of a finished C block: element ops, elements read from outside and
  /// elements stored (FusedWork); a partial sum spilled before the last K block is stored whole.
  double epilogue_ops = 0, extra_in = 0, out_ratio = 1;
  double epilogue_special = 0;  // of epilogue_ops, transcendental
};

/// A fused attention kernel tiled for a unit: per group of instances, a Q block of tile_m rows stays
/// on chip while K and V stream by in blocks of tile_ctx keys (online softmax), and O is stored once.
/// When one block holds the whole context, K and V stay for every Q block of the instance.
struct AttentionTiling {
  wl::AttentionShape shape;  // the kernel's: instances (batch), rows, context, head size, causal mask
  std::int64_t tile_m = 0, tile_ctx = 0, tile_instances = 1;
  int bits = 16;     // Q and O
  int kv_bits = 16;  // K and V as the cache stores them (OpNode::kv_dtype)
  double softmax_ops = 5;  // per score
  double softmax_special = 0;  // of those, transcendental (the exp)
  /// The whole context's K and V of a group of instances fit the buffers beside a Q block: each K/V
  /// block is read from main memory by the first Q block that needs it, and later Q blocks find it
  /// there (a GPU's L2 serves the CTAs of one head), whatever the block size.
  bool kv_resident = false;
};

struct VectorTiling {
  std::int64_t elements = 0, tile_elements = 0;
  double in_bytes_per_element = 0, out_bytes_per_element = 0;
  double ops_per_element = 1;
  double special_per_element = 0;  // of those, transcendental
};

/// Element ops per weight element a vector path spends to dequantize it: one conversion and one
/// scale multiply-add. ASSUMPTION, after Marlin (Frantar et al., arXiv:2408.11743, §3: INT4 -> FP16 by
/// bit operations, then one FMA with the group scale), counted per element, not per packed pair.
inline constexpr double kDequantOpsPerWeight = 2.0;
/// Element ops per weight element to expand a sparse format the unit cannot skip into a dense tile:
/// one scatter (index decode and store). ASSUMPTION.
inline constexpr double kExpandOpsPerWeight = 1.0;

/// The weight operand of a matrix op: its stored format, and the decode work the unit needs first.
struct WeightPlan {
  WeightFormat format;  // sparsity and codec as stored
  /// A vector pass converts the weights before the MACs: the unit does not take weight_type natively
  /// (weight-only quantization: int4 weights, bf16 MACs), or cannot skip the zeros of the sparsity.
  bool decode = false;
  std::size_t decode_unit = 0;     // runs the pass: the matrix unit itself if it has a vector path
  double decode_ops_per_weight = 0;  // element ops per weight element converted
  std::int64_t decode_m = 0;       // rows of A per conversion of a weight block (0: once per tile)
};

struct OpPlan {
  std::size_t unit = 0;  // index into Chip::compute_units()
  bool matrix = true;
  bool attention = false;  // a fused attention kernel: `att` instead of `mat`
  MatrixTiling mat;
  AttentionTiling att;
  /// Runs fused element-wise work (an epilogue, attention's softmax): the op's unit when it has a
  /// vector path, else the chip's first vector unit for the dtype.
  std::size_t epilogue_unit = 0;
  /// A grouped MoE GEMM: one plan per distinct expert row count (FusedWork::expert_rows), their tiles
  /// run back to back in one kernel; empty for any other op.
  std::vector<OpPlan> groups;
  VectorTiling vec;
  WeightPlan weights;
  DataType dtype = DataType::kBf16;
  Bytes offchip_bytes;  // total main-memory traffic the tiles will issue
  std::int64_t tiles = 0;
};

/// The unit that runs vector work for matrix unit `unit_index` in `dtype`: the unit itself when it
/// has a vector path, else the chip's first vector unit; compute_units().size() when none can.
std::size_t vector_path(const arch::Chip& chip, std::size_t unit_index, DataType dtype);
/// vector_path for the fused element-wise work of `op`; throws ConfigError when there is none.
std::size_t epilogue_unit(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index);
/// Plans a fused attention kernel (plan_attention.cpp): the Q block and K/V block sizes that fit the
/// unit's buffers with the least estimated time.
OpPlan plan_attention(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index);

/// Plans `op` on `chip`. Throws ConfigError if no unit can run it, no tile fits the buffers, its
/// weights need a dequantization pass and no unit has a vector path, or its weights are under a codec
/// and the chip's main memory has no decoder.
OpPlan plan_op(const arch::Chip& chip, const wl::OpNode& op);

/// The tasks of one fused-attention tile of `batch` instances: the scores of m query rows against
/// ctx keys, the softmax over them, and P x V; none pays a pipeline fill (the walker charges it once
/// per Q block, on the last P x V).
struct AttentionTasks {
  arch::ComputeTask scores, softmax, pv;
};
AttentionTasks attention_tasks(const AttentionTiling& t, DataType dtype, std::int64_t batch, std::int64_t m, std::int64_t ctx);

/// plan_op once per distinct op of a run: plan_op is a pure function of the chip and the op's fields
/// other than its name, so the 80 alike layers of a transformer share one search per op shape.
class PlanMemo {
 public:
  const OpPlan& plan(const arch::Chip& chip, const wl::OpNode& op);

 private:
  std::map<std::pair<const arch::Chip*, wl::OpNode>, OpPlan> plans_;
};

/// The decode pass of a tile with an em x en x ek block in `plan`: ek x en weight elements (only the
/// kept ones when the unit skips zeros) converted once per decode_m rows of A. Empty when no pass.
arch::ComputeTask decode_task(const OpPlan& plan, std::int64_t em, std::int64_t en, std::int64_t ek);

/// Calls `visit(const TileStep&)` for every tile of `plan` in execution order.
template <class Visit>
void for_each_tile(const OpPlan& plan, const arch::Chip& chip, Visit&& visit);

/// Tile-by-tile generation, exposed for tests and for for_each_tile.
class TileWalker {
 public:
  TileWalker(const OpPlan& plan, const arch::Chip& chip);
  /// Fills `step` with the next tile; false when done.
  bool next(TileStep& step);

 private:
  bool next_attention(TileStep& step);
  bool next_group(TileStep& step);

  const OpPlan& plan_;
  const arch::Chip& chip_;
  arch::MatrixGeometry geom_;
  std::size_t group_ = 0;            // grouped GEMM: the expert group being walked
  std::unique_ptr<TileWalker> sub_;  // and its walker
  std::int64_t instance_ = 0;
  std::array<std::int64_t, 3> idx_{0, 0, 0};  // block index per loop level (outer first)
  std::array<std::int64_t, 3> count_{1, 1, 1};
  std::array<std::int64_t, 3> last_a_{-1, -1, -1}, last_b_{-1, -1, -1}, last_c_{-1, -1, -1};
  std::int64_t kv_loaded_ = 0;  // attention with kv_resident: K/V blocks of the current instances already read
  std::vector<bool> c_started_;
  std::int64_t c_instance_ = 0;
  std::int64_t vec_done_ = 0;
  std::int64_t n_blocks_ = 1;
  bool finished_ = false;
  bool first_ = true;
};

template <class Visit>
void for_each_tile(const OpPlan& plan, const arch::Chip& chip, Visit&& visit) {
  TileWalker w(plan, chip);
  TileStep s;
  while (w.next(s)) visit(s);
}

}  // namespace xpusim::driver
