// SPDX-License-Identifier: MIT
// An off-chip memory that never limits: SCALE-Sim's CALC interface mode, where DRAM is assumed to
// deliver whatever the SRAMs ask for. Counts bytes and energy; transfers cost only a fixed latency.
#pragma once

#include <cstdint>

#include "arch/memory/traffic_count.h"
#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct IdealMemoryParams {
  Time latency{0};
  EnergyPerByte energy_per_byte{0};
  Bytes capacity{std::int64_t{1} << 50};  // 1 PiB: "holds any workload", as SCALE-Sim's DRAM does

  static const Schema<IdealMemoryParams>& schema();
};

class IdealMemory final : public MemoryModel {
 public:
  /// The value peak_bandwidth() reports: 1 EB/s. Transfers are not bandwidth-limited at all, but the
  /// roofline divides bytes by peak bandwidth, so it must be finite: at 1e18 B/s a 1 GB transfer is
  /// bounded at 1 ns (below any compute time that matters), and Bandwidth * Time stays within int64
  /// bytes for spans up to 9 s.
  static constexpr double kUnboundedBytesPerSecond = 1e18;

  IdealMemory(ComponentContext ctx, const IdealMemoryParams& p);

  /// Starts at `now` (no queueing) and completes `latency` later, whatever the size.
  Completion access(const MemRequest& req, Time now) override;
  Bytes capacity() const override { return p_.capacity; }
  /// kUnboundedBytesPerSecond (see there).
  Bandwidth peak_bandwidth() const override { return Bandwidth(kUnboundedBytesPerSecond); }
  Time idle_latency() const override { return p_.latency; }
  bool off_chip() const override { return true; }
  EnergyPerByte streaming_energy(bool /*write*/) const override { return p_.energy_per_byte; }
  std::vector<Stat> stats() const override;
  void reset() override;

 private:
  IdealMemoryParams p_;
  TrafficCount traffic_;
};

}  // namespace xpusim::arch
