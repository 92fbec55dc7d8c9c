// SPDX-License-Identifier: MIT
// chip: power: the node table, on-die energies scaled by node and voltage (exactly, and only for
// components that name their energy node), the active-idle floor charged for the whole run, and
// located errors for every misuse.
#include "arch/power/chip_power.h"

#include <catch2/catch.hpp>

#include <string>

#include "arch/chip.h"
#include "arch/power/process_node.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

// A vector unit reading from an SRAM in front of a simple off-chip memory; {POWER} and {NODE} are
// replaced per test.
const std::string kChip = R"(
chip: {name: p, main_memory: far{POWER}}
components:
  - {name: far, type: memory/simple, bandwidth: 100 GB/s, latency: 10 ns, energy_per_byte: 10 pJ/B}
  - {name: buf, type: memory/sram, capacity: 1 MiB, banks: 4, port_width: 64 B, clock: 1 GHz, latency_cycles: 2,
     read_energy: 2 pJ/B, write_energy: 2 pJ/B, leakage_power: 1 W{NODE}}
  - {name: v, type: compute/vector, lanes: 64, clock: 1 GHz, lane_op_energy: 1 pJ, leakage: 2 W, buffer: buf{NODE}}
)";

std::string chip_text(const std::string& power, const std::string& node) {
  std::string s = kChip;
  for (std::size_t at; (at = s.find("{POWER}")) != std::string::npos;) s.replace(at, 7, power);
  for (std::size_t at; (at = s.find("{NODE}")) != std::string::npos;) s.replace(at, 6, node);
  return s;
}

wl::OpGraph relu(std::int64_t elements) {
  wl::OpGraph g("relu");
  wl::OpNode op;
  op.name = "relu";
  op.kind = wl::OpKind::kElementwise;
  op.dtype = DataType::kBf16;
  op.shape = wl::VectorShape{elements, 1, 0};
  g.add_op(op);
  return g;
}

double joules(const Result& r, const std::string& component) {
  for (const auto& [name, j] : r.energy_breakdown_j) {
    if (name == component) return j;
  }
  FAIL("no energy entry " << component);
  return 0;
}

}  // namespace

TEST_CASE("the node table gives Accelergy's factors and interpolates between its rows", "[power]") {
  CHECK(*node_energy_ratio(Length(45e-9), Length(4e-9)) == Approx(0.071));
  CHECK(*node_energy_ratio(Length(16e-9), Length(4e-9)) == Approx(0.071 / 0.174));
  CHECK(*node_energy_ratio(Length(4e-9), Length(4e-9)) == 1.0);
  // 12 nm lies between the 14 nm (0.139) and 10 nm (0.118) rows.
  const double twelve = *node_energy_ratio(Length(45e-9), Length(12e-9));
  CHECK(twelve < 0.139);
  CHECK(twelve > 0.118);
  CHECK_FALSE(node_energy_ratio(Length(65e-9), Length(4e-9)));
  CHECK_FALSE(node_energy_ratio(Length(45e-9), Length(2e-9)));
}

TEST_CASE("on-die energies scale by node and voltage, off-chip and unmarked ones do not", "[power]") {
  auto plain = Chip::build(ConfigNode::load_string(chip_text("", ""), "p.yaml"));
  auto scaled = Chip::build(ConfigNode::load_string(
      chip_text(", power: {node: 4 nm, voltage: 0.9 V}", ", energy_node: 45 nm"), "p.yaml"));
  const double factor = 0.071 * (0.9 / 0.8) * (0.9 / 0.8);
  CHECK(scaled->find("v")->energy_scale() == Approx(factor));
  CHECK(scaled->find("far")->energy_scale() == 1.0);

  const wl::OpGraph g = relu(1 << 20);
  const Result a = simulate(*plain, g);
  const Result b = simulate(*scaled, g);
  CHECK(b.latency_s == a.latency_s);  // energy only: no clock changes
  // Each breakdown entry is dynamic + static x time; static power is not a node-scaled energy.
  for (const std::string name : {"buf", "v"}) {
    const double leak = (name == "buf" ? 1.0 : 2.0) * a.latency_s;
    CHECK(joules(b, name) - leak == Approx((joules(a, name) - leak) * factor));
  }
  CHECK(joules(b, "far") == joules(a, "far"));
  double sum = 0;
  for (const auto& [name, j] : b.energy_breakdown_j) sum += j;
  CHECK(sum == Approx(b.energy_j).epsilon(1e-12));

  // A chip whose block names its node but no component its energy node scales nothing.
  auto unmarked = Chip::build(ConfigNode::load_string(chip_text(", power: {node: 4 nm, voltage: 0.9 V}", ""), "p.yaml"));
  CHECK(simulate(*unmarked, g).energy_j == a.energy_j);
}

TEST_CASE("active idle is charged for the whole run, the components' static power inside it", "[power]") {
  auto chip = Chip::build(ConfigNode::load_string(chip_text(", power: {node: 7 nm, active_idle: 50 W}", ""), "p.yaml"));
  CHECK(chip->static_power().watts() == Approx(50.0));
  CHECK(chip->uncore_static_power().watts() == Approx(47.0));  // 50 W less the SRAM's 1 W and the unit's 2 W
  const Result r = simulate(*chip, relu(1 << 20));
  CHECK(joules(r, "active_idle") == Approx(47.0 * r.latency_s));
  CHECK(r.avg_power_w > 50.0);
  double sum = 0;
  for (const auto& [name, j] : r.energy_breakdown_j) sum += j;
  CHECK(sum == Approx(r.energy_j).epsilon(1e-12));
}

TEST_CASE("misused power keys are located errors", "[power]") {
  auto error_of = [](const std::string& yaml) {
    try {
      Chip::build(ConfigNode::load_string(yaml, "p.yaml"));
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of(chip_text("", ", energy_node: 45 nm")), Catch::Contains("needs the chip's node") && Catch::Contains("p.yaml:"));
  CHECK_THAT(error_of(chip_text(", power: {node: 4 nm}", ", energy_node: 90 nm")), Catch::Contains("node table"));
  CHECK_THAT(error_of(chip_text(", power: {node: 4 nm}", ", energy_node: 45 pJ")), Catch::Contains("energy_node"));
  CHECK_THAT(error_of(chip_text(", power: {node: 1 nm}", "")), Catch::Contains("'node' must lie in the node table"));
  CHECK_THAT(error_of(chip_text(", power: {node: 4 nm, active_idle: 2 W}", "")), Catch::Contains("below the components' static power"));
  CHECK_THAT(error_of(chip_text(", power: {node: 4 nm, actve_idle: 2 W}", "")), Catch::Contains("did you mean 'active_idle'"));
  CHECK_THAT(error_of(chip_text(", static_power: 3 W, power: {node: 4 nm}", "")), Catch::Contains("not both"));
  std::string dram_marked = chip_text(", power: {node: 4 nm}", "");
  dram_marked.replace(dram_marked.find("energy_per_byte: 10 pJ/B"), 24, "energy_per_byte: 10 pJ/B, energy_node: 45 nm");
  CHECK_THAT(error_of(dram_marked), Catch::Contains("off-chip"));
}
