// SPDX-License-Identifier: MIT
// The mapper decides *what* an op moves and computes on a chip: which unit runs it, which dataflow,
// how it is tiled to fit the unit's buffers (half of each, for double buffering), and in which loop
// order, so that off-chip traffic is least. It never decides how long anything takes.
#pragma once

#include <array>
#include <cstdint>
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
};

/// A GEMM (or im2col conv) tiled as a loop nest over blocks of M, N and K.
struct MatrixTiling {
  arch::Dataflow dataflow = arch::Dataflow::kOutputStationary;
  std::int64_t instances = 1;  // independent GEMMs run back to back (attention heads x batch)
  std::int64_t m = 0, n = 0, k = 0;
  std::int64_t tile_m = 0, tile_n = 0, tile_k = 0;
  std::int64_t tile_instances = 1;  // instances per tile: > 1 only when an instance fits a tile whole
  std::array<char, 3> order{'m', 'n', 'k'};  // outermost first
  int in_bits = 16, b_bits = 16, out_bits = 16;  // B is a weight with its own (e.g. FP4) format
};

struct VectorTiling {
  std::int64_t elements = 0, tile_elements = 0;
  double in_bytes_per_element = 0, out_bytes_per_element = 0;
  double ops_per_element = 1;
};

struct OpPlan {
  std::size_t unit = 0;  // index into Chip::compute_units()
  bool matrix = true;
  MatrixTiling mat;
  VectorTiling vec;
  DataType dtype = DataType::kBf16;
  Bytes offchip_bytes;  // total main-memory traffic the tiles will issue
  std::int64_t tiles = 0;
};

/// Plans `op` on `chip`. Throws ConfigError if no unit can run it or no tile fits the buffers.
OpPlan plan_op(const arch::Chip& chip, const wl::OpNode& op);

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
  const OpPlan& plan_;
  arch::MatrixGeometry geom_;
  std::int64_t instance_ = 0;
  std::array<std::int64_t, 3> idx_{0, 0, 0};  // block index per loop level (outer first)
  std::array<std::int64_t, 3> count_{1, 1, 1};
  std::array<std::int64_t, 3> last_a_{-1, -1, -1}, last_b_{-1, -1, -1}, last_c_{-1, -1, -1};
  std::vector<bool> c_started_;
  std::int64_t c_instance_ = 0;
  std::int64_t vec_done_ = 0;
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
