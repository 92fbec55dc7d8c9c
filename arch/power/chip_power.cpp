// SPDX-License-Identifier: MIT
#include "arch/power/chip_power.h"

#include "arch/power/process_node.h"

namespace xpusim::arch {

const Schema<ChipPowerParams>& ChipPowerParams::schema() {
  static const Schema<ChipPowerParams> s = [] {
    using P = ChipPowerParams;
    Schema<P> sc("chip power: process node, core voltage, active-idle board power and the power cap");
    sc.add("node", &P::node, std::string("process node of the logic and SRAM (") + node_table_range() +
                                 "); scales the energies of components that name their energy_node").required().positive();
    sc.add("voltage", &P::voltage, "core voltage at the configured clocks; on-die energies scale by (voltage / 0.8 V)^2 (0 = not scaled)")
        .at_least(0);
    sc.add("active_idle", &P::active_idle,
           "board power with clocks up and the model resident but nothing running, the components' static power "
           "included; charged for the whole run").at_least(0);
    sc.add("tdp", &P::tdp,
           "board power limit: a kernel that would draw more runs at the highest clock (and its voltage) that fits, "
           "on every on-die component; 0 = no cap").at_least(0);
    sc.add("min_clock", &P::min_clock, "lowest clock the cap may set, as a fraction of the configured clocks (0.05-1)")
        .at_least(0.05).at_most(1);
    sc.add("max_clock", &P::max_clock,
           "highest clock the chip boosts to while the cap allows, as a fraction of the configured (data-sheet) clocks; "
           "its voltage follows the alpha-power law").at_least(1).at_most(2);
    sc.add("threshold_voltage", &P::threshold_voltage,
           "V_t of the alpha-power law f ~ (V - V_t)^alpha / V (Sakurai & Newton, IEEE JSSC 25(2), 1990) that gives "
           "the voltage at another clock; ASSUMPTION 0.3 V for FinFET logic").at_least(0);
    // Above 1, the clock a voltage allows grows without bound, so every boost clock has a voltage.
    sc.add("alpha", &P::alpha, "velocity-saturation exponent of the alpha-power law, above 1; ASSUMPTION 1.3 (short-channel devices: 1.2-1.5)")
        .above(1).at_most(2);
    return sc;
  }();
  return s;
}

double ChipPowerParams::voltage_factor() const {
  if (voltage.volts() <= 0) return 1.0;
  const double v = voltage.volts() / kNodeTableVoltage.volts();
  return v * v;
}

Voltage ChipPowerParams::nominal_voltage() const { return voltage.volts() > 0 ? voltage : kNodeTableVoltage; }

}  // namespace xpusim::arch
