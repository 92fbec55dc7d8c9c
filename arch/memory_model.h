// SPDX-License-Identifier: MIT
// Interface of every memory: DRAM devices (HBM, GDDR, LPDDR) and on-chip SRAM buffers.
#pragma once

#include <cstdint>

#include "arch/component.h"

namespace xpusim::arch {

enum class AccessPattern {
  kSequential,  // one contiguous address range: consecutive bursts hit open rows
  kRandom,      // independent accesses of `access_size` bytes at unrelated addresses
};

struct MemRequest {
  Bytes bytes;
  bool write = false;
  AccessPattern pattern = AccessPattern::kSequential;
  Bytes access_size{64};      // granularity of each independent access when pattern is kRandom
  std::uint64_t address = 0;  // start address; lets consecutive requests share open rows
  /// A read of weights stored through the workload's codec: `bytes` are the decoded bytes, of which
  /// the device holds bytes / codec_ratio. 1 = stored plain. Only memories that decode_codec() get
  /// such reads (the mapper refuses the rest).
  double codec_ratio = 1.0;
};

class MemoryModel : public Component {
 public:
  using Component::Component;
  /// Serves `req` issued at `now` (never earlier than the previous call's `now`). Queues behind
  /// requests already accepted, never blocks the caller; returns service start, the time the last
  /// byte is transferred, and the dynamic energy.
  virtual Completion access(const MemRequest& req, Time now) = 0;
  virtual Bytes capacity() const = 0;
  /// Data-sheet peak: the floor of every transfer time (roofline).
  virtual Bandwidth peak_bandwidth() const = 0;
  /// True for a memory with a decoder at its interface (memory/compressed): it serves codec reads.
  virtual bool decodes_codec() const { return false; }
  /// Peak rate, in decoded bytes, of reads with `codec_ratio`: the roofline's floor for such reads.
  virtual Bandwidth codec_peak_bandwidth(double /*codec_ratio*/) const { return peak_bandwidth(); }
  /// Dynamic energy per byte of a long sequential read (or write) at the clocks in force: what the
  /// clock governor (arch/power/clock_governor.h) predicts a kernel's traffic to cost before it runs.
  virtual EnergyPerByte streaming_energy(bool write) const = 0;
  /// Time from issue to first data on an idle device: what every request exposes when nothing
  /// overlaps it. Side-effect free; mappers weigh it against tile size.
  virtual Time idle_latency() const = 0;
  /// True for off-chip memory; its traffic is what ops[].bytes and the roofline count.
  virtual bool off_chip() const = 0;
  /// True when nothing lies behind capacity() (on-chip SRAM used as a chip's main memory, as on
  /// Groq-class chips): a workload that overflows it cannot run, and the engine refuses it. DRAM
  /// answers false: single-chip what-if runs may exceed its capacity (the serving path checks it).
  virtual bool hard_capacity() const { return false; }
};

}  // namespace xpusim::arch
