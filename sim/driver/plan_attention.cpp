// SPDX-License-Identifier: MIT
// Tiling of a fused attention kernel (FlashAttention-2, Dao, arXiv:2307.08691, Algorithm 1; split-KV
// decode as FlashDecoding): a block of Q rows stays on chip while K and V stream past it, the scores
// and probabilities of a block live only between the two GEMMs, and O leaves once. Off-chip traffic is
// Q + O + K/V once per Q block, or K/V once per instance when one block holds the whole context.
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "sim/config/config_error.h"
#include "sim/driver/mapper.h"
#include "sim/driver/tiling.h"
#include "sim/int_math.h"

namespace xpusim::driver {
namespace {

constexpr double kTie = 0.01;  // estimated times this close count as equal

/// n, ceil(n/2), ceil(n/4), ... down to 1.
std::vector<std::int64_t> halvings(std::int64_t n) {
  std::vector<std::int64_t> v;
  for (std::int64_t d = 1;; d *= 2) {
    v.push_back(ceil_div(n, d));
    if (v.back() == 1) break;
  }
  return v;
}


Bytes attention_traffic(const AttentionTiling& t) {
  const wl::AttentionShape& a = t.shape;
  const double inst = static_cast<double>(a.batch);
  const double q_and_o = 2.0 * inst * static_cast<double>(a.m * a.head_dim);
  const double kv_passes = t.tile_ctx >= a.ctx || t.kv_resident ? 1.0 : static_cast<double>(ceil_div(a.m, t.tile_m));
  const double kv = 2.0 * inst * static_cast<double>(a.ctx * a.head_dim) * kv_passes;
  if (t.kv_bits != t.bits) return bytes_of(q_and_o, t.bits) + bytes_of(kv, t.kv_bits);
  return bytes_of(q_and_o + kv, t.bits);
}

}  // namespace

AttentionTasks attention_tasks(const AttentionTiling& t, DataType dtype, std::int64_t batch, std::int64_t m, std::int64_t ctx) {
  auto matrix = [&](std::int64_t rows, std::int64_t cols, std::int64_t depth) {
    arch::ComputeTask task;
    task.dtype = dtype;
    task.m = rows;
    task.n = cols;
    task.k = depth;
    task.batch = batch;
    task.fill_drain = false;
    if (t.kv_bits != bits(dtype)) task.b_bits = t.kv_bits;  // K and V reach the unit as the cache stores them
    return task;
  };
  AttentionTasks out{matrix(m, ctx, t.shape.head_dim), {}, matrix(m, t.shape.head_dim, ctx)};
  out.softmax.cls = arch::TaskClass::kVector;
  out.softmax.dtype = dtype;
  out.softmax.elements = batch * m * ctx;
  out.softmax.ops_per_element = t.softmax_ops;
  out.softmax.special_per_element = t.softmax_special;
  out.softmax.fill_drain = false;
  return out;
}

OpPlan plan_attention(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const arch::ComputeUnit& u = chip.compute_units()[unit_index];
  const auto& a = std::get<wl::AttentionShape>(op.shape);
  OpPlan best;
  best.unit = unit_index;
  best.matrix = true;
  best.attention = true;
  best.dtype = op.dtype;
  best.epilogue_unit = epilogue_unit(chip, op, unit_index);
  const arch::ComputeModel& softmax_unit = *chip.compute_units()[best.epilogue_unit].model;

  AttentionTiling base;
  base.shape = a;
  base.bits = bits(op.dtype);
  base.kv_bits = bits(wl::kv_type(op));
  base.softmax_ops = op.ops_per_element;
  base.softmax_special = op.special_per_element;
  const Bandwidth bw = chip.main_memory().peak_bandwidth();
  const double tile_latency_s = (chip.main_memory().idle_latency() + u.ifmap_buffer->idle_latency()).seconds();
  const double d = static_cast<double>(a.head_dim);

  double best_score = std::numeric_limits<double>::infinity();
  for (std::int64_t tc : halvings(a.ctx)) {
    for (std::int64_t tm : halvings(a.m)) {
      const bool whole = tc == a.ctx && tm == a.m;
      for (std::int64_t group : whole ? halvings(a.batch) : std::vector<std::int64_t>{1}) {
        const double g = static_cast<double>(group);
        const Bytes q = bytes_of(g * static_cast<double>(tm) * d, base.bits);
        const Bytes kv = bytes_of(2.0 * g * static_cast<double>(tc) * d, base.kv_bits);
        if (!fits(u, q, kv, q)) continue;
        AttentionTiling cand = base;
        cand.tile_m = tm;
        cand.tile_ctx = tc;
        cand.tile_instances = group;
        cand.kv_resident = fits(u, q, bytes_of(2.0 * g * static_cast<double>(a.ctx) * d, base.kv_bits), q);
        const std::int64_t tiles = ceil_div(a.batch, group) * ceil_div(a.m, tm) * ceil_div(a.ctx, tc);
        const AttentionTasks t = attention_tasks(cand, op.dtype, group, tm, tc);
        const double gemms_s = u.model->estimate(t.scores).time.seconds() + u.model->estimate(t.pv).time.seconds();
        const double softmax_s = softmax_unit.estimate(t.softmax).time.seconds();
        const double compute_s = static_cast<double>(tiles) *
                                 (u.model->overlaps_softmax() ? std::max(gemms_s, softmax_s) : gemms_s + softmax_s);
        const Bytes traffic = attention_traffic(cand);
        // When compute hides the traffic, every tiling scores alike; of those within 1 % of the best,
        // take the fewest bytes (what a FlashAttention launch does: one pass over K/V when it can).
        const double score = std::max(compute_s, (traffic / bw).seconds()) + ((q + kv) / bw).seconds() +
                             tile_latency_s * static_cast<double>(tiles);
        const bool better = score < best_score * (1 - kTie) || (score < best_score * (1 + kTie) && traffic < best.offchip_bytes);
        if (better) {
          best_score = std::min(best_score, score);
          best.att = cand;
          best.offchip_bytes = traffic;
          best.tiles = tiles;
        }
      }
      if (tc == a.ctx && std::isfinite(best_score)) break;  // K/V resident: smaller Q blocks only add tiles
    }
  }
  if (!std::isfinite(best_score)) {
    throw ConfigError(SourceMark{chip.name(), 0, 0}, "attention kernel '" + op.name + "' does not fit the buffers of '" +
                                                         u.model->name() + "' even as one query row and one key");
  }
  return best;
}

}  // namespace xpusim::driver
