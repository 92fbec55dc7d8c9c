// SPDX-License-Identifier: MIT
// One operator of a workload: its kind, shape and data type, and the work and data it implies.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sim/dtype.h"
#include "sim/units.h"
#include "sim/weight_format.h"

namespace xpusim::wl {

enum class OpKind {
  kGemm, kConv2d, kElementwise, kSoftmax, kLayerNorm, kRmsNorm, kPool,
  // Scores, softmax and P*V as one tiled kernel (FlashAttention); made by the fusion pass only.
  kAttention,
  // Collectives between chips (added by the parallelism transforms); their shape is a CollectiveShape.
  kAllReduce, kAllGather, kReduceScatter, kAllToAll, kSendRecv,
};
std::string_view to_string(OpKind k);

/// C[batch][m x n] = A[batch][m x k] * B[batch][k x n]. B is a weight (read from memory once per
/// use, shared by the batch) unless `b_is_activation` (attention's Q*K^T and P*V).
struct GemmShape {
  std::int64_t batch = 1, m = 0, n = 0, k = 0;
  bool b_is_activation = false;
  /// Consecutive batch elements that read the same B operand (attention query heads of one KV head
  /// when a kernel reads the cache per query head): B is stored once per group, read once per element.
  std::int64_t b_shared = 1;
  /// Distinct weight matrices B: 1 = one weight shared by the batch; `batch` = each batch element
  /// multiplies its own (the experts of a grouped MoE GEMM).
  std::int64_t weight_sets = 1;
  /// Attention scores under a causal mask: query position i (of the last q positions of `n` keys) sees
  /// the keys before it, `causal_past` + i + 1 of them (causal_past = n - q). -1: every key (decode,
  /// or no mask). An unfused GEMM computes the masked scores anyway; a fused kernel skips them.
  std::int64_t causal_past = -1;
  auto operator<=>(const GemmShape&) const = default;
};

/// NHWC convolution. Output size uses `pad` on each side. `ceil_mode` rounds the output size up, as
/// PyTorch's ceil_mode does and as SCALE-Sim's topology arithmetic does (ceil((H - F + S) / S)).
struct ConvShape {
  std::int64_t batch = 1, in_h = 0, in_w = 0, in_c = 0, out_c = 0, kernel_h = 1, kernel_w = 1, stride = 1, pad = 0;
  bool ceil_mode = false;
  std::int64_t out_h() const { return out_size(in_h, kernel_h); }
  std::int64_t out_w() const { return out_size(in_w, kernel_w); }
  auto operator<=>(const ConvShape&) const = default;

