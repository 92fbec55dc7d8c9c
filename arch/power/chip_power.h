// SPDX-License-Identifier: MIT
// A chip's power (`chip: power:`): the process node its logic and SRAM are built in, its core voltage,
// the board power it draws idle with the model resident, and its power cap and boost clock with the
// voltage/frequency relation they act through. The chip scales the energies of its on-die components
// with node and voltage; the engine charges the idle floor for the whole run; the clock governor
// (clock_governor.h) runs each kernel at the highest clock that keeps it under the cap.
#pragma once

#include "sim/config/schema.h"
#include "sim/units.h"

namespace xpusim::arch {

struct ChipPowerParams {
  Length node{0};         // the node the chip's logic and SRAM are built in
  Voltage voltage{0};     // core voltage at the configured clocks; 0 = energies taken at the node table's
  Power active_idle{0};   // clocks up, model resident, nothing running: charged for the whole run
  Power tdp{0};           // board power limit; 0 = no cap
  double min_clock = 0.25;          // lowest clock the governor may set, as a fraction of the configured clocks
  double max_clock = 1.0;           // highest (boost) clock, as a fraction of the configured clocks
  Voltage threshold_voltage{0.3};   // alpha-power law: V_t of the logic
  double alpha = 1.3;               // alpha-power law: velocity-saturation exponent
  static const Schema<ChipPowerParams>& schema();

  /// Factor on on-die dynamic energies: (voltage / node-table voltage)^2, 1 without a voltage.
  double voltage_factor() const;
  /// The core voltage at the configured clocks: `voltage`, or the node table's when not given.
  Voltage nominal_voltage() const;
  /// True when the clock governor has work: a cap, or a boost clock above the configured clocks.
  bool governed() const { return tdp.watts() > 0 || max_clock > 1.0; }
};

}  // namespace xpusim::arch
