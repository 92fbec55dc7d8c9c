// SPDX-License-Identifier: MIT
// memory/compressed: reads deliver `ratio` logical bytes per DRAM byte, pay decode energy, and cannot
// outrun the decoders; writes pass through uncompressed.
#include "arch/memory/compressed_memory.h"

#include <catch2/catch.hpp>

#include "arch/chip.h"
#include "sim/config/config_node.h"

using namespace xpusim;
using namespace xpusim::arch;

namespace {

const char* kChip = R"(
chip: {name: c, main_memory: codec}
components:
  - {name: dram, type: memory/simple, bandwidth: 10 GB/s, latency: 0 ns, energy_per_byte: 10 pJ/B}
  - {name: codec, type: memory/compressed, device: dram, ratio: 4, decode_bandwidth: 100 GB/s, decode_energy: 0.5 pJ/B}
  - {name: buf, type: memory/sram, capacity: 1 MiB, banks: 1, port_width: 64 B, clock: 1 GHz, latency_cycles: 0,
     read_energy: 0 pJ/B, write_energy: 0 pJ/B, leakage_power: 0 W}
  - {name: v, type: compute/vector, lanes: 8, clock: 1 GHz, buffer: buf}
)";

}  // namespace

TEST_CASE("compressed reads multiply effective bandwidth by the ratio", "[compressed]") {
  auto chip = Chip::build(ConfigNode::load_string(kChip, "c.yaml"));
  MemoryModel& codec = chip->main_memory();
  CHECK(codec.peak_bandwidth().bytes_per_second() == Approx(40e9));  // min(10 GB/s x 4, 100 GB/s)
  // 4000 logical bytes = 1000 DRAM bytes: 100 ns at 10 GB/s (vs 400 ns uncompressed); the decoders
  // need 40 ns and overlap the fetch. Energy: 1000 x 10 pJ + 4000 x 0.5 pJ.
  Completion c = codec.access(MemRequest{Bytes(4000), false, AccessPattern::kSequential, Bytes(64), 0}, Time(0));
  CHECK(c.done == Time(100000));
  CHECK(c.energy.pj() == Approx(10000 + 2000));
  // Writes bypass the codec: 1000 B at 10 GB/s, DRAM energy only.
  c = codec.access(MemRequest{Bytes(1000), true, AccessPattern::kSequential, Bytes(64), 0}, Time(200000));
  CHECK(c.done == Time(300000));
  CHECK(c.energy.pj() == Approx(10000));
}

TEST_CASE("the decoders bound a codec whose ratio outruns them", "[compressed]") {
  std::string text = kChip;
  text.replace(text.find("decode_bandwidth: 100 GB/s"), 26, "decode_bandwidth: 20 GB/s");
  auto chip = Chip::build(ConfigNode::load_string(text, "c.yaml"));
  Completion c = chip->main_memory().access(MemRequest{Bytes(4000), false, AccessPattern::kSequential, Bytes(64), 0}, Time(0));
  CHECK(c.done == Time(200000));  // 4000 B / 20 GB/s
  CHECK(chip->main_memory().peak_bandwidth().bytes_per_second() == Approx(20e9));
}

TEST_CASE("a codec naming a missing device is a clear error", "[compressed]") {
  std::string text = kChip;
  text.replace(text.find("device: dram"), 12, "device: dran");
  REQUIRE_THROWS_WITH(Chip::build(ConfigNode::load_string(text, "c.yaml")),
                      Catch::Contains("'device' names 'dran'") && Catch::Contains("dram"));
}

TEST_CASE("a workload codec's ratio replaces the chip's for the reads that carry it", "[compressed]") {
  auto chip = Chip::build(ConfigNode::load_string(kChip, "c.yaml"));
  MemoryModel& codec = chip->main_memory();
  CHECK(codec.decodes_codec());
  CHECK(codec.codec_peak_bandwidth(2).bytes_per_second() == Approx(20e9));   // 10 GB/s x 2
  CHECK(codec.codec_peak_bandwidth(20).bytes_per_second() == Approx(100e9)); // the decoders bound it
  CHECK(codec.codec_peak_bandwidth(1).bytes_per_second() == Approx(40e9));   // no workload codec: the chip's 4
  // 4000 decoded bytes stored at 2:1 are 2000 DRAM bytes: 200 ns; decode energy on the decoded bytes.
  MemRequest req{Bytes(4000), false, AccessPattern::kSequential, Bytes(64), 0};
  req.codec_ratio = 2;
  Completion c = codec.access(req, Time(0));
  CHECK(c.done == Time(200000));
  CHECK(c.energy.pj() == Approx(2000 * 10 + 4000 * 0.5));
  // A plain memory has no decoder: the mapper refuses codec'd weights on it.
  auto plain = Chip::build(ConfigNode::load_string(std::string(kChip).replace(std::string(kChip).find("main_memory: codec"), 18,
                                                                                 "main_memory: dram"), "c.yaml"));
  CHECK_FALSE(plain->main_memory().decodes_codec());
}
