// SPDX-License-Identifier: MIT
// Tile-by-tile generation of a planned op: which operand blocks each tile loads and stores (a block
// resident from the previous tile is not fetched again), its compute task and its weight decode pass.
#include <algorithm>
#include <cmath>

#include "sim/driver/mapper.h"
#include "sim/driver/tiling.h"
#include "sim/int_math.h"
#include "sim/seed.h"

namespace xpusim::driver {

using arch::Dataflow;

TileWalker::TileWalker(const OpPlan& plan, const arch::Chip& chip)
    : plan_(plan), chip_(chip), geom_(chip.compute_units()[plan.unit].model->geometry()) {
  if (plan.attention) {
    const AttentionTiling& t = plan.att;
    count_ = {ceil_div(t.shape.batch, t.tile_instances), ceil_div(t.shape.m, t.tile_m), ceil_div(t.shape.ctx, t.tile_ctx)};
  } else if (plan.matrix) {
    const MatrixTiling& t = plan.mat;
    for (std::size_t l = 0; l < 3; ++l) {
      char d = t.order[l];
      count_[l] = d == 'm' ? ceil_div(t.m, t.tile_m) : d == 'n' ? ceil_div(t.n, t.tile_n) : ceil_div(t.k, t.tile_k);
    }
    c_started_.assign(static_cast<std::size_t>(ceil_div(t.m, t.tile_m) * ceil_div(t.n, t.tile_n)), false);
    n_blocks_ = ceil_div(t.n, t.tile_n);
  }
}

bool TileWalker::next_attention(TileStep& s) {
  const AttentionTiling& t = plan_.att;
  const wl::AttentionShape& a = t.shape;
  const std::int64_t ig = idx_[0], im = idx_[1], ic = idx_[2];
  const std::int64_t g = std::min(t.tile_instances, a.batch - ig * t.tile_instances);
  const std::int64_t r0 = im * t.tile_m, em = std::min(t.tile_m, a.m - r0);
  const std::int64_t c0 = ic * t.tile_ctx, ec = std::min(t.tile_ctx, a.ctx - c0);
  // Under a causal mask a Q block stops at the block of the last key its last row sees (FlashAttention
  // skips the blocks above the diagonal), and each row of a block works on the keys it sees.
  std::int64_t blocks = count_[2];
  if (a.causal_past >= 0) blocks = std::min(blocks, (a.causal_past + (r0 + em - 1) / wl::rows_per_position(a)) / t.tile_ctx + 1);
  const bool last_block = ic == blocks - 1;
  const double seen = wl::visible_scores(a, r0, r0 + em, c0, ec);
  const std::int64_t keys = std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seen / static_cast<double>(em))));
  const double gd = static_cast<double>(g * a.head_dim);
  const Bytes q = bytes_of(gd * static_cast<double>(em), t.bits);
  const Bytes kv = bytes_of(2.0 * gd * static_cast<double>(ec), t.kv_bits);
  if (ic == 0) s.load_a = q;
  // A context that fits one block, or the buffers whole, stays for every Q block of its instances:
  // a K/V block is read by the first Q block that reaches it (under a causal mask, a later one).
  if (im == 0) kv_loaded_ = 0;
  const bool kv_stays = count_[2] == 1 || t.kv_resident;
  if (!kv_stays || ic >= kv_loaded_) s.load_b = kv;
  if (kv_stays) kv_loaded_ = std::max(kv_loaded_, ic + 1);
  if (last_block) s.store_c = q;
  s.buffer_read_a = q;
  s.buffer_read_b = kv;
  s.buffer_write_c = last_block ? q : Bytes(0);
  AttentionTasks tasks = attention_tasks(t, plan_.dtype, g, em, keys);
  s.task = tasks.scores;
  s.task.starts_op = first_;
  first_ = false;
  s.softmax = tasks.softmax;
  s.pv = tasks.pv;
  s.pv.fill_drain = last_block;  // one pipeline fill and drain per Q block
  // Next: the following K/V block of this Q block, else the next Q block, else the next instances.
  if (!last_block) {
    ++idx_[2];
    return true;
  }
  idx_[2] = 0;
  if (++idx_[1] < count_[1]) return true;
  idx_[1] = 0;
  if (++idx_[0] < count_[0]) return true;
  finished_ = true;
  return true;
}

