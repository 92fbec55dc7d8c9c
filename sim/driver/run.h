// SPDX-License-Identifier: MIT
// One simulation of an op graph on one chip or one system's pipeline stages: the op processes, their
// requests to the components, and the ledger they leave behind. Internal to sim/driver: simulate.h
// is the interface.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "arch/system.h"
#include "sim/driver/cache_residency.h"
#include "sim/driver/collective_ops.h"
#include "sim/driver/mapper.h"
#include "sim/driver/placement.h"
#include "sim/driver/simulate.h"
#include "sim/driver/tensor_layout.h"
#include "sim/driver/unit_queue.h"
#include "sim/kernel/kernel.h"

namespace xpusim::driver {

using arch::Completion;
using arch::MemRequest;

/// What one op did: when, what it moved and spent, and how long each resource was busy with it.
struct OpRecord {
  Time start, end;
  Energy energy{0};
  Bytes offchip{0};
  double memory_floor_s = 0;  // sum over off-chip requests of bytes / their peak bandwidth
  Time compute_busy{0}, memory_busy{0}, link_busy{0};
  Time dequant_busy{0};       // weight decode passes, also in compute_busy
  Time paced_busy[3] = {Time{0}, Time{0}, Time{0}};  // the op's own unit's tasks by what paced them (arch::Feed)
  double dequant_ops = 0;
  Cycles cycles{0};
};

/// A simulation in progress. Contract: construct, then execute() once.
class Run {
 public:
  /// `chips[s]` runs the ops of pipeline stage s; `system` (nullptr for a lone chip) carries collectives.
  Run(std::vector<arch::Chip*> chips, const arch::System* system, const wl::OpGraph& graph, const SimOptions& opt);
  /// Runs every op in a fresh SystemC context and assembles the Result.
  Result execute();

 private:
  arch::Chip& chip(wl::OpId id) const { return *chips_[static_cast<std::size_t>(graph_.op(id).stage)]; }

  /// Runs a collective step by step: each step's transfers are issued together on the links (pipelined
  /// ones when the transfer they wait for arrives), and the next step waits for the last of them.
  /// Contention with other traffic comes from the reservations.
  void run_collective(wl::OpId id, kernel::Context& ctx);

  /// Starts every successor of `id` whose inputs are all done.
  void finish(wl::OpId id, kernel::Context& ctx);
  Completion access(arch::MemoryModel& mem, const MemRequest& req, OpRecord& rec, bool offchip);

  void charge(const arch::Component& comp, const Completion& c, OpRecord& rec);

  /// How far an op has streamed through each operand's region: A, B, partial sums of C read back,
  /// and C stored.
  struct Cursors {
    std::uint64_t a = 0, b = 0, c = 0, store = 0, extra = 0;
  };

  /// What an op finds of its tensors in its chip's cache (`chip: cache:`) as it starts, and what its
  /// fills and results push out of it.
  struct CacheShare {
    double a_miss = 1, b_miss = 1;     // fractions of the A-side inputs (A, a residual) and of B read from main memory
    std::uint64_t written_back = 0;    // dirty bytes evicted: written to main memory over the op's tiles
    std::uint64_t paid = 0;            // of those, already written
    std::int64_t tiles_done = 0;
  };
  /// Applies op `id`'s reads (its producers' outputs, B) and its write (C) to the residency of its
  /// stage's cache, and returns what it found. Inputs from another stage or from outside the graph
  /// arrive fresh: they are read from main memory.
  CacheShare cache_share(wl::OpId id);
  /// The write-back bytes a tile issues: an even share of the op's evictions per tile, the rest with the last.
  Bytes write_back(CacheShare& share, const OpPlan& plan, bool last);

  /// Issues the main-memory reads of a tile and the matching buffer writes; returns when all landed.
  /// Weights (B) under a codec are read with its ratio, decoded at the memory interface. With a cache
  /// (`cached`), only the missing fraction of each operand comes from main memory; the rest is read
  /// from the cache, in place when the cache is the buffer itself.
  Time load(const TileStep& s, const arch::ComputeUnit& u, OpRecord& rec, const OpLayout& where,
            Cursors& at, arch::Chip& ch, double codec_ratio, const CacheShare* cached);