 private:
  std::int64_t out_size(std::int64_t in, std::int64_t kernel) const {
    std::int64_t span = in + 2 * pad - kernel;
    if (span < 0) return 0;
    return (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
  }
};

/// Element-wise style work: softmax, norms, activations, residual adds, pooling.
struct VectorShape {
  std::int64_t elements = 0;    // output elements
  std::int64_t inputs = 1;      // input tensors of `elements` each (a residual add has 2)
  std::int64_t input_elements = 0;  // when inputs differ in size from the output (pooling); 0 = elements
  auto operator<=>(const VectorShape&) const = default;
};

/// Data moved by a collective among `group` chips. `bytes` is the whole buffer on each chip (the
/// nccl-tests "size"): an all-reduce of S bytes reduces S bytes; an all-gather ends with S bytes on each
/// chip; send/recv moves S bytes from every chip of pipeline stage `stage` to its peer in `peer_stage`.
struct CollectiveShape {
  std::int64_t bytes = 0;
  std::int64_t group = 1;
  std::int32_t peer_stage = 0;  // kSendRecv only
  auto operator<=>(const CollectiveShape&) const = default;
};

/// Fused attention of `batch` instances (sequences x KV heads): `m` query rows each (query positions
/// x the query heads of a GQA group) over `ctx` cached keys and values of `head_dim`. Consecutive
/// `b_shared` instances read one stored K/V (a per-query-head kernel reads a group's cache per head).
struct AttentionShape {
  std::int64_t batch = 1, m = 0, ctx = 0, head_dim = 0, b_shared = 1;
  /// GemmShape::causal_past of the scores; with a mask, the m rows are the last ctx - causal_past
  /// query positions, m / (ctx - causal_past) rows (the heads of a GQA group) each, position-major.
  std::int64_t causal_past = -1;
  auto operator<=>(const AttentionShape&) const = default;
};

/// Rows per query position under a causal mask (the heads of a GQA group): m / (ctx - causal_past).
std::int64_t rows_per_position(const AttentionShape& a);
/// Scores a causal mask lets rows [row0, row1) of an attention instance see among keys [key0, key0 +
/// keys): all of them without a mask.
double visible_scores(const AttentionShape& a, std::int64_t row0, std::int64_t row1, std::int64_t key0, std::int64_t keys);

using OpShape = std::variant<GemmShape, ConvShape, VectorShape, CollectiveShape, AttentionShape>;

/// What the fusion pass (workloads/transforms/fuse.h) folded into an op: the ops its kernel runs and
/// the element-wise work it applies on chip to the op's own output before anything leaves the kernel.
/// Ratios are per element of the op's own output (C of a matrix op, the first vector op's result).
struct FusedWork {
  std::vector<std::string> members;  // every op of the kernel, the op's own first; empty: not fused
  double epilogue_ops = 0;    // element ops of the fused element-wise members
  double epilogue_special = 0;  // of those, transcendental (OpNode::special_per_element)
  double extra_inputs = 0;    // elements those members read from outside the kernel (a residual)
  double outputs = 1;         // elements that leave the kernel (0.5: SiLU-and-mul after a merged gate/up)
  /// A convolution builds its operand tiles on chip from the activation tensor (implicit GEMM)
  /// instead of reading an im2col-expanded matrix from memory.
  bool implicit_gemm = false;
  /// A grouped GEMM over MoE experts (one launch, as vLLM's fused_moe): (rows as computed, each
  /// expert's padded to a whole block; experts with that many) in order of first appearance. The op's
  /// GemmShape has m = all rows as routed (unpadded) and weight_sets = experts.
  std::vector<std::pair<std::int64_t, std::int64_t>> expert_rows;
  auto operator<=>(const FusedWork&) const = default;
};

struct OpNode {
  std::string name;
  OpKind kind = OpKind::kGemm;
  DataType dtype = DataType::kBf16;  // activations (inputs and outputs)
  /// Storage type of the weights when it differs from `dtype` (weight-only quantization: int4 weights,
  /// bf16 activations). Unset means the weights are stored as `dtype`.
  std::optional<DataType> weight_dtype;
  /// Storage type of the KV cache an attention op reads (its B operand: GemmShape::b_is_activation, or
  /// an attention kernel's K and V) when it differs from `dtype`: an FP8 cache under BF16 or FP4 math.
  std::optional<DataType> kv_dtype;
  /// Sparsity and codec of the weight operand (matrix ops with weights only; set by the compression
  /// transform). Dense and uncompressed by default.
  WeightFormat weight_format;
  OpShape shape;
  /// Work per output element for vector ops (exp, max, sum, divide for a softmax), from the builder.
  double ops_per_element = 1.0;
  /// Of ops_per_element, the transcendental ones (a softmax's exp, SiLU's exp and reciprocal, GELU's
  /// tanh): a GPU issues them to its special-function units.
  double special_per_element = 0;
  /// Pipeline stage whose chips run the op (0 unless pipeline parallelism placed it elsewhere).
  std::int32_t stage = 0;
  /// Set on the kernels of a fused graph; default for an op as the workload describes it.
  FusedWork fused;

  /// Field by field, name first: ops that differ only in name compare by the rest.
  auto operator<=>(const OpNode&) const = default;
};

/// The matrix form of an op: conv via im2col (M = output pixels, K = window x channels, N = filters).
struct GemmView {
  std::int64_t batch = 1, m = 0, n = 0, k = 0;
  bool b_is_activation = false;
};
bool is_matrix(const OpNode& op);
/// True for ops that move data between chips (kAllReduce ... kSendRecv).
bool is_collective(const OpNode& op);
/// The storage type of the op's weights: `weight_dtype` when set, otherwise `dtype`.
inline DataType weight_type(const OpNode& op) { return op.weight_dtype.value_or(op.dtype); }
/// The type the KV cache of an attention op is stored in: kv_dtype, else dtype.
inline DataType kv_type(const OpNode& op) { return op.kv_dtype.value_or(op.dtype); }
GemmView gemm_view(const OpNode& op);

/// Floating-point (or integer) operations; a multiply-accumulate counts two. Only MACs with a kept
/// weight count: a 2:4 or pruned op does density x the dense work (a unit that cannot skip zeros
/// still spends the dense time on it).
Flops flops(const OpNode& op);
/// Minimum bytes the op must read and write: inputs, weights and outputs, each once. A fused kernel
/// counts what enters it from outside and what leaves it (FusedWork), not the data it keeps on chip.
Bytes input_bytes(const OpNode& op);
/// input_bytes without the inputs of fused element-wise members (FusedWork::extra_inputs).
Bytes own_input_bytes(const OpNode& op);
/// Elements of the op's own result before fusion (C, attention's O, a vector op's output).
double own_output_elements(const OpNode& op);
/// Weights as stored: values in weight_type(op) plus sparsity metadata (stored_bits_per_weight).
Bytes weight_bytes(const OpNode& op);
Bytes output_bytes(const OpNode& op);
inline Bytes compulsory_bytes(const OpNode& op) { return input_bytes(op) + weight_bytes(op) + output_bytes(op); }

}  // namespace xpusim::wl
