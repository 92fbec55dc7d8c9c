// SPDX-License-Identifier: MIT
// Main memory whose low addresses are on-chip SRAM banks and whose high addresses spill to a backing
// memory (LPDDR, an external weight store): at-memory grids and wafer-scale chips keep resident data
// on chip and touch the backing memory only for what does not fit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

struct TieredMemoryParams {
  Bytes capacity{0};                // on-chip window: addresses [0, capacity) live in the banks
  std::int64_t banks = 0;
  Bytes port_width{0};              // bytes per cycle per bank
  Frequency clock{0};
  std::int64_t latency_cycles = 0;
  EnergyPerByte read_energy{0};     // bank SRAM read, to the processing elements beside the bank
  EnergyPerByte write_energy{0};    // bank SRAM write
  EnergyPerByte transfer_energy{0}; // moving a written byte to the banks that consume it
  Bandwidth transfer_bandwidth{0};  // aggregate row/column transfer bandwidth for writes (0 = banks)
  Power leakage_power{0};
  std::string backing;              // component serving addresses >= capacity

  static const Schema<TieredMemoryParams>& schema();
};

class TieredMemory final : public MemoryModel {
 public:
  TieredMemory(ComponentContext ctx, const TieredMemoryParams& p);

  /// Resolves `backing` to another memory of the chip; reports a missing or non-memory name.
  void connect(const Chip& chip, Diagnostics& diag) override;
  /// Splits [address, address + bytes) at the window edge. The on-chip part occupies all banks for
  /// ceil(bytes / (banks x port_width)) cycles (writes also the transfer network, if slower) and costs
  /// read_energy or write_energy + transfer_energy per byte; the rest is forwarded to the backing
  /// memory at address - capacity, and its energy is included in the returned completion.
  Completion access(const MemRequest& req, Time now) override;
  /// On-chip window plus the backing memory's capacity.
  Bytes capacity() const override;
  /// Banks plus backing memory (the two serve their parts in parallel): a floor for every request.
  Bandwidth peak_bandwidth() const override;
  Time idle_latency() const override;
  bool off_chip() const override { return false; }
  /// The banks' energy (a write also its transfer to the consumers' banks): the window's, not the spill's.
  EnergyPerByte streaming_energy(bool write) const override;
  Power static_power() const override { return p_.leakage_power; }
  std::vector<Stat> stats() const override;
  void reset() override;
  void set_clock_ratio(double ratio) override { clock_ = Clock(Frequency(p_.clock.hz() * ratio)); }

  /// Peak bandwidth of the on-chip banks: banks x port_width x clock.
  Bandwidth bank_bandwidth() const;
  /// Bytes forwarded to the backing memory so far (reads + writes).
  Bytes spilled_bytes() const { return spill_read_ + spill_written_; }

 private:
  TieredMemoryParams p_;
  Clock clock_;
  MemoryModel* backing_ = nullptr;
  Reservation banks_, transfer_;
  Bytes onchip_read_{0}, onchip_written_{0}, spill_read_{0}, spill_written_{0};
  Energy bank_energy_{0}, transfer_energy_{0}, spill_energy_{0};
};

}  // namespace xpusim::arch
