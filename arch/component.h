// SPDX-License-Identifier: MIT
// Base of every hardware model: a named component that owns its timing, its statistics and its energy.
#pragma once

#include <string>
#include <vector>

#include "sim/config/config_error.h"
#include "sim/units.h"

namespace xpusim::arch {

class Chip;

/// Identity of a component as written in the chip config.
struct ComponentContext {
  std::string name;
  std::string type;
  SourceMark mark;
};

/// What serving one request cost: when service began (after queueing), when it completed, and the
/// dynamic energy it spent. `done - start` is the time the component was busy with it.
struct Completion {
  Time start;
  Time done;
  Energy energy;
};

/// A named statistic with its unit, reported at the end of a run.
struct Stat {
  std::string key;
  double value = 0;
  std::string unit;
  std::string doc;
};

class Component {
 public:
  explicit Component(ComponentContext ctx) : ctx_(std::move(ctx)) {}
  virtual ~Component() = default;
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  const std::string& name() const { return ctx_.name; }
  const std::string& type() const { return ctx_.type; }
  const SourceMark& mark() const { return ctx_.mark; }

  /// Resolves references to other components by name. Called once, after every component of the chip
  /// exists; problems go to `diag` (the chip builder throws them all together).
  virtual void connect(const Chip& /*chip*/, Diagnostics& /*diag*/) {}
  /// Power drawn busy or idle (leakage, refresh, clock tree); charged for the whole run.
  virtual Power static_power() const { return Power(0); }
  /// Multiplier on every dynamic energy the component charges and estimates: 1 unless its chip has a
  /// `power:` block, whose process node and voltage in force scale on-die energies (arch/power/chip_power.h).
  void set_energy_scale(double scale) { energy_scale_ = scale; }
  double energy_scale() const { return energy_scale_; }
  /// Runs the component at `ratio` x its configured clock, as the chip's clock governor set it for a
  /// kernel (below 1 under the power cap, above 1 boosting). Timing follows; data-sheet peaks
  /// (peak_rate, peak_bandwidth) stay at the configured clock. Off-chip memories have clocks of their
  /// own and ignore it.
  virtual void set_clock_ratio(double /*ratio*/) {}
  /// Statistics of the run so far, each with its unit.
  virtual std::vector<Stat> stats() const { return {}; }
  /// Back to the state right after construction, so one chip serves many runs.
  virtual void reset() = 0;

 private:
  ComponentContext ctx_;
  double energy_scale_ = 1.0;
};

/// A resource that serves one request at a time, first come first served. Requests are issued in
/// simulated-time order by the engine, so `busy_until` models queueing and contention exactly.
class Reservation {
 public:
  /// Occupies the resource for `duration` starting no earlier than `now`; returns the start time.
  Time reserve(Time now, Time duration) {
    Time start = now > busy_until_ ? now : busy_until_;
    busy_until_ = start + duration;
    busy_total_ += duration;
    return start;
  }
  Time busy_until() const { return busy_until_; }
  /// Sum of all reserved durations.
  Time busy_total() const { return busy_total_; }
  void reset() { *this = Reservation{}; }

 private:
  Time busy_until_{};
  Time busy_total_{};
};

}  // namespace xpusim::arch
