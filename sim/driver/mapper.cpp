// SPDX-License-Identifier: MIT
// Unit choice, dataflow choice and loop-nest tiling. Off-chip traffic of a loop nest follows from
// which operand blocks change between consecutive tiles (one block per operand stays resident).
#include "sim/driver/mapper.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>
#include <string>

#include "sim/config/config_error.h"
#include "sim/driver/tiling.h"
#include "sim/int_math.h"

namespace xpusim::driver {
namespace {

using arch::Dataflow;

std::int64_t& dim(std::array<std::int64_t, 3>& mnk, char d) { return mnk[d == 'm' ? 0 : d == 'n' ? 1 : 2]; }

bool depends(char operand, char d) {
  switch (operand) {
    case 'a': return d == 'm' || d == 'k';
    case 'b': return d == 'k' || d == 'n';
    default: return d == 'm' || d == 'n';
  }
}

/// Off-chip bytes of a loop nest: an operand block is fetched again whenever a loop it does not
/// depend on, outside its innermost dependent loop, advances. C spills partial sums when K is such a loop.
Bytes nest_traffic(const MatrixTiling& t) {
  const std::array<std::int64_t, 3> size{t.m, t.n, t.k};
  const std::array<std::int64_t, 3> tile{t.tile_m, t.tile_n, t.tile_k};
  std::array<std::int64_t, 3> blocks{};
  for (int i = 0; i < 3; ++i) blocks[static_cast<std::size_t>(i)] = ceil_div(size[static_cast<std::size_t>(i)], tile[static_cast<std::size_t>(i)]);
  auto factor = [&](char operand) {
    // A loop of one block never changes any index, so it cannot force a refetch.
    int innermost = -1;
    for (int l = 0; l < 3; ++l) {
      char d = t.order[static_cast<std::size_t>(l)];
      if (depends(operand, d) && dim(blocks, d) > 1) innermost = l;
    }
    std::int64_t f = 1;
    for (int l = 0; l < innermost; ++l) {
      char d = t.order[static_cast<std::size_t>(l)];
      if (!depends(operand, d)) f *= dim(blocks, d);
    }
    return f;
  };
  const double inst = static_cast<double>(t.instances);
  Bytes a = bytes_of(inst * static_cast<double>(t.m * t.k) * static_cast<double>(factor('a')) * t.a_scale, t.in_bits);
  Bytes b = bytes_of(inst * static_cast<double>(t.k * t.n) * static_cast<double>(factor('b')), t.b_bits);
  std::int64_t spills = factor('c');  // > 1 only when K advances outside C's loops
  // Spilled partial sums are whole C blocks; the last store is what the kernel's epilogue lets out.
  Bytes c_write = bytes_of(inst * static_cast<double>(t.m * t.n) * (static_cast<double>(spills - 1) + t.out_ratio), t.out_bits);
  Bytes c_read = bytes_of(inst * static_cast<double>(t.m * t.n) * static_cast<double>(spills - 1), t.out_bits);
  Bytes extra = t.extra_in > 0 ? bytes_of(inst * static_cast<double>(t.m * t.n) * t.extra_in, t.out_bits) : Bytes(0);
  return a + b + c_write + c_read + extra;
}

/// Implicit GEMM: the activation bytes that tile_m consecutive output pixels of `c` read, per
/// element of their im2col rows (window x channels each). Whole images, else the input rows under
/// the output rows (halo included), else the window columns under a part of one output row.
double implicit_a_scale(const wl::ConvShape& c, std::int64_t tile_m) {
  const double pixels = static_cast<double>(c.out_h() * c.out_w());
  const double row = static_cast<double>(c.in_w * c.in_c);
  const double window = static_cast<double>(c.kernel_h * c.kernel_w * c.in_c);
  const double em = static_cast<double>(tile_m);
  double footprint = 0;
  if (em >= pixels) {
    footprint = em / pixels * static_cast<double>(c.in_h) * row;
  } else if (em >= static_cast<double>(c.out_w())) {
    const double rows = em / static_cast<double>(c.out_w()) * static_cast<double>(c.stride) +
                        static_cast<double>(std::max<std::int64_t>(0, c.kernel_h - c.stride));
    footprint = std::min(rows, static_cast<double>(c.in_h)) * row;
  } else {
    const double cols = em * static_cast<double>(c.stride) + static_cast<double>(std::max<std::int64_t>(0, c.kernel_w - c.stride));
    footprint = static_cast<double>(c.kernel_h) * std::min(cols, static_cast<double>(c.in_w)) * static_cast<double>(c.in_c);
  }
  return std::min(1.0, footprint / (em * window));
}

std::vector<std::int64_t> fold_candidates(std::int64_t total) {
  std::vector<std::int64_t> c;
  for (std::int64_t f = 1; f < total; f *= 2) c.push_back(f);
  c.push_back(total);
  return c;
}

std::size_t pick_unit(const arch::Chip& chip, const wl::OpNode& op, arch::TaskClass cls) {
  const auto& units = chip.compute_units();
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i].model->supports(cls, op.dtype)) return i;
  }
  std::string have;
  for (const auto& u : units) have += (have.empty() ? "" : ", ") + u.model->name() + " (" + u.model->type() + ")";
  throw ConfigError(SourceMark{chip.name(), 0, 0},
                    "no compute unit of chip '" + chip.name() + "' can run op '" + op.name + "' (" +
                        std::string(wl::to_string(op.kind)) + ", " + std::string(to_string(op.dtype)) + "); units: " + have);
}