  /// Runs the weight decode pass of tile `step` of op `id`, if it has one, once the tile's weights are
  /// in at `loaded`; returns when its MACs may start. Started this early, the pass overlaps the previous
  /// tile's MACs where the unit allows.
  Time decode(wl::OpId id, TileStep& step, Time loaded, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch);

  /// Runs fused element-wise work `task` of op `id` on its plan's epilogue unit from `ready`; returns
  /// when it is done (`ready` when there is none).
  Time run_fused(wl::OpId id, arch::ComputeTask& task, Time ready, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch);

  /// The second half of a fused attention tile whose scores ran as `scores`: the softmax, then P x V on
  /// the op's unit; returns when both are done. A unit that overlaps softmax with the GEMMs
  /// (overlaps_softmax) runs this tile's softmax on its vector pipe from the tile's start, standing in
  /// for the other warpgroup's in a ping-pong schedule, and P x V right after the scores.
  Time run_softmax_pv(wl::OpId id, TileStep& step, const Completion& scores, const arch::ComputeUnit& u, OpRecord& rec, arch::Chip& ch);

  /// Books a task of the op's unit: its busy time and cycles, and what paced it.
  static void count_task(const arch::TaskCost& cost, const Completion& c, OpRecord& rec);

  /// The process of one op: waits for its unit, streams its tiles, finishes.
  void run_op(wl::OpId id, kernel::Context& ctx);

  /// The Result of the finished run (run_result.cpp).
  Result assemble() const;

  /// The resource that limited op `id`: main memory by name when memory-bound; else what paced most
  /// of its unit's time: the unit's operand buffers by name (a GPU's L2 feed), its shared memory, or
  /// the arithmetic itself ("compute").
  std::string bound_level(wl::OpId id, bool compute_bound) const;

  std::vector<arch::Chip*> chips_;
  const arch::System* system_;
  const wl::OpGraph& graph_;
  SimOptions opt_;
  std::vector<OpPlan> plans_;
  /// The clock each op ran at, as a fraction of the configured clocks: the governor's choice for its
  /// kernel (1 on a chip without a governor).
  std::vector<arch::ClockSetting> clock_;
  /// A distinct kernel on a governed chip: what it was predicted to ask, and the clock it gets. Once
  /// the first op of the plan has run, its measured duration corrects the prediction for the rest
  /// (alike layers), as a power controller corrects its estimate by what it measured.
  struct GovernedPlan {
    arch::KernelDemand demand;
    arch::ClockSetting setting;
    bool measured = false;
  };
  std::vector<GovernedPlan> governed_;
  std::vector<std::int32_t> governed_of_;  // per op: its entry of governed_, -1 on a chip without a governor

  /// Corrects op `id`'s plan's prediction by the time the op took (first op of the plan only).
  void correct_demand(wl::OpId id);
  std::vector<OpLayout> layout_;
  /// Per pipeline stage: what its chip's cache holds (empty without a cache). It starts in the state the
  /// same step leaves it in: steps run back to back, as a benchmark measures them after warm-up.
  std::vector<std::optional<CacheResidency>> residency_;
  std::vector<std::vector<wl::OpId>> producers_;  // per op, with a cache only: graph_.predecessors, asked once
  std::vector<OpRecord> records_;
  std::vector<OpRegion> regions_;
  std::map<std::tuple<std::int32_t, std::size_t, std::int32_t>, UnitQueue> queues_;  // stage, unit, region
  std::vector<UnitQueue*> queue_of_;
  std::vector<std::int64_t> microbatch_;  // the "mb<i>/" index of each op's name, 0 without one
  std::vector<std::size_t> pending_inputs_;
  std::unordered_map<const arch::Component*, std::size_t> index_;  // lookup only; output follows chip order
  std::vector<Energy> ledger_;
  std::vector<TraceSpan> timeline_;
  std::string current_op_name_;
  mutable CollectivePlans collectives_;  // a memo: assemble() asks it for floors
};

}  // namespace xpusim::driver
