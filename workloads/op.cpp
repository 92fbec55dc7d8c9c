// SPDX-License-Identifier: MIT
#include "workloads/op.h"

#include <algorithm>
#include <cmath>

#include "sim/int_math.h"

namespace xpusim::wl {

std::string_view to_string(OpKind k) {
  switch (k) {
    case OpKind::kGemm: return "gemm";
    case OpKind::kConv2d: return "conv2d";
    case OpKind::kElementwise: return "elementwise";
    case OpKind::kSoftmax: return "softmax";
    case OpKind::kLayerNorm: return "layernorm";
    case OpKind::kRmsNorm: return "rmsnorm";
    case OpKind::kPool: return "pool";
    case OpKind::kAttention: return "attention";
    case OpKind::kAllReduce: return "all_reduce";
    case OpKind::kAllGather: return "all_gather";
    case OpKind::kReduceScatter: return "reduce_scatter";
    case OpKind::kAllToAll: return "all_to_all";
    case OpKind::kSendRecv: return "send_recv";
  }
  return "?";
}

namespace {

/// `elements` weights in the op's storage format, rounded up to a whole byte.
Bytes stored_weights(const OpNode& op, std::int64_t elements) {
  if (op.weight_format.dense()) return storage(weight_type(op), elements);
  const double bits = stored_bits_per_weight(op.weight_format, xpusim::bits(weight_type(op)));
  return Bytes(static_cast<std::uint64_t>(std::ceil(static_cast<double>(elements) * bits / 8.0)));
}

}  // namespace

bool is_matrix(const OpNode& op) { return op.kind == OpKind::kGemm || op.kind == OpKind::kConv2d; }

bool is_collective(const OpNode& op) { return std::holds_alternative<CollectiveShape>(op.shape); }

GemmView gemm_view(const OpNode& op) {
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) return {g->batch, g->m, g->n, g->k, g->b_is_activation};
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) {
    return {1, c->batch * c->out_h() * c->out_w(), c->out_c, c->kernel_h * c->kernel_w * c->in_c, false};
  }
  return {};
}

/// Elements of the op's own result, before fusion: C of a matrix op, O of attention, a vector op's output.
double own_output_elements(const OpNode& op) {
  if (is_matrix(op)) {
    GemmView g = gemm_view(op);
    return static_cast<double>(g.batch * g.m * g.n);
  }
  if (const auto* a = std::get_if<AttentionShape>(&op.shape)) return static_cast<double>(a->batch * a->m * a->head_dim);
  if (const auto* v = std::get_if<VectorShape>(&op.shape)) return static_cast<double>(v->elements);
  return 0;
}

Flops flops(const OpNode& op) {
  const double epilogue = own_output_elements(op) * op.fused.epilogue_ops;
  if (is_matrix(op)) {
    GemmView g = gemm_view(op);
    return Flops(2.0 * static_cast<double>(g.batch) * static_cast<double>(g.m) * static_cast<double>(g.n) *
                     static_cast<double>(g.k) * op.weight_format.density + epilogue);
  }
  if (const auto* a = std::get_if<AttentionShape>(&op.shape)) {
    // Two GEMMs (Q K^T and P V) of 2 x m x ctx x d each, and the softmax's ops, on every score the mask
    // lets through.
    const double scores = static_cast<double>(a->batch) * visible_scores(*a, 0, a->m, 0, a->ctx);
    return Flops(4.0 * scores * static_cast<double>(a->head_dim) + scores * op.ops_per_element + epilogue);
  }
  if (const auto* c = std::get_if<CollectiveShape>(&op.shape)) {
    // The additions of a reduction, per chip: (group - 1) / group of the buffer's elements (ring).
    const bool reduces = op.kind == OpKind::kAllReduce || op.kind == OpKind::kReduceScatter;
    const double elements = static_cast<double>(c->bytes) * 8.0 / bits(op.dtype);
    return Flops(reduces ? elements * static_cast<double>(c->group - 1) / static_cast<double>(c->group) : 0.0);
  }
  const auto& v = std::get<VectorShape>(op.shape);
  return Flops(static_cast<double>(v.elements) * op.ops_per_element + epilogue);
}

std::int64_t rows_per_position(const AttentionShape& a) {
  return std::max<std::int64_t>(1, a.m / std::max<std::int64_t>(1, a.ctx - a.causal_past));
}

