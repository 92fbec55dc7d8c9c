// SPDX-License-Identifier: MIT
// On-chip SRAM buffer: banks x port width bytes per cycle at its clock, a fixed access latency, and
// one first-come-first-served reservation for contention.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct SramParams {
  Bytes capacity{0};
  std::int64_t banks = 0;
  Bytes port_width{0};              // bytes per cycle per bank
  Frequency clock{0};
  std::int64_t latency_cycles = 0;  // request to first data
  EnergyPerByte read_energy{0}, write_energy{0};
  Power leakage_power{0};

  static const Schema<SramParams>& schema();
};

class Sram final : public MemoryModel {
 public:
  Sram(ComponentContext ctx, const SramParams& p);

  /// Serves `req` issued at `now`: waits for earlier requests, then occupies all banks for
  /// ceil(bytes / (banks x port_width)) cycles (random accesses narrower than a port waste the rest
  /// of it). `done` adds latency_cycles. Energy = bytes x read/write energy per byte.
  Completion access(const MemRequest& req, Time now) override;
  Bytes capacity() const override { return p_.capacity; }
  /// banks x port_width x clock.
  Bandwidth peak_bandwidth() const override;
  Time idle_latency() const override;
  EnergyPerByte streaming_energy(bool write) const override { return (write ? p_.write_energy : p_.read_energy) * energy_scale(); }
  bool off_chip() const override { return false; }
  /// An SRAM has no backing store: as a chip's main memory, what does not fit cannot run.
  bool hard_capacity() const override { return true; }
  /// Leakage, W.
  Power static_power() const override { return p_.leakage_power; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

 private:
  SramParams p_;
  Clock clock_;
  Reservation ports_;
  Bytes bytes_read_{0}, bytes_written_{0};
  std::int64_t bank_cycles_ = 0;
  Energy dynamic_energy_{0};
};

}  // namespace xpusim::arch
