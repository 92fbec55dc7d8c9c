// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arch/memory/dram.h"
#include "arch/registry.h"
#include "sim/config/config_node.h"

using namespace xpusim;
using namespace xpusim::arch;
using namespace xpusim::literals;

namespace {

using Overrides = std::vector<std::pair<std::string, std::string>>;

ConfigNode preset(const std::string& name, const Overrides& overrides = {}) {
  ConfigNode node = ConfigNode::load_file(std::string(XPUSIM_SOURCE_DIR) + "/configs/memory/" + name);
  for (const auto& [k, v] : overrides) node.set(k, ConfigNode::scalar(v, SourceMark{"test", 0, 0}));
  return node;
}

std::unique_ptr<Dram> build(const ConfigNode& node) {
  const ModelInfo* info = Registry::instance().find("memory/dram");
  REQUIRE(info);
  Diagnostics diag;
  auto c = info->make(ComponentContext{"dram0", "memory/dram", {}}, node, diag);
  diag.throw_if_any();
  auto* d = dynamic_cast<Dram*>(c.get());
  REQUIRE(d);
  c.release();
  return std::unique_ptr<Dram>(d);
}

std::unique_ptr<Dram> make(const std::string& name, const Overrides& overrides = {}) {
  return build(preset(name, overrides));
}

MemRequest seq_read(Bytes bytes, std::uint64_t address = 0) {
  return MemRequest{bytes, false, AccessPattern::kSequential, Bytes(64), address};
}
MemRequest random_read(Bytes bytes, Bytes access) {
  return MemRequest{bytes, false, AccessPattern::kRandom, access, 0};
}

/// Fraction of peak bandwidth one request reaches on an idle device.
double efficiency(Dram& d, const MemRequest& req) {
  Completion c = d.access(req, Time(0));
  Time ideal = req.bytes / d.peak_bandwidth();
  return ratio(ideal, c.done - c.start);
}

double stat(const Dram& d, const std::string& key) {
  for (const auto& s : d.stats()) {
    if (s.key == key) return s.value;
  }
  FAIL("no stat " << key);
  return 0;
}

const std::vector<std::string> kPresets{"hbm2e.yaml", "hbm3.yaml", "hbm3e.yaml", "gddr6.yaml", "lpddr5.yaml"};

}  // namespace

TEST_CASE("DRAM presets give their data-sheet peak bandwidth", "[dram]") {
  CHECK(make("hbm2e.yaml")->peak_bandwidth().bytes_per_second() == Approx(409.6e9));
  CHECK(make("hbm3.yaml")->peak_bandwidth().bytes_per_second() == Approx(819.2e9));
  CHECK(make("hbm3e.yaml")->peak_bandwidth().bytes_per_second() == Approx(1228.8e9));
  CHECK(make("gddr6.yaml")->peak_bandwidth().bytes_per_second() == Approx(56e9));
  CHECK(make("lpddr5.yaml")->peak_bandwidth().bytes_per_second() == Approx(51.2e9));
  auto d = make("hbm3.yaml");
  CHECK(d->off_chip());
  CHECK(d->capacity() == 16_GiB);
  CHECK(d->static_power().watts() == Approx(0.4));
}

TEST_CASE("HBM3 streaming read never beats peak and reaches 80-98 % of it", "[dram]") {
  auto d = make("hbm3.yaml");
  const double eff = efficiency(*d, seq_read(256_MiB));
  CHECK(eff <= 1.0);
  CHECK(eff > 0.80);
  CHECK(eff < 0.98);
}

TEST_CASE("every preset streams near peak -- random 64 B reads meet the activation-rate bound", "[dram]") {
  for (const auto& name : kPresets) {
    INFO(name);
    auto d = make(name);
    const auto& p = d->params();
    const double stream = efficiency(*d, seq_read(64_MiB));
    d->reset();
    const double random = efficiency(*d, random_read(16_MiB, Bytes(64)));
    CHECK(stream <= 1.0);
    CHECK(stream > 0.80);
    CHECK(stream < 0.98);
    // Each 64 B access opens a row: the channel moves 64 B per max(data time, ACT spacing), where ACTs
    // are spaced by tRRD, tFAW / 4 and the bank cycle shared by all banks; refresh takes its share.
    const double data = 64.0 * 8 / static_cast<double>(p.bus_width_bits) / p.data_rate.hz();
    const double bank_cycle = std::max(p.t_ras.seconds(), p.t_rcd.seconds() + data) + p.t_rp.seconds();
    const double act = std::max({p.t_rrd.seconds(), p.t_faw.seconds() / 4, bank_cycle / static_cast<double>(p.banks)});
    const double bound = data / std::max(data, act) * (1 - ratio(p.t_rfc, p.t_refi));
    CHECK(random == Approx(bound).epsilon(0.02));
    // Against a stream of the same size: refresh windows cut a run at a phase set by its length, so
    // runs of different sizes differ by that rounding (LPDDR5's 64 B random reads are data-bound).
    d->reset();
    CHECK(random <= efficiency(*d, seq_read(16_MiB)));
  }
}