double visible_scores(const AttentionShape& a, std::int64_t row0, std::int64_t row1, std::int64_t key0, std::int64_t keys) {
  if (a.causal_past < 0) return static_cast<double>(row1 - row0) * static_cast<double>(keys);
  // Position p of the queries sees keys [0, causal_past + p + 1): clamp(causal_past + p + 1 - key0, 0,
  // keys) of this block. Summed over the positions of the rows, in closed form per position range.
  const std::int64_t per_position = rows_per_position(a);
  auto seen = [&](std::int64_t p) { return std::clamp<std::int64_t>(a.causal_past + p + 1 - key0, 0, keys); };
  auto sum_seen = [&](std::int64_t p0, std::int64_t p1) {  // sum of seen(p), p in [p0, p1): linear, then flat
    double total = 0;
    const std::int64_t rising_end = std::clamp<std::int64_t>(key0 + keys - a.causal_past - 1, p0, p1);  // seen(p) < keys before it
    const std::int64_t rising_start = std::clamp<std::int64_t>(key0 - a.causal_past - 1, p0, rising_end);  // seen(p) > 0 from it
    const double n = static_cast<double>(rising_end - rising_start);
    if (n > 0) total += n * (static_cast<double>(seen(rising_start)) + static_cast<double>(seen(rising_end - 1))) / 2;
    total += static_cast<double>(p1 - rising_end) * static_cast<double>(keys);
    return total;
  };
  // Whole positions, plus the rows of partly covered positions at either end.
  const std::int64_t p0 = row0 / per_position, p1 = (row1 + per_position - 1) / per_position;
  double total = sum_seen(p0, p1) * static_cast<double>(per_position);
  total -= static_cast<double>(row0 - p0 * per_position) * static_cast<double>(seen(p0));
  total -= static_cast<double>(p1 * per_position - row1) * static_cast<double>(seen(p1 - 1));
  return total;
}

Bytes input_bytes(const OpNode& op) {
  const Bytes extra = storage(op.dtype, static_cast<std::int64_t>(std::ceil(own_output_elements(op) * op.fused.extra_inputs)));
  return own_input_bytes(op) + extra;
}

Bytes own_input_bytes(const OpNode& op) {
  if (const auto* a = std::get_if<AttentionShape>(&op.shape)) {
    // Q of every instance, and K and V as stored (once per b_shared instances).
    const std::int64_t q = a->batch * a->m * a->head_dim, kv = 2 * ceil_div(a->batch, a->b_shared) * a->ctx * a->head_dim;
    if (op.kv_dtype && *op.kv_dtype != op.dtype) return storage(op.dtype, q) + storage(*op.kv_dtype, kv);
    return storage(op.dtype, q + kv);
  }
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) return storage(op.dtype, c->batch * c->in_h * c->in_w * c->in_c);
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) {
    std::int64_t a = g->batch * g->m * g->k;
    std::int64_t b = g->b_is_activation ? g->batch * g->k * g->n : 0;
    if (op.kv_dtype && *op.kv_dtype != op.dtype) return storage(op.dtype, a) + storage(*op.kv_dtype, b);
    return storage(op.dtype, a + b);
  }
  if (const auto* c = std::get_if<CollectiveShape>(&op.shape)) return Bytes(c->bytes);
  const auto& v = std::get<VectorShape>(op.shape);
  return storage(op.dtype, (v.input_elements ? v.input_elements : v.elements) * v.inputs);
}

Bytes weight_bytes(const OpNode& op) {
  if (const auto* c = std::get_if<ConvShape>(&op.shape)) return stored_weights(op, c->kernel_h * c->kernel_w * c->in_c * c->out_c);
  if (const auto* g = std::get_if<GemmShape>(&op.shape)) return g->b_is_activation ? Bytes(0) : stored_weights(op, g->k * g->n * g->weight_sets);
  return Bytes(0);
}

Bytes output_bytes(const OpNode& op) {
  if (const auto* c = std::get_if<CollectiveShape>(&op.shape)) return Bytes(c->bytes);
  if (op.fused.outputs == 1) return storage(op.dtype, static_cast<std::int64_t>(own_output_elements(op)));
  return storage(op.dtype, static_cast<std::int64_t>(std::ceil(own_output_elements(op) * op.fused.outputs)));
}

}  // namespace xpusim::wl
