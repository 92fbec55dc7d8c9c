// SPDX-License-Identifier: MIT
#include "arch/power/chip_power.h"

#include "arch/power/process_node.h"

namespace xpusim::arch {

const Schema<ChipPowerParams>& ChipPowerParams::schema() {
  static const Schema<ChipPowerParams> s = [] {
    using P = ChipPowerParams;
    Schema<P> sc("chip power: process node, core voltage and active-idle board power");
    sc.add("node", &P::node, std::string("process node of the logic and SRAM (") + node_table_range() +
                                 "); scales the energies of components that name their energy_node").required().positive();
    sc.add("voltage", &P::voltage, "core voltage at the configured clocks; on-die energies scale by (voltage / 0.8 V)^2 (0 = not scaled)")
        .at_least(0);
    sc.add("active_idle", &P::active_idle,
           "board power with clocks up and the model resident but nothing running, the components' static power "
           "included; charged for the whole run").at_least(0);
    return sc;
  }();
  return s;
}

double ChipPowerParams::voltage_factor() const {
  if (voltage.volts() <= 0) return 1.0;
  const double v = voltage.volts() / kNodeTableVoltage.volts();
  return v * v;
}

}  // namespace xpusim::arch