TEST_CASE("random reads much narrower than the activation window fall far below streaming", "[dram]") {
  for (const auto& name : {"hbm2e.yaml", "hbm3.yaml", "hbm3e.yaml", "gddr6.yaml"}) {
    INFO(name);
    auto d = make(name);
    const double stream = efficiency(*d, seq_read(64_MiB));
    d->reset();
    CHECK(efficiency(*d, random_read(16_MiB, Bytes(64))) < 0.7 * stream);
  }
  // LPDDR5's x16 channel takes as long to move 64 B as tFAW allows per ACT; 32 B accesses halve it.
  auto lp = make("lpddr5.yaml");
  CHECK(efficiency(*lp, random_read(16_MiB, Bytes(32))) < 0.5);
}

TEST_CASE("HBM3 random 64 B reads are bound by the activation rate, not typed in", "[dram]") {
  auto d = make("hbm3.yaml");
  const double random = efficiency(*d, random_read(16_MiB, Bytes(64)));
  CHECK(random < 0.70);
  // Four ACTs per tFAW (15 ns) for 64 B each per pseudo-channel, less refresh.
  const double act_bound = (64.0 / (15e-9 / 4)) / (819.2e9 / 32) * (1 - 350.0 / 3900);
  CHECK(random == Approx(act_bound).epsilon(0.02));
  // Relax tFAW and tRRD and the same accesses become data-bus bound.
  auto fast = make("hbm3.yaml", {{"t_faw", "1 ns"}, {"t_rrd", "0.5 ns"}});
  CHECK(efficiency(*fast, random_read(16_MiB, Bytes(64))) > random + 0.2);
  CHECK(stat(*d, "activations") == Approx(16.0 * (1 << 20) / 64));
}

TEST_CASE("two requests issued together take about twice as long as one", "[dram]") {
  auto d = make("hbm3.yaml");
  const Time single = d->access(seq_read(64_MiB), Time(0)).done;
  d->reset();
  d->access(seq_read(64_MiB), Time(0));
  Completion second = d->access(seq_read(64_MiB, 1ULL << 30), Time(0));
  CHECK(ratio(second.done, single) == Approx(2.0).epsilon(0.02));
  CHECK(second.start > Time(0));  // it queued behind the first
}

TEST_CASE("a write after reads pays the read-to-write turnaround", "[dram]") {
  auto d = make("hbm3.yaml", {{"t_refi", "1 s"}});
  const Time later = 1_us;
  d->access(seq_read(8_KiB), Time(0));  // touches all 32 pseudo-channels
  Completion after_read = d->access(MemRequest{8_KiB, true, AccessPattern::kSequential, Bytes(64), 1 << 20}, later);
  CHECK(stat(*d, "turnarounds") == 32);
  d->reset();
  d->access(MemRequest{8_KiB, true, AccessPattern::kSequential, Bytes(64), 0}, Time(0));
  Completion after_write = d->access(MemRequest{8_KiB, true, AccessPattern::kSequential, Bytes(64), 1 << 20}, later);
  CHECK(stat(*d, "turnarounds") == 0);
  CHECK((after_read.done - after_write.done).ps() == d->params().t_rtw.ps());
}

TEST_CASE("refresh makes a long stream slower by about tRFC / tREFI", "[dram]") {
  auto with = make("hbm3.yaml");
  auto without = make("hbm3.yaml", {{"t_refi", "1 s"}});
  const Time t_with = with->access(seq_read(256_MiB), Time(0)).done;
  const Time t_without = without->access(seq_read(256_MiB), Time(0)).done;
  CHECK(t_with > t_without);
  CHECK(ratio(t_without, t_with) == Approx(1 - 350.0 / 3900).epsilon(0.01));
  CHECK(stat(*with, "refresh_time") > 0);
  CHECK(stat(*without, "refresh_time") == 0);
}

