// SPDX-License-Identifier: MIT
// memory/tiered: the on-chip window and its spill, by hand; on speedAI240, a layer whose weights are
// resident causes no LPDDR traffic and moves its bytes at a fraction of DRAM energy.
#include "arch/memory/tiered_memory.h"

#include <catch2/catch.hpp>

#include <string>

#include "arch/chip.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

// 1 KiB window of 4 banks x 8 B at 1 GHz (32 B/ns) in front of a 1 GB/s simple memory.
const char* kChip = R"(
chip: {name: t, main_memory: win}
components:
  - {name: far, type: memory/simple, bandwidth: 1 GB/s, latency: 10 ns, energy_per_byte: 100 pJ/B}
  - {name: win, type: memory/tiered, capacity: 1 KiB, banks: 4, port_width: 8 B, clock: 1 GHz, latency_cycles: 1,
     read_energy: 1 pJ/B, write_energy: 2 pJ/B, transfer_energy: 0.5 pJ/B, leakage_power: 0 W, backing: far}
  - {name: buf, type: memory/sram, capacity: 1 MiB, banks: 1, port_width: 64 B, clock: 1 GHz, latency_cycles: 0,
     read_energy: 0 pJ/B, write_energy: 0 pJ/B, leakage_power: 0 W}
  - {name: v, type: compute/vector, lanes: 8, clock: 1 GHz, buffer: buf}
)";

double stat(const Component& c, const std::string& key) {
  for (const auto& s : c.stats()) {
    if (s.key == key) return s.value;
  }
  FAIL("no stat " << key);
  return 0;
}

}  // namespace

TEST_CASE("tiered memory serves the window from banks and the rest from the backing memory", "[tiered]") {
  auto chip = Chip::build(ConfigNode::load_string(kChip, "t.yaml"));
  auto& win = dynamic_cast<TieredMemory&>(chip->main_memory());
  CHECK(win.bank_bandwidth().bytes_per_second() == Approx(32e9));
  CHECK(win.peak_bandwidth().bytes_per_second() == Approx(33e9));  // both tiers in parallel
  CHECK_FALSE(win.off_chip());

  // 320 B inside the window: 320 / 32 = 10 cycles + 1 latency; read energy 1 pJ/B.
  Completion c = win.access(MemRequest{Bytes(320), false, AccessPattern::kSequential, Bytes(64), 0}, Time(0));
  CHECK(c.done == Time(11000));
  CHECK(c.energy.pj() == Approx(320.0));
  CHECK(win.spilled_bytes() == Bytes(0));

  // A write straddling the edge: 24 B in the window (bank + transfer energy), 1000 B spilled.
  win.reset();
  c = win.access(MemRequest{Bytes(1024), true, AccessPattern::kSequential, Bytes(64), 1000}, Time(0));
  CHECK(win.spilled_bytes() == Bytes(1000));
  CHECK(c.energy.pj() == Approx(24 * 2.5 + 1000 * 100.0));
  // The spill is bound by the backing memory: 1000 B at 1 GB/s = 1 us, plus its 10 ns latency.
  CHECK(c.done == Time(1'010'000));
  CHECK(stat(win, "transfer_energy") == Approx(24 * 0.5e-12));
}

TEST_CASE("a bad backing reference is a clear config error", "[tiered]") {
  std::string bad = kChip;
  bad.replace(bad.find("backing: far"), 12, "backing: fra");
  REQUIRE_THROWS_WITH(Chip::build(ConfigNode::load_string(bad, "t.yaml")),
                      Catch::Contains("'backing' names 'fra', which is not a memory of this chip") &&
                          Catch::Contains("far"));
}

TEST_CASE("speedAI240: a layer whose weights are resident causes no DRAM traffic", "[tiered][speedai240]") {
  auto chip = Chip::load(kRoot + "/configs/chips/speedai240.yaml");
  const auto& lpddr = *chip->find("lpddr");
  const auto& banks = *chip->find("banks");
  wl::OpGraph g("fc");
  wl::OpNode op;
  op.name = "fc";
  op.kind = wl::OpKind::kGemm;
  op.dtype = DataType::kInt8;
  op.shape = wl::GemmShape{1, 64, 2048, 2048, false};  // 4 MiB of int8 weights: resident in 238 MB
  g.add_op(op);
  const Result r = simulate(*chip, g);
  CHECK(stat(lpddr, "bytes_read") == 0);
  CHECK(stat(lpddr, "bytes_written") == 0);
  CHECK(stat(banks, "spilled_bytes_read") == 0);
  CHECK(stat(banks, "onchip_bytes_read") >= 2048.0 * 2048.0);
  // Every byte the layer moved cost bank (+ neighbour transfer) energy: below 4 pJ/B, while the same
  // bytes from LPDDR5 cost 32 pJ/B (4 pJ/bit, configs/memory/lpddr5.yaml).
  const double moved = stat(banks, "onchip_bytes_read") + stat(banks, "onchip_bytes_written");
  const double per_byte = (stat(banks, "bank_energy") + stat(banks, "transfer_energy")) / moved;
  CHECK(per_byte < 4e-12);
  CHECK(per_byte * 8 < 32e-12);
  for (const auto& [name, joules] : r.energy_breakdown_j) {
    if (name == "lpddr") CHECK(joules == Approx(0.0).margin(1e-6));  // standby only: 0.02 W x microseconds
  }
}

TEST_CASE("speedAI240: weights beyond the SRAM spill to LPDDR and bound the layer", "[tiered][speedai240]") {
  auto chip = Chip::load(kRoot + "/configs/chips/speedai240.yaml");
  wl::OpGraph g("big");
  wl::OpNode op;
  op.name = "big";
  op.kind = wl::OpKind::kGemm;
  op.dtype = DataType::kInt8;
  op.shape = wl::GemmShape{1, 8, 32768, 16384, false};  // 512 MiB of weights: more than 238 MB
  g.add_op(op);
  const Result r = simulate(*chip, g);
  const double spilled = stat(*chip->find("banks"), "spilled_bytes_read");
  CHECK(spilled > 200e6);
  const double lpddr_bw = chip->find("lpddr") ? dynamic_cast<MemoryModel&>(*chip->find("lpddr")).peak_bandwidth().bytes_per_second() : 0;
  CHECK(r.latency_s >= spilled / lpddr_bw);
  CHECK(r.latency_s <= 1.2 * spilled / lpddr_bw);
}
