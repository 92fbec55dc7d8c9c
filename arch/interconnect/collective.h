// SPDX-License-Identifier: MIT
// Collective algorithms as schedules of transfers (NCCL's ring and tree, NVLink SHARP in the switch,
// direct all-pairs exchange on fully connected meshes). Timing is not computed here: the engine issues
// each step's transfers on the topology's links, so contention between collectives and with other
// traffic comes out of the link reservations.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "arch/interconnect/topology.h"

namespace xpusim::arch {

enum class Collective { kAllReduce, kAllGather, kReduceScatter, kAllToAll };

/// kAuto picks, per collective and size, the algorithm with the least estimated time (see
/// choose_algorithm), as NCCL's tuner does.
enum class CollectiveAlgorithm { kRing, kTree, kNvls, kDirect, kAuto };

std::string to_string(CollectiveAlgorithm a);
/// "ring" | "tree" | "nvls" | "direct" | "auto"; nullopt for anything else.
std::optional<CollectiveAlgorithm> parse_algorithm(const std::string& s);

/// Transfers that may run concurrently.
using CollectiveStep = std::vector<Transfer>;

/// One collective as steps; the transfers of a step run concurrently (a transfer with `after` >= 0
/// waits for that earlier transfer of the same step: a pipeline), and the next step starts when all
/// of them have arrived.
struct CollectivePlan {
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing;
  std::vector<int> group;  // system chip indices; the members of switch reductions and multicasts
  std::vector<CollectiveStep> steps;
};

/// The steps of collective `c` over `group` (system chip indices, in ring order) on a buffer of
/// `bytes` per chip (the nccl-tests "size"):
/// - ring all-reduce: reduce-scatter then all-gather, 2(N-1) steps, each chip sends S/N to its successor;
/// - tree all-reduce: reduce up a binary tree then broadcast down it, 2 x depth steps of S;
/// - nvls all-reduce (NCCL 2.17+ on NVSwitch 3/4): chip j owns 1/N of the buffer; per pipeline chunk the
///   switch pulls every chip's share of j's part, reduces it and returns it to j (multimem.ld_reduce), then
///   j stores it once to the switch, which multicasts it to every chip (multimem.st). Each link carries
///   S (N+1)/N each way instead of the ring's 2 S (N-1)/N; the reduce of chunk k+1 overlaps the multicast
///   of chunk k. Chunks: NCCL's 128 KiB NVLS chunk, at most 64 per collective;
/// - direct (fully connected meshes): every chip exchanges its 1/N pieces with every other chip at once
///   over its own link: reduce-scatter and all-gather in one step each (all-reduce: both). It loads every
///   link of the mesh evenly, the bytes per link NCCL's concurrent rings over all links move;
/// - all-gather and reduce-scatter (ring): N-1 steps of S/N;
/// - all-to-all (pairwise exchange): N-1 steps, in step k chip i sends S/N to chip i+k.
/// `topology` is needed for nvls (the switch's efficiency) and kAuto; it may be null otherwise. Throws
/// std::invalid_argument for an algorithm the collective or the topology does not support.
/// A group of one chip has no steps. Chunks are rounded up to whole bytes.
CollectivePlan plan_collective(Collective c, Bytes bytes, const std::vector<int>& group,
                               CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing,
                               const Topology* topology = nullptr);

/// Whether `algorithm` can run collective `c` on `topology` (nvls: all-reduce on an NVLS switch;
/// tree: all-reduce; direct: any collective on any topology).
bool supports(CollectiveAlgorithm algorithm, Collective c, const Topology& topology);

/// Contention-free time of a plan on an idle topology: per step, the most loaded channel's bytes over
/// its bandwidth plus (with `latency`) the longest latency of a transfer and the one it waits for.
/// Without latency it is a floor no run of the plan can beat.
Time estimate(const Topology& topology, const CollectivePlan& plan, bool latency = true);

/// The algorithm NCCL's tuner would pick: the least estimate among ring, tree and nvls on a switch,
/// and ring and direct on a mesh (standing for NCCL's rings over every link), for this size.
CollectiveAlgorithm choose_algorithm(Collective c, Bytes bytes, const std::vector<int>& group, const Topology& topology);

/// Issues step `s` of `plan` on `topology` at `now`; returns when its last transfer has arrived and
/// the energy spent.
Completion issue_step(const Topology& topology, const CollectivePlan& plan, std::size_t s, Time now);

/// nccl-tests bus bandwidth: algorithm bandwidth (S / time) times the factor that makes it comparable
/// to link bandwidth: 2(N-1)/N for all-reduce, (N-1)/N for all-gather, reduce-scatter and all-to-all.
/// The factor does not depend on the algorithm (so NVLS busbw exceeds the link rate, as in nccl-tests).
double bus_bandwidth_factor(Collective c, int group_size);

}  // namespace xpusim::arch