TEST_CASE("a sequential request continuing where the last ended keeps its row open", "[dram]") {
  auto d = make("hbm3.yaml");
  const auto& p = d->params();
  d->access(seq_read(Bytes(128), 0), Time(0));
  CHECK(stat(*d, "activations") == 1);
  const Time now = 1_us;
  Completion hit = d->access(seq_read(Bytes(128), 128), now);
  CHECK(stat(*d, "activations") == 1);
  CHECK(stat(*d, "row_hits") == 4 + 3);  // 4 bursts of 32 B, first request's 3 after its ACT
  CHECK((hit.done - now).ps() == (p.t_cl + 5_ns).ps());  // 4 bursts x 1.25 ns
  Completion miss = d->access(seq_read(Bytes(128), 1ULL << 30), 2_us);
  CHECK(stat(*d, "activations") == 2);
  CHECK((miss.done - 2_us).ps() == (p.t_rp + p.t_rcd + p.t_cl + 5_ns).ps());
}

TEST_CASE("DRAM energy is bytes x energy per bit plus activations x ACT energy", "[dram]") {
  auto d = make("hbm3.yaml");
  Completion r = d->access(random_read(1_MiB, Bytes(64)), Time(0));
  const double acts = stat(*d, "activations");
  CHECK(acts == 16384);
  CHECK(r.energy.joules() == Approx(1048576.0 * 8 * 6.0e-12 + acts * 0.35e-9));
  Completion w = d->access(MemRequest{4_MiB, true, AccessPattern::kSequential, Bytes(64), 0}, r.done);
  const double w_acts = stat(*d, "activations") - acts;
  CHECK(w_acts == 4096);  // 4 MiB / 1 KiB rows
  CHECK(w.energy.joules() == Approx(4194304.0 * 8 * 6.0e-12 + w_acts * 0.35e-9));
  CHECK(stat(*d, "dynamic_energy") == Approx(r.energy.joules() + w.energy.joules()));
  CHECK(stat(*d, "bytes_read") == 1048576);
  CHECK(stat(*d, "bytes_written") == 4194304);
}

TEST_CASE("DRAM reset gives identical results on a rerun", "[dram]") {
  auto d = make("gddr6.yaml");
  auto run = [&] {
    std::vector<std::int64_t> out;
    Time now{0};
    for (int i = 0; i < 20; ++i) {
      const bool write = i % 3 == 0;
      const auto pattern = i % 2 ? AccessPattern::kRandom : AccessPattern::kSequential;
      Completion c = d->access(MemRequest{Bytes(4096 * (i + 1)), write, pattern, Bytes(64), 4096ULL * i}, now);
      out.push_back(c.start.ps());
      out.push_back(c.done.ps());
      now = now + 20_ns;
    }
    for (const auto& s : d->stats()) out.push_back(static_cast<std::int64_t>(s.value * 1e15));
    return out;
  };
  const auto first = run();
  d->reset();
  CHECK(run() == first);
}

TEST_CASE("a chip component can base itself on a preset and override it", "[dram]") {
  const std::string yaml = "base: " + std::string(XPUSIM_SOURCE_DIR) +
                           "/configs/memory/hbm3.yaml\ncapacity: 80 GiB\nchannels: 160\n";
  auto d = build(ConfigNode::load_string(yaml, "chip.yaml"));
  CHECK(d->capacity() == 80_GiB);
  CHECK(d->peak_bandwidth().bytes_per_second() == Approx(5 * 819.2e9));
}

TEST_CASE("bad DRAM configs name the offending key", "[dram]") {
  CHECK_THROWS_WITH(make("hbm3.yaml", {{"channels", "0"}}), Catch::Contains("'channels' must be greater than 0"));
  CHECK_THROWS_WITH(make("hbm3.yaml", {{"t_rcd", "19"}}), Catch::Contains("'t_rcd'") && Catch::Contains("missing unit"));
  CHECK_THROWS_WITH(make("hbm3.yaml", {{"t_rcdd", "19 ns"}}),
                    Catch::Contains("unknown key 't_rcdd'") && Catch::Contains("did you mean 't_rcd'"));
  CHECK_THROWS_WITH(make("hbm3.yaml", {{"t_rfc", "5 us"}}), Catch::Contains("'t_rfc' must be shorter than 't_refi'"));
  ConfigNode missing = preset("hbm3.yaml");
  missing.erase("data_rate");
  CHECK_THROWS_AS(build(missing), ConfigError);
  CHECK_THROWS_WITH(build(missing), Catch::Contains("missing required key 'data_rate'"));
}
