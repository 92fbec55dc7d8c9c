// SPDX-License-Identifier: MIT
// Collective algorithms as schedules of point-to-point transfers (NCCL's ring and tree, pairwise
// all-to-all). Timing is not computed here: the engine issues each step's transfers on the topology's
// links, so contention between collectives and with other traffic comes out of the link reservations.
#pragma once

#include <vector>

#include "arch/interconnect/topology.h"

namespace xpusim::arch {

enum class Collective { kAllReduce, kAllGather, kReduceScatter, kAllToAll };
enum class CollectiveAlgorithm { kRing, kTree };

/// Transfers that may run concurrently; the next step starts when all of them have arrived.
using CollectiveStep = std::vector<Transfer>;

/// The steps of collective `c` over `group` (system chip indices, in ring order) on a buffer of
/// `bytes` per chip (the nccl-tests "size"):
/// - ring all-reduce: reduce-scatter then all-gather, 2(N-1) steps, each chip sends S/N to its successor;
/// - tree all-reduce: reduce up a binary tree then broadcast down it, 2 x depth steps of S;
/// - all-gather and reduce-scatter (ring): N-1 steps of S/N;
/// - all-to-all (pairwise exchange): N-1 steps, in step k chip i sends S/N to chip i+k.
/// A group of one chip has no steps. Chunks are rounded up to whole bytes.
std::vector<CollectiveStep> plan_collective(Collective c, Bytes bytes, const std::vector<int>& group,
                                            CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing);

/// nccl-tests bus bandwidth: algorithm bandwidth (S / time) times the factor that makes it comparable
/// to link bandwidth: 2(N-1)/N for all-reduce, (N-1)/N for all-gather, reduce-scatter and all-to-all.
double bus_bandwidth_factor(Collective c, int group_size);

}  // namespace xpusim::arch
