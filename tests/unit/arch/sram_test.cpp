// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "arch/memory/sram.h"
#include "arch/registry.h"
#include "sim/config/config_node.h"

using namespace xpusim;
using namespace xpusim::arch;
using namespace xpusim::literals;

namespace {

const char* kSram =
    "capacity: 1 MiB\nbanks: 8\nport_width: 32 B\nclock: 1 GHz\nlatency_cycles: 2\n"
    "read_energy: 0.5 pJ/B\nwrite_energy: 0.6 pJ/B\nleakage_power: 0.1 W\n";

std::unique_ptr<Sram> build(const std::string& yaml) {
  const ModelInfo* info = Registry::instance().find("memory/sram");
  REQUIRE(info);
  Diagnostics diag;
  auto c = info->make(ComponentContext{"buf0", "memory/sram", {}}, ConfigNode::load_string(yaml, "sram.yaml"), diag);
  diag.throw_if_any();
  auto* s = dynamic_cast<Sram*>(c.get());
  REQUIRE(s);
  c.release();
  return std::unique_ptr<Sram>(s);
}

MemRequest read(Bytes b) { return MemRequest{b, false, AccessPattern::kSequential, Bytes(64), 0}; }

}  // namespace

TEST_CASE("SRAM transfer time is latency plus bytes over banks x width cycles", "[sram]") {
  auto s = build(kSram);
  CHECK(s->peak_bandwidth().bytes_per_second() == Approx(256e9));
  CHECK_FALSE(s->off_chip());
  CHECK(s->static_power().watts() == Approx(0.1));
  Completion c = s->access(read(64_KiB), Time(0));
  CHECK(c.start == Time(0));
  CHECK(c.done == 258_ns);  // 65536 / 256 = 256 cycles + 2 latency at 1 GHz
  CHECK(c.done - c.start >= 64_KiB / s->peak_bandwidth());
}

TEST_CASE("SRAM requests issued together queue behind each other", "[sram]") {
  auto s = build(kSram);
  s->access(read(64_KiB), Time(0));
  Completion second = s->access(read(64_KiB), Time(0));
  CHECK(second.start == 256_ns);
  CHECK(second.done == 514_ns);
}

TEST_CASE("SRAM random accesses narrower than a port waste the rest of it", "[sram]") {
  auto s = build(kSram);
  const Time seq = s->access(read(8_KiB), Time(0)).done;
  s->reset();
  const Time rnd = s->access(MemRequest{8_KiB, false, AccessPattern::kRandom, Bytes(8), 0}, Time(0)).done;
  CHECK(seq == 34_ns);   // 32 cycles + 2
  CHECK(rnd == 130_ns);  // 1024 accesses x 1 port cycle / 8 banks = 128 cycles + 2
}

TEST_CASE("SRAM energy is bytes x energy per byte and reset reruns identically", "[sram]") {
  auto s = build(kSram);
  auto run = [&] {
    Completion r = s->access(read(1_MiB), Time(0));
    Completion w = s->access(MemRequest{512_KiB, true, AccessPattern::kSequential, Bytes(64), 0}, 1_us);
    CHECK(r.energy.joules() == Approx(1048576 * 0.5e-12));
    CHECK(w.energy.joules() == Approx(524288 * 0.6e-12));
    return std::vector<std::int64_t>{r.start.ps(), r.done.ps(), w.start.ps(), w.done.ps()};
  };
  const auto first = run();
  const auto stats = s->stats();
  s->reset();
  CHECK(run() == first);
  REQUIRE(s->stats().size() == stats.size());
  for (std::size_t i = 0; i < stats.size(); ++i) CHECK(s->stats()[i].value == stats[i].value);
}

TEST_CASE("bad SRAM configs name the offending key", "[sram]") {
  const std::string ok = kSram;
  auto with = [&](const std::string& from, const std::string& to) {
    std::string y = ok;
    y.replace(y.find(from), from.size(), to);
    return y;
  };
  CHECK_THROWS_WITH(build(with("banks: 8", "banks: 0")), Catch::Contains("'banks' must be greater than 0"));
  CHECK_THROWS_WITH(build(with("clock: 1 GHz", "clock: 1")), Catch::Contains("'clock'") && Catch::Contains("missing unit"));
  CHECK_THROWS_WITH(build(with("banks: 8", "bank: 8")), Catch::Contains("unknown key 'bank'"));
}
