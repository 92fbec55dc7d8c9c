// SPDX-License-Identifier: MIT
// One DRAM model for HBM2e/HBM3/HBM3e, GDDR6 and LPDDR5: a request is striped over independent channels,
// and each channel is timed from its data bus, row activations (tRRD, tFAW, tRC), refresh and turnaround.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "arch/memory_model.h"
#include "sim/config/schema.h"

namespace xpusim::arch {

/// Physical parameters of a DRAM device set. Timings are JEDEC names in absolute time, not cycles.
struct DramParams {
  Bytes capacity{0};
  std::int64_t channels = 0;         // independent channels (pseudo-channels for HBM) over all devices
  std::int64_t bus_width_bits = 0;   // data pins per channel
  Frequency data_rate{0};            // transfers per second per pin
  std::int64_t banks = 0;            // banks per channel
  Bytes row_size{0};                 // page opened by one ACT, per channel
  std::int64_t burst_length = 0;     // beats per column access
  Bytes interleave{256};             // consecutive addresses move to the next channel after this many bytes
  Time t_rcd{0}, t_rp{0}, t_cl{0}, t_ras{0};
  Time t_rrd{0}, t_faw{0};
  Time t_rfc{0}, t_refi{0};
  Time t_wtr{0}, t_rtw{0};
  EnergyPerByte read_energy{0}, write_energy{0};
  Energy act_energy{0};
  Power background_power{0};

  static const Schema<DramParams>& schema();
  /// Cross-field checks (refresh interval longer than refresh, channels dividing capacity, ...).
  void check(const std::string& context, const SourceMark& mark, Diagnostics& diag) const;
};

class Dram final : public MemoryModel {
 public:
  Dram(ComponentContext ctx, const DramParams& p);

  /// Serves `req` issued at `now`: per touched channel, queues behind earlier work, then occupies the
  /// channel for data bursts or activations (whichever binds), turnaround and any refresh falling
  /// inside. `done` adds the access latency (tRP + tRCD + tCL on a row miss). O(runs of alike channels).
  Completion access(const MemRequest& req, Time now) override;
  Bytes capacity() const override { return p_.capacity; }
  /// channels x bus width x data rate / 8.
  Bandwidth peak_bandwidth() const override;
  /// Precharge, activate and CAS: a request to a closed bank of an idle channel.
  Time idle_latency() const override { return p_.t_rp + p_.t_rcd + p_.t_cl; }
  bool off_chip() const override { return true; }
  /// Per-byte energy plus one activation per row streamed.
  EnergyPerByte streaming_energy(bool write) const override;
  /// Background (standby) power of all devices, W.
  Power static_power() const override { return p_.background_power; }
  std::vector<Stat> stats() const override;
  void reset() override;
  const DramParams& params() const { return p_; }

 private:
  enum class Direction : std::uint8_t { kNone, kRead, kWrite };
  /// What later requests see of a channel.
  struct Channel {
    Time busy_until{0};
    std::int64_t open_row = -1;  // row left open by the last sequential access; -1 = none known
    bool touched = false;        // false: all banks precharged (power-up / reset)
    Direction last = Direction::kNone;
    bool operator==(const Channel&) const = default;
  };
  /// Consecutive channels in the same state, [end of the previous run, end). A long stream leaves every
  /// channel alike, so a request costs O(runs), not O(channels): 192 channels are usually a few runs.
  struct Run {
    std::int64_t end = 0;
    Channel state;
  };
  /// What one request asks of each channel in [begin, end).
  struct Share {
    std::int64_t begin = 0, end = 0;
    std::int64_t bursts = 0;
    std::int64_t rows = 0;        // rows the share spans; all need an activation unless the first is open
    std::int64_t row_first = -1;  // row of the first access, -1: an unrelated (random) address
    std::int64_t row_last = -1;   // row left open afterwards, -1 when unknown
    Time data_per_activation{0};  // data-bus time spent in each opened row (sets the bank cycle)
    std::optional<Time> occupancy[2];  // occupancy() by whether the first row is open, worked out once
  };

  /// The shares of a request, in channel order; channels it does not touch have none.
  void split_sequential(const MemRequest& req);
  void split_random(const MemRequest& req);
  /// Time the channel is occupied by `bursts` needing `activations` before refresh and turnaround.
  Time occupancy(std::int64_t bursts, std::int64_t activations, Time data_per_activation) const;
  /// End of `work` started at `start` once refresh windows falling inside are added; adds the
  /// stolen time to `stolen`.
  Time with_refresh(Time start, Time work, Time& stolen) const;
  Time data_time(std::int64_t bursts) const;

  DramParams p_;
  Bytes burst_bytes_;
  double burst_seconds_;    // one burst on the data bus: burst_length / data_rate
  std::int64_t row_bursts_; // bursts that fill one row
  Time row_data_time_;      // data time of a whole row, the common case of data_per_activation
  std::vector<Run> runs_;       // covers channels [0, channels)
  std::vector<Run> next_runs_;  // scratch for the runs after a request
  std::vector<Share> shares_;   // the request being served
  std::int64_t random_cursor_ = 0;  // where the next random request's first access lands

  Bytes bytes_read_{0}, bytes_written_{0};
  std::int64_t activations_ = 0, row_hits_ = 0, row_misses_ = 0, turnarounds_ = 0;
  Time refresh_time_{0};
  Time busy_time_{0};  // reserved time summed over channels
  Energy dynamic_energy_{0};
};

}  // namespace xpusim::arch
