// SPDX-License-Identifier: MIT
// A chip's power (`chip: power:`): the process node its logic and SRAM are built in, its core voltage,
// and the board power it draws idle with the model resident. The chip scales the energies of its
// on-die components with node and voltage; the engine charges the idle floor for the whole run.
#pragma once

#include "sim/config/schema.h"
#include "sim/units.h"

namespace xpusim::arch {

struct ChipPowerParams {
  Length node{0};         // the node the chip's logic and SRAM are built in
  Voltage voltage{0};     // core voltage at the configured clocks; 0 = energies taken at the node table's
  Power active_idle{0};   // clocks up, model resident, nothing running: charged for the whole run
  static const Schema<ChipPowerParams>& schema();

  /// Factor on on-die dynamic energies: (voltage / node-table voltage)^2, 1 without a voltage.
  double voltage_factor() const;
};

}  // namespace xpusim::arch
