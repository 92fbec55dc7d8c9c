// SPDX-License-Identifier: MIT
// Unit choice, dataflow choice and loop-nest tiling. Off-chip traffic of a loop nest follows from
// which operand blocks change between consecutive tiles (one block per operand stays resident).
#include "sim/driver/mapper.h"

#include <algorithm>
#include <limits>
#include <map>
#include <string>

#include "sim/config/config_error.h"
#include "sim/int_math.h"

namespace xpusim::driver {
namespace {

using arch::Dataflow;

/// Which GEMM dimension plays each role for a dataflow (scalesim-model.md section 4).
struct Roles {
  char spatial_rows, spatial_cols, temporal;
};
Roles roles(Dataflow d) {
  switch (d) {
    case Dataflow::kOutputStationary: return {'m', 'n', 'k'};
    case Dataflow::kWeightStationary: return {'k', 'n', 'm'};
    case Dataflow::kInputStationary: return {'k', 'm', 'n'};
  }
  return {'m', 'n', 'k'};
}

std::int64_t& dim(std::array<std::int64_t, 3>& mnk, char d) { return mnk[d == 'm' ? 0 : d == 'n' ? 1 : 2]; }

bool depends(char operand, char d) {
  switch (operand) {
    case 'a': return d == 'm' || d == 'k';
    case 'b': return d == 'k' || d == 'n';
    default: return d == 'm' || d == 'n';
  }
}

Bytes bytes_of(double elements, int bits_per_element) {
  return Bytes(static_cast<std::int64_t>(std::ceil(elements * bits_per_element / 8.0)));
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
  Bytes a = bytes_of(inst * static_cast<double>(t.m * t.k) * static_cast<double>(factor('a')), t.in_bits);
  Bytes b = bytes_of(inst * static_cast<double>(t.k * t.n) * static_cast<double>(factor('b')), t.b_bits);
  std::int64_t spills = factor('c');  // > 1 only when K advances outside C's loops
  Bytes c_write = bytes_of(inst * static_cast<double>(t.m * t.n) * static_cast<double>(spills), t.out_bits);
  Bytes c_read = bytes_of(inst * static_cast<double>(t.m * t.n) * static_cast<double>(spills - 1), t.out_bits);
  return a + b + c_write + c_read;
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

/// Checks that the operand blocks fit half of the buffers they live in (the other half is being filled).
bool fits(const arch::ComputeUnit& u, Bytes a, Bytes b, Bytes c) {
  std::map<const arch::MemoryModel*, Bytes> need;
  need[u.ifmap_buffer] += a;
  need[u.filter_buffer] += b;
  need[u.ofmap_buffer] += c;
  for (const auto& [buf, bytes] : need) {
    if (bytes.count() * 2 > buf->capacity().count()) return false;
  }
  return true;
}

OpPlan plan_matrix(const arch::Chip& chip, const wl::OpNode& op, std::size_t unit_index) {
  const arch::ComputeUnit& u = chip.compute_units()[unit_index];
  const wl::GemmView g = wl::gemm_view(op);
  MatrixTiling base;
  base.instances = g.b_is_activation ? g.batch : 1;
  base.m = g.b_is_activation ? g.m : g.batch * g.m;
  base.n = g.n;
  base.k = g.k;
  base.in_bits = base.out_bits = bits(op.dtype);
  base.b_bits = g.b_is_activation ? bits(op.dtype) : bits(wl::weight_type(op));

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
          Bytes a = bytes_of(static_cast<double>(tile[0] * tile[2]), base.in_bits);
          Bytes b = bytes_of(static_cast<double>(tile[2] * tile[1]), base.b_bits);
          Bytes c = bytes_of(static_cast<double>(tile[0] * tile[1]), base.out_bits);
          if (fits(u, a, b, c)) {
            // Small independent GEMMs (attention heads) that fit whole run several to a tile, as
            // one batched task, so a wide unit is not left to work on one head at a time.
            const bool whole = tile == full;
            for (std::int64_t group : whole ? fold_candidates(base.instances) : std::vector<std::int64_t>{1}) {
              if (!fits(u, a * group, b * group, c * group)) break;
              MatrixTiling cand = base;
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
  t.in_bytes_per_element = element_bytes * static_cast<double>(v.inputs) * in_ratio;
  t.out_bytes_per_element = element_bytes;
  t.ops_per_element = op.ops_per_element;
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

OpPlan plan_op(const arch::Chip& chip, const wl::OpNode& op) {
  if (wl::is_matrix(op)) return plan_matrix(chip, op, pick_unit(chip, op, arch::TaskClass::kMatrix));
  return plan_vector(chip, op, pick_unit(chip, op, arch::TaskClass::kVector));
}

TileWalker::TileWalker(const OpPlan& plan, const arch::Chip& chip)
    : plan_(plan), geom_(chip.compute_units()[plan.unit].model->geometry()) {
  if (plan.matrix) {
    const MatrixTiling& t = plan.mat;
    for (std::size_t l = 0; l < 3; ++l) {
      char d = t.order[l];
      count_[l] = d == 'm' ? ceil_div(t.m, t.tile_m) : d == 'n' ? ceil_div(t.n, t.tile_n) : ceil_div(t.k, t.tile_k);
    }
    c_started_.assign(static_cast<std::size_t>(ceil_div(t.m, t.tile_m) * ceil_div(t.n, t.tile_n)), false);
  }
}

bool TileWalker::next(TileStep& s) {
  if (finished_) return false;
  s = TileStep{};
  if (!plan_.matrix) {
    const VectorTiling& v = plan_.vec;
    std::int64_t n = std::min(v.tile_elements, v.elements - vec_done_);
    const double e = static_cast<double>(n);
    s.load_a = Bytes(static_cast<std::int64_t>(std::ceil(e * v.in_bytes_per_element)));
    s.store_c = Bytes(static_cast<std::int64_t>(std::ceil(e * v.out_bytes_per_element)));
    s.buffer_read_a = s.load_a;
    s.buffer_write_c = s.store_c;
    s.task.cls = arch::TaskClass::kVector;
    s.task.dtype = plan_.dtype;
    s.task.elements = n;
    s.task.ops_per_element = v.ops_per_element;
    s.task.starts_op = vec_done_ == 0;
    vec_done_ += n;
    finished_ = vec_done_ >= v.elements;
    return true;
  }
  const MatrixTiling& t = plan_.mat;
  auto index_of = [&](const std::array<std::int64_t, 3>& idx, char d) {
    for (std::size_t l = 0; l < 3; ++l) {
      if (t.order[l] == d) return idx[l];
    }
    return std::int64_t{0};
  };
  const std::int64_t im = index_of(idx_, 'm'), in = index_of(idx_, 'n'), ik = index_of(idx_, 'k');
  const std::int64_t em = std::min(t.tile_m, t.m - im * t.tile_m);
  const std::int64_t en = std::min(t.tile_n, t.n - in * t.tile_n);
  const std::int64_t ek = std::min(t.tile_k, t.k - ik * t.tile_k);
  const std::int64_t group = std::min(t.tile_instances, t.instances - instance_);
  if (instance_ != c_instance_) {
    // Partial sums belong to one instance: a new instance starts every C block afresh.
    std::fill(c_started_.begin(), c_started_.end(), false);
    c_instance_ = instance_;
  }

  // The next tile's indices decide whether this tile's C block is complete and must be stored.
  std::array<std::int64_t, 3> nxt = idx_;
  std::int64_t next_instance = instance_;
  bool last = false;
  for (int l = 2; l >= 0; --l) {
    auto lu = static_cast<std::size_t>(l);
    if (++nxt[lu] < count_[lu]) break;
    nxt[lu] = 0;
    if (l == 0) {
      next_instance += t.tile_instances;
      last = next_instance >= t.instances;
    }
  }
  const std::array<std::int64_t, 3> a_id{instance_, im, ik}, b_id{instance_, ik, in}, c_id{instance_, im, in};
  const std::array<std::int64_t, 3> next_c{next_instance, index_of(nxt, 'm'), index_of(nxt, 'n')};
  const auto c_slot = static_cast<std::size_t>(im * ceil_div(t.n, t.tile_n) + in);
  const auto g = static_cast<double>(group);
  if (a_id != last_a_) s.load_a = bytes_of(g * static_cast<double>(em * ek), t.in_bits);
  if (b_id != last_b_) s.load_b = bytes_of(g * static_cast<double>(ek * en), t.b_bits);
  if (c_id != last_c_ && c_started_[c_slot]) s.load_c = bytes_of(g * static_cast<double>(em * en), t.out_bits);
  c_started_[c_slot] = true;
  if (last || next_c != c_id) s.store_c = bytes_of(g * static_cast<double>(em * en), t.out_bits);
  last_a_ = a_id;
  last_b_ = b_id;
  last_c_ = c_id;

  // The last temporal chunk of a spatial block pays the array's fill and drain.
  const Roles r = roles(t.dataflow);
  const std::int64_t t_idx = index_of(idx_, r.temporal);
  const std::int64_t t_blocks = r.temporal == 'm' ? ceil_div(t.m, t.tile_m) : r.temporal == 'n' ? ceil_div(t.n, t.tile_n) : ceil_div(t.k, t.tile_k);
  s.task.cls = arch::TaskClass::kMatrix;
  s.task.dtype = plan_.dtype;
  s.task.m = em;
  s.task.n = en;
  s.task.k = ek;
  s.task.batch = group;
  s.task.dataflow = t.dataflow;
  s.task.fill_drain = t_idx == t_blocks - 1;
  s.task.starts_op = first_;
  first_ = false;

  // Operand traffic between buffers and the array, as SCALE-Sim counts SRAM accesses.
  const std::int64_t rows = std::max<std::int64_t>(1, geom_.rows), cols = std::max<std::int64_t>(1, geom_.cols);
  double ra = g * static_cast<double>(em * ek), rb = g * static_cast<double>(ek * en), wc = g * static_cast<double>(em * en);
  if (geom_.rows > 0) {
    switch (t.dataflow) {
      case Dataflow::kOutputStationary:
        ra *= static_cast<double>(ceil_div(en, cols));
        rb *= static_cast<double>(ceil_div(em, rows));
        if (!s.task.fill_drain) wc = 0;
        break;
      case Dataflow::kWeightStationary:
        ra *= static_cast<double>(ceil_div(en, cols));
        wc *= static_cast<double>(ceil_div(ek, rows));
        break;
      case Dataflow::kInputStationary:
        rb *= static_cast<double>(ceil_div(em, cols));
        wc *= static_cast<double>(ceil_div(ek, rows));
        break;
    }
  }
  s.buffer_read_a = bytes_of(ra, t.in_bits);
  s.buffer_read_b = bytes_of(rb, t.b_bits);
  s.buffer_write_c = bytes_of(wc, t.out_bits);

  idx_ = nxt;
  instance_ = next_instance;
  finished_ = last;
  return true;
}

}  // namespace xpusim::driver
