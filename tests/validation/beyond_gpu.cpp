// SPDX-License-Identifier: MIT
// Beyond-GPU validation table: simulates every row of tests/validation/beyond_gpu.yaml and prints
// simulated vs measured (or claimed) with the error per row and the mean absolute error. A row runs
// one workload on a chip, a sequence of phases on a chip (`phases:`, e.g. SDXL's encoders, 20 UNet
// steps and VAE), or a step or a whole generation on a system (`system:`, a configs/systems name or a
// chip run as a one-chip system).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/config/config_node.h"
#include "sim/driver/serving.h"
#include "sim/driver/simulate.h"
#include "tests/validation/validation_row.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;
const std::vector<DataType> kAllDtypes{DataType::kFp32, DataType::kTf32, DataType::kBf16, DataType::kFp16,
                                       DataType::kFp8,  DataType::kInt8, DataType::kFp4,  DataType::kInt4};

using validation::field;
using validation::percent_error;

struct Row {
  std::string id, target, kind, unit, metric;
  double reference = 0, simulated = 0, ceiling = 0;  // ceiling: the metric at the compute peak
};

std::vector<std::string> strings(const ConfigNode* list) {
  std::vector<std::string> out;
  if (list) {
    for (const auto& o : list->items()) out.push_back(o.value());
  }
  return out;
}

/// The fastest matrix rate any unit of the chip has in any dtype: a floor for every op's time.
double peak_flops(const arch::Chip& chip) {
  double peak = 0;
  for (const auto& u : chip.compute_units()) {
    for (DataType d : kAllDtypes) peak = std::max(peak, u.model->peak_rate(arch::TaskClass::kMatrix, d).per_second());
  }
  return peak;
}

double flops_of(const Result& r) {
  double f = 0;
  for (const auto& op : r.ops) f += op.flops;
  return f;
}

/// Fills simulated and ceiling from the run's time, items and flops (ops of one representative chip
/// per stage; every row here runs one micro-batch, so stages never overlap and flops / peak is a floor).
void finish(Row& r, double seconds, double items, double flops, double peak) {
  if (r.metric == "latency") {
    r.simulated = seconds * 1e6;
    r.ceiling = flops / peak * 1e6;
  } else {
    r.simulated = items / seconds;
    r.ceiling = items / (flops / peak);
  }
}

void chip_row(Row& r, const ConfigNode& row) {
  auto chip = arch::Chip::load(kRoot + "/configs/chips/" + r.target + ".yaml");
  const std::string workload = kRoot + "/" + field(row, "workload");
  const std::vector<std::string> common = strings(row.find("overrides"));
  double seconds = 0, flops = 0, items = 0;
  if (const ConfigNode* phases = row.find("phases")) {
    // Phases run one after another (each needs the previous one's output), so their times add up.
    for (const ConfigNode& ph : phases->items()) {
      std::vector<std::string> o = common;
      for (const auto& s : strings(ph.find("overrides"))) o.push_back(s);
      const wl::OpGraph g = wl::load_workload(workload, o);
      const double repeat = std::stod(field(ph, "repeat"));
      const Result res = simulate(*chip, g);
      seconds += repeat * res.latency_s;
      flops += repeat * flops_of(res);
      if (items == 0) items = g.items();
    }
  } else {
    const wl::OpGraph g = wl::load_workload(workload, common);
    const Result res = simulate(*chip, g);
    seconds = res.latency_s;
    flops = flops_of(res);
    items = g.items();
  }
  finish(r, seconds, items, flops, peak_flops(*chip));
}

void system_row(Row& r, const ConfigNode& row) {
  const std::string system_file = kRoot + "/configs/systems/" + r.target + ".yaml";
  auto sys = std::filesystem::exists(system_file)
                 ? arch::System::load(system_file)
                 : arch::System::single(arch::Chip::load(kRoot + "/configs/chips/" + r.target + ".yaml"));
  const wl::GenerationSpec spec = wl::load_generation_spec(kRoot + "/" + field(row, "workload"), strings(row.find("overrides")));
  const double peak = peak_flops(sys->stage_chip(0));
  if (spec.single_step) {
    const Result res = simulate_step(*sys, spec, spec.options.phase, spec.options.kv_len);
    finish(r, res.latency_s, res.throughput_value * res.latency_s, flops_of(res), peak);
    return;
  }
  const GenerationResult g = simulate_generation(*sys, spec);
  double flops = flops_of(g.prefill);
  for (std::size_t i = 0; i < g.decode.size(); ++i) flops += flops_of(g.decode[i]) * static_cast<double>(g.buckets[i].steps);
  finish(r, g.total_s, g.tokens_per_s * g.total_s, flops, peak);
}

Row simulate_row(const ConfigNode& row) {
  const bool system = row.find("system") != nullptr;
  Row r{field(row, "id"), field(row, system ? "system" : "chip"), field(row, "kind"), field(row, "unit"), field(row, "metric")};
  r.reference = std::stod(field(row, "value"));
  if (system) {
    system_row(r, row);
  } else {
    chip_row(r, row);
  }
  return r;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = [] {
    std::vector<Row> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/beyond_gpu.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) out.push_back(simulate_row(row));
    std::printf("\n%-38s %-16s %-8s %11s %11s %8s  %s\n", "id", "chip/system", "kind", "simulated", "reference", "error",
                "unit");
    double sum = 0, sum_measured = 0;
    std::size_t measured = 0;
    for (const auto& r : out) {
      const double err = percent_error(r.simulated, r.reference);
      sum += std::fabs(err);
      if (r.kind == "measured") {
        sum_measured += std::fabs(err);
        ++measured;
      }
      std::printf("%-38s %-16s %-8s %11.4g %11.4g %+7.1f%%  %s\n", r.id.c_str(), r.target.c_str(), r.kind.c_str(),
                  r.simulated, r.reference, err, r.unit.c_str());
    }
    std::printf("mean absolute error: %.1f%% over %zu rows (claims included); %.1f%% over the %zu measured rows\n",
                sum / static_cast<double>(out.size()), out.size(),
                measured ? sum_measured / static_cast<double>(measured) : 0.0, measured);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("beyond-GPU validation rows respect the compute ceiling", "[validation][beyond_gpu]") {
  REQUIRE(table().size() >= 5);
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.simulated << ", reference " << r.reference << ", ceiling " << r.ceiling);
    CHECK(r.simulated > 0);
    if (r.metric == "latency") {
      CHECK(r.simulated >= r.ceiling);
    } else {
      CHECK(r.simulated <= r.ceiling);
    }
  }
}

// Reported, not enforced: [!mayfail] keeps every run showing the error without tuning any row.
TEST_CASE("beyond-GPU validation table: target MAE 30% (reported, not enforced)", "[validation][beyond_gpu][!mayfail]") {
  double sum = 0;
  for (const auto& r : table()) sum += std::fabs(percent_error(r.simulated, r.reference));
  const double mae = sum / static_cast<double>(table().size());
  INFO("mean absolute error " << mae << "%");
  CHECK(mae < 30.0);
}
