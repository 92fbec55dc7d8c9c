// SPDX-License-Identifier: MIT
// Ownership of a compute unit (or of one region of a spatial unit) by the ops that run on it.
#pragma once

#include <cstdint>
#include <map>
#include <utility>

#include "sim/kernel/kernel.h"

namespace xpusim::driver {

/// Ops run on a unit one after another. A waiting op of an earlier micro-batch goes first, so a
/// layer's region finishes micro-batch i's work before it takes micro-batch i+1's; otherwise first
/// come, first served.
struct UnitQueue {
  bool busy = false;
  std::map<std::pair<std::int64_t, std::uint64_t>, kernel::Flag*> waiting;  // (micro-batch, arrival)
  std::uint64_t arrivals = 0;
  void acquire(std::int64_t microbatch) {
    if (!busy) {
      busy = true;
      return;
    }
    kernel::Flag turn;
    waiting.emplace(std::make_pair(microbatch, arrivals++), &turn);
    turn.wait();  // ownership is handed over by release()
  }
  void release() {
    if (waiting.empty()) {
      busy = false;
      return;
    }
    kernel::Flag* next = waiting.begin()->second;
    waiting.erase(waiting.begin());
    next->set();
  }
};

}  // namespace xpusim::driver
