// SPDX-License-Identifier: MIT
// What a memory has served, for its stats: requests and bytes by direction, and their dynamic energy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/memory_model.h"

namespace xpusim::arch {

struct TrafficCount {
  std::int64_t reads = 0, writes = 0;
  Bytes bytes_read{0}, bytes_written{0};
  Energy energy{0};

  void record(const MemRequest& req, Energy e) {
    if (req.write) {
      ++writes;
      bytes_written += req.bytes;
    } else {
      ++reads;
      bytes_read += req.bytes;
    }
    energy += e;
  }

  /// reads, writes, bytes_read, bytes_written and dynamic_energy, documented as `energy_doc`.
  std::vector<Stat> stats(const std::string& energy_doc) const {
    return {
        {"reads", static_cast<double>(reads), "count", "read requests"},
        {"writes", static_cast<double>(writes), "count", "write requests"},
        {"bytes_read", static_cast<double>(bytes_read.count()), "B", "bytes read"},
        {"bytes_written", static_cast<double>(bytes_written.count()), "B", "bytes written"},
        {"dynamic_energy", energy.joules(), "J", energy_doc},
    };
  }
};

}  // namespace xpusim::arch