bool TileWalker::next_group(TileStep& s) {
  while (group_ < plan_.groups.size()) {
    if (!sub_) sub_ = std::make_unique<TileWalker>(plan_.groups[group_], chip_);
    if (sub_->next(s)) {
      s.task.starts_op = s.task.starts_op && group_ == 0;  // one launch for every expert
      return true;
    }
    sub_.reset();
    ++group_;
  }
  finished_ = true;
  return false;
}

bool TileWalker::next(TileStep& s) {
  if (finished_) return false;
  s = TileStep{};
  if (!plan_.groups.empty()) return next_group(s);
  if (plan_.attention) return next_attention(s);
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
    s.task.special_per_element = v.special_per_element;
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
  if (a_id != last_a_) s.load_a = bytes_of(g * static_cast<double>(em * ek) * t.a_scale, t.in_bits);
  if (b_id != last_b_) s.load_b = bytes_of(g * static_cast<double>(ek * en), t.b_bits);
  if (c_id != last_c_ && c_started_[c_slot]) s.load_c = bytes_of(g * static_cast<double>(em * en), t.out_bits);
  c_started_[c_slot] = true;
  // The last K block finishes C: the fused epilogue runs on it and only what leaves the kernel is stored.
  const bool finished_c = ik == ceil_div(t.k, t.tile_k) - 1;
  if (last || next_c != c_id) s.store_c = bytes_of(g * static_cast<double>(em * en) * (finished_c ? t.out_ratio : 1.0), t.out_bits);
  if (finished_c && t.extra_in > 0) s.load_extra = bytes_of(g * static_cast<double>(em * en) * t.extra_in, t.out_bits);
  if (finished_c && t.epilogue_ops > 0) {
    s.epilogue.cls = arch::TaskClass::kVector;
    s.epilogue.dtype = plan_.dtype;
    s.epilogue.elements = group * em * en;
    s.epilogue.ops_per_element = t.epilogue_ops;
    s.epilogue.special_per_element = t.epilogue_special;
    s.epilogue.fill_drain = false;
    s.epilogue.epilogue = true;
  }
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
  s.task.b_bits = t.b_bits;
  s.task.fill_drain = t_idx == t_blocks - 1;
  s.task.starts_op = first_;
  first_ = false;
  const WeightPlan& w = plan_.weights;
  if (!w.format.dense()) {
    s.task.sparsity = w.format.sparsity;
    s.task.density = w.format.density;
    // Survivors belong to a weight block: every tile that multiplies the block sees the same draw.
    s.task.sparse_seed = mix_seed(w.format.seed, static_cast<std::uint64_t>(ik * n_blocks_ + in));
  }
  s.decode = decode_task(plan_, em, en, ek);

  // Operand traffic between buffers and the array, as SCALE-Sim counts SRAM accesses.
  const std::int64_t rows = std::max<std::int64_t>(1, geom_.rows), cols = std::max<std::int64_t>(1, geom_.cols);
  double ra = g * static_cast<double>(em * ek), rb = g * static_cast<double>(ek * en), wc = g * static_cast<double>(em * en);
  if (geom_.rows > 0) {
    switch (t.dataflow) {
      case Dataflow::kOutputStationary: {
        // Each tile column reads A again and each tile row B; tiles that share a read (a cluster's
        // multicast) share it along whichever side saves more.
        const std::int64_t cols_n = ceil_div(en, cols), rows_m = ceil_div(em, rows), c = geom_.operand_sharing;
        const double a_alone = ra * static_cast<double>(cols_n), b_alone = rb * static_cast<double>(rows_m);
        const double a_shared = ra * static_cast<double>(ceil_div(cols_n, c)), b_shared = rb * static_cast<double>(ceil_div(rows_m, c));
        const bool share_b = (a_alone - a_shared) * t.in_bits <= (b_alone - b_shared) * t.b_bits;
        ra = share_b ? a_alone : a_shared;
        rb = share_b ? b_shared : b_alone;
        if (!s.task.fill_drain) wc = 0;
        break;
      }
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
