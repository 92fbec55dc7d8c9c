// SPDX-License-Identifier: MIT
// An off-chip memory with one fixed latency and one fixed bandwidth shared by all requests, first come
// first served: SCALE-Sim's USER interface mode (Bandwidth words per cycle).
#pragma once

#include <cstdint>

#include "arch/memory/traffic_count.h"
#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct SimpleMemoryParams {
  Bandwidth bandwidth{0};
  Time latency{0};
  Frequency clock{0};
  EnergyPerByte energy_per_byte{0};
  Bytes capacity{std::int64_t{1} << 50};  // 1 PiB: "holds any workload", as SCALE-Sim's DRAM does

  static const Schema<SimpleMemoryParams>& schema();
};

class SimpleMemory final : public MemoryModel {
 public:
  SimpleMemory(ComponentContext ctx, const SimpleMemoryParams& p);

  /// The channel is occupied for transfer_time(bytes) after every earlier request; the last byte
  /// arrives `latency` after the transfer ends (latency is pipelined: it does not hold the channel).
  Completion access(const MemRequest& req, Time now) override;
  /// bytes / bandwidth; with a clock, rounded up to whole cycles of bandwidth/clock bytes each.
  Time transfer_time(Bytes bytes) const;
  Bytes capacity() const override { return p_.capacity; }
  Bandwidth peak_bandwidth() const override { return p_.bandwidth; }
  Time idle_latency() const override { return p_.latency; }
  bool off_chip() const override { return true; }
  EnergyPerByte streaming_energy(bool /*write*/) const override { return p_.energy_per_byte; }
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  SimpleMemoryParams p_;
  Reservation channel_;
  TrafficCount traffic_;
  Time queue_delay_{0};
};

}  // namespace xpusim::arch