std::string shortest(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

std::size_t vector_path(const arch::Chip& chip, std::size_t unit_index, DataType dtype) {
  const auto& units = chip.compute_units();
  if (units[unit_index].model->supports(arch::TaskClass::kVector, dtype)) return unit_index;
  for (std::size_t i = 0; i < units.size(); ++i) {
    if (units[i].model->supports(arch::TaskClass::kVector, dtype)) return i;
  }
  return units.size();
}

namespace {

/// How the weights of `op` reach the MACs of unit `unit_index`: the decode pass they need, and the
/// unit that runs it (the matrix unit's own vector path, else the chip's first vector unit).
WeightPlan plan_weights(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const auto& units = chip.compute_units();
  const arch::ComputeModel& unit = *units[unit_index].model;
  WeightPlan w;
  w.format = op.weight_format;
  const std::string stored = std::string(to_string(wl::weight_type(op))) +
                             (w.format.dense() ? "" : " " + std::string(to_string(w.format.sparsity)));
  if (w.format.codec_ratio > 1 && !chip.main_memory().decodes_codec()) {
    throw ConfigError(SourceMark{chip.name(), 0, 0},
                      "op '" + op.name + "' stores its weights under a codec (ratio " + shortest(w.format.codec_ratio) +
                          "), but chip '" + chip.name() + "' has no decoder at its memory interface (main memory '" +
                          chip.main_memory().name() + "' is " + chip.main_memory().type() +
                          "); run it on a chip whose main memory is memory/compressed (configs/chips/mach1.yaml)");
  }
  const bool convert = !unit.native_weight(wl::weight_type(op), op.dtype);
  const bool expand = !unit.skips_zeros(w.format.sparsity);
  if (!convert && !expand) return w;
  w.decode = true;
  // Conversions touch the stored values; an expansion writes every element of the dense tile.
  w.decode_ops_per_weight = (convert ? kDequantOpsPerWeight * w.format.density : 0.0) + (expand ? kExpandOpsPerWeight : 0.0);
  w.decode_m = unit.geometry().dequant_m;
  w.decode_unit = vector_path(chip, unit_index, op.dtype);
  if (w.decode_unit == units.size()) {
    throw ConfigError(SourceMark{chip.name(), 0, 0},
                      "op '" + op.name + "' stores its weights as " + stored + ", which unit '" + unit.name() +
                          "' cannot feed to its " + std::string(to_string(op.dtype)) + " MACs directly, and chip '" +
                          chip.name() + "' has no vector unit for " + std::string(to_string(op.dtype)) +
                          " to convert them (declare native_weight_dtypes on the unit, or add a vector unit)");
  }
  return w;
}

OpPlan plan_matrix(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const arch::ComputeUnit& u = chip.compute_units()[unit_index];
  const wl::GemmView g = wl::gemm_view(op);
  // Instances run one after another when each has its own B: attention's activations, or the experts
  // of a grouped GEMM; a shared weight instead folds the batch into M.
  const auto* gs = std::get_if<wl::GemmShape>(&op.shape);
  const bool per_instance_b = g.b_is_activation || (gs && gs->weight_sets > 1 && gs->weight_sets == gs->batch);
  MatrixTiling base;
  base.instances = per_instance_b ? g.batch : 1;
  base.m = per_instance_b ? g.m : g.batch * g.m;
  base.n = g.n;
  base.k = g.k;
  base.in_bits = base.out_bits = bits(op.dtype);
  base.b_bits = g.b_is_activation ? bits(wl::kv_type(op)) : stored_bits_per_weight(op.weight_format, bits(wl::weight_type(op)));
  base.epilogue_ops = op.fused.epilogue_ops;
  base.extra_in = op.fused.extra_inputs;
  base.epilogue_special = op.fused.epilogue_special;
  base.out_ratio = op.fused.outputs;
  const auto* conv = std::get_if<wl::ConvShape>(&op.shape);
  const bool implicit = conv && op.fused.implicit_gemm;

  const arch::MatrixGeometry geom = u.model->geometry();
  const std::int64_t rows = std::max<std::int64_t>(1, geom.rows), cols = std::max<std::int64_t>(1, geom.cols);
  std::vector<Dataflow> flows = geom.dataflows.empty() ? std::vector<Dataflow>{Dataflow::kOutputStationary} : geom.dataflows;
  const Bandwidth bw = chip.main_memory().peak_bandwidth();
  const double tile_latency_s = (chip.main_memory().idle_latency() + u.ifmap_buffer->idle_latency()).seconds();

  OpPlan best;
  double best_score = std::numeric_limits<double>::infinity();
  // Scores a tiling in every loop order it allows and keeps the best. Estimated time: the slower of
  // compute and traffic, plus the first tile's exposed load, plus the latency each tile exposes
  // (double buffering issues a load only when a half frees up): small tiles hide the first load,
  // large ones pay fewer latencies.
  auto consider = [&](MatrixTiling cand, std::int64_t chunks, Bytes first_load) {
    const Roles r = roles(cand.dataflow);
    arch::ComputeTask task;
    task.dtype = op.dtype;
    task.m = cand.tile_m;
    task.n = cand.tile_n;
    task.k = cand.tile_k;
    task.batch = cand.tile_instances;
    task.dataflow = cand.dataflow;
    task.b_bits = cand.b_bits;
    if (!g.b_is_activation) {
      task.sparsity = op.weight_format.sparsity;
      task.density = op.weight_format.density;
      task.sparse_seed = op.weight_format.seed;
    }
    task.fill_drain = false;
    const double streaming_s = u.model->estimate(task).time.seconds();
    task.fill_drain = true;
    const double last_chunk_s = u.model->estimate(task).time.seconds();
    const std::int64_t groups = ceil_div(cand.instances, cand.tile_instances);
    const std::int64_t blocks = ceil_div(cand.m, cand.tile_m) * ceil_div(cand.n, cand.tile_n) * ceil_div(cand.k, cand.tile_k);
    // Edge tiles are costed as full ones: close enough to rank tilings.
    const double compute_s = static_cast<double>(groups * (blocks / chunks)) *
                             (static_cast<double>(chunks - 1) * streaming_s + last_chunk_s);
    // Chunks of the temporal dimension stay innermost, so a chunked tile keeps its partial results
    // (or its stationary operand) in the array between chunks.
    std::vector<std::array<char, 3>> orders{{r.spatial_rows, r.spatial_cols, r.temporal},
                                            {r.spatial_cols, r.spatial_rows, r.temporal}};
    if (chunks == 1) {
      orders.push_back({r.temporal, r.spatial_rows, r.spatial_cols});
      orders.push_back({r.temporal, r.spatial_cols, r.spatial_rows});
    }
    for (const auto& ord : orders) {
      cand.order = ord;
      const Bytes traffic = nest_traffic(cand);
      const double score = std::max(compute_s, (traffic / bw).seconds()) + (first_load / bw).seconds() +
                           tile_latency_s * static_cast<double>(groups * blocks);
      if (score < best_score) {
        best_score = score;
        best.mat = cand;
        best.offchip_bytes = traffic;
        best.tiles = groups * blocks;
      }
    }
  };
  for (Dataflow df : flows) {
    const Roles r = roles(df);
    std::array<std::int64_t, 3> full{base.m, base.n, base.k};
    const std::int64_t t_total = dim(full, r.temporal);
    for (std::int64_t fr : fold_candidates(ceil_div(dim(full, r.spatial_rows), rows))) {
      for (std::int64_t fc : fold_candidates(ceil_div(dim(full, r.spatial_cols), cols))) {
        for (std::int64_t chunks = 1;; chunks *= 2) {
          std::int64_t t = ceil_div(t_total, chunks);
          std::array<std::int64_t, 3> tile{};
          dim(tile, r.spatial_rows) = std::min(dim(full, r.spatial_rows), fr * rows);
          dim(tile, r.spatial_cols) = std::min(dim(full, r.spatial_cols), fc * cols);
          dim(tile, r.temporal) = t;
          const double a_scale = implicit ? implicit_a_scale(*conv, tile[0]) : 1.0;
          Bytes a = bytes_of(static_cast<double>(tile[0] * tile[2]) * a_scale, base.in_bits);
          Bytes b = bytes_of(static_cast<double>(tile[2] * tile[1]), base.b_bits);
          // The epilogue's outside inputs wait beside the accumulators.
          Bytes c = bytes_of(static_cast<double>(tile[0] * tile[1]) * (1.0 + base.extra_in), base.out_bits);
          if (fits(u, a, b, c)) {
            // Small independent GEMMs (attention heads) that fit whole run several to a tile, as
            // one batched task, so a wide unit is not left to work on one head at a time.
            const bool whole = tile == full;
            for (std::int64_t group : whole ? fold_candidates(base.instances) : std::vector<std::int64_t>{1}) {
              if (!fits(u, a * group, b * group, c * group)) break;
              MatrixTiling cand = base;
              cand.a_scale = a_scale;
              cand.dataflow = df;
              cand.tile_m = tile[0];
              cand.tile_n = tile[1];
              cand.tile_k = tile[2];
              cand.tile_instances = group;
              consider(cand, ceil_div(t_total, t), a * group + b * group);
            }
            break;  // a longer chunk fits: shorter ones only add tiles
          }
          if (t == 1) break;
        }
      }
    }
  }
  if (!std::isfinite(best_score)) {
    throw ConfigError(SourceMark{chip.name(), 0, 0},
                      "op '" + op.name + "' does not fit the buffers of '" + u.model->name() +
                          "' even as one fold of the array with a single temporal step; the buffers are too small");
  }
  best.unit = unit_index;
  best.matrix = true;
  best.dtype = op.dtype;
  if (!g.b_is_activation) best.weights = plan_weights(chip, op, unit_index);
  if (op.fused.epilogue_ops > 0) best.epilogue_unit = epilogue_unit(chip, op, unit_index);
  return best;
}

OpPlan plan_vector(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const arch::ComputeUnit& u = chip.compute_units()[unit_index];
  const auto& v = std::get<wl::VectorShape>(op.shape);
  OpPlan p;
  p.unit = unit_index;
  p.matrix = false;
  p.dtype = op.dtype;
  VectorTiling& t = p.vec;
  t.elements = v.elements;
  const double element_bytes = bits(op.dtype) / 8.0;
  const double in_ratio = static_cast<double>(v.input_elements ? v.input_elements : v.elements) / static_cast<double>(v.elements);
  // A fused chain also reads its later members' outside inputs and writes every result that leaves.
  t.in_bytes_per_element = element_bytes * static_cast<double>(v.inputs) * in_ratio + element_bytes * op.fused.extra_inputs;
  t.out_bytes_per_element = element_bytes * op.fused.outputs;
  t.ops_per_element = op.ops_per_element + op.fused.epilogue_ops;
  t.special_per_element = op.special_per_element + op.fused.epilogue_special;
  double cap_in = static_cast<double>(u.ifmap_buffer->capacity().count()) / 2.0;
  double cap_out = static_cast<double>(u.ofmap_buffer->capacity().count()) / 2.0;
  double per_element = u.ifmap_buffer == u.ofmap_buffer
                           ? (cap_in / (t.in_bytes_per_element + t.out_bytes_per_element))
                           : std::min(cap_in / t.in_bytes_per_element, cap_out / t.out_bytes_per_element);
  t.tile_elements = std::min<std::int64_t>(v.elements, static_cast<std::int64_t>(per_element));
  if (t.tile_elements < 1) {
    throw ConfigError(SourceMark{chip.name(), 0, 0}, "op '" + op.name + "': not even one element fits the buffers of '" + u.model->name() + "'");
  }
  p.tiles = ceil_div(t.elements, t.tile_elements);
  p.offchip_bytes = wl::input_bytes(op) + wl::output_bytes(op);
  return p;
}

}  // namespace

arch::ComputeTask decode_task(const OpPlan& plan, std::int64_t em, std::int64_t en, std::int64_t ek) {
  arch::ComputeTask d;
  d.cls = arch::TaskClass::kVector;
  d.dtype = plan.dtype;
  d.fill_drain = false;  // part of the GEMM's kernel or pipeline: no launch or pipeline fill of its own
  d.weight_decode = true;
  if (!plan.weights.decode) return d;
  const std::int64_t passes = plan.weights.decode_m > 0 ? ceil_div(em, plan.weights.decode_m) : 1;
  d.elements = ek * en * passes;
  d.ops_per_element = plan.weights.decode_ops_per_weight;
  return d;
}

std::size_t epilogue_unit(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const std::size_t u = vector_path(chip, unit_index, op.dtype);
  if (u == chip.compute_units().size()) {
    throw ConfigError(SourceMark{chip.name(), 0, 0},
                      "kernel '" + op.name + "' fuses element-wise work, but chip '" + chip.name() + "' has no unit with a " +
                          std::string(to_string(op.dtype)) + " vector path to run it (run with fusion: none, or add a vector unit)");
  }
  return u;
}

/// A grouped GEMM: each distinct expert row count planned as a batch of that many experts, each with
/// its own weights; the kernel's plan walks them in turn.
OpPlan plan_grouped(const arch::Chip& chip, const wl::OpNode& op) {
  const auto& g = std::get<wl::GemmShape>(op.shape);
  const std::size_t unit = pick_unit(chip, op, arch::TaskClass::kMatrix);
  OpPlan p;
  for (const auto& [rows, experts] : op.fused.expert_rows) {
    wl::OpNode part = op;
    part.fused.expert_rows.clear();
    part.shape = wl::GemmShape{experts, rows, g.n, g.k, false, 1, experts};
    p.groups.push_back(plan_matrix(chip, part, unit));
    p.offchip_bytes += p.groups.back().offchip_bytes;
    p.tiles += p.groups.back().tiles;
  }
  const OpPlan& first = p.groups.front();
  p.unit = first.unit;
  p.matrix = true;
  p.dtype = first.dtype;
  p.mat = first.mat;
  p.weights = first.weights;
  p.epilogue_unit = first.epilogue_unit;
  return p;
}

OpPlan plan_op(const arch::Chip& chip, const wl::OpNode& op) {
  if (!op.fused.expert_rows.empty()) return plan_grouped(chip, op);
  if (op.kind == wl::OpKind::kAttention) return plan_attention(chip, op, pick_unit(chip, op, arch::TaskClass::kMatrix));
  if (wl::is_matrix(op)) return plan_matrix(chip, op, pick_unit(chip, op, arch::TaskClass::kMatrix));
  return plan_vector(chip, op, pick_unit(chip, op, arch::TaskClass::kVector));
}

const OpPlan& PlanMemo::plan(const arch::Chip& chip, const wl::OpNode& op) {
  std::pair<const arch::Chip*, wl::OpNode> key{&chip, op};
  key.second.name.clear();  // only in error messages, and the first op of a shape throws any error
  key.second.fused.members.clear();
  if (auto it = plans_.find(key); it != plans_.end()) return it->second;
  OpPlan p = plan_op(chip, op);
  return plans_.emplace(std::move(key), std::move(p)).first->second;
}

}  // namespace xpusim::driver
