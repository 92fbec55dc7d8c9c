// SPDX-License-Identifier: MIT
// Beyond-GPU validation table: simulates every row of tests/validation/beyond_gpu.yaml and prints
// simulated vs measured (or claimed) with the error per row and the mean absolute error.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/config/config_node.h"
#include "tests/validation/validation_row.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

struct Row {
  std::string id, chip, kind, unit, metric;
  double reference = 0, simulated = 0, ceiling = 0;  // ceiling: throughput at the data-sheet peak
};

Row simulate_row(const ConfigNode& row) {
  Row r{field(row, "id"), field(row, "chip"), field(row, "kind"), field(row, "unit"), field(row, "metric")};
  r.reference = std::stod(field(row, "value"));
  std::vector<std::string> overrides;
  for (const auto& o : row.find("overrides")->items()) overrides.push_back(o.value());
  auto chip = arch::Chip::load(kRoot + "/configs/chips/" + r.chip + ".yaml");
  const wl::OpGraph g = wl::load_workload(kRoot + "/" + field(row, "workload"), overrides);
  const Result res = simulate(*chip, g);
  double flops = 0;
  for (const auto& op : res.ops) flops += op.flops;
  const auto& unit = *chip->compute_units().front().model;
  const double peak = unit.peak_rate(arch::TaskClass::kMatrix, g.op(0).dtype).per_second();
  if (r.metric == "latency") {
    r.simulated = res.latency_s * 1e6;
    r.ceiling = flops / peak * 1e6;  // a latency floor
  } else {
    r.simulated = res.throughput_value;
    r.ceiling = g.items() / (flops / peak);
  }
  return r;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = [] {
    std::vector<Row> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/beyond_gpu.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) out.push_back(simulate_row(row));
    std::printf("\n%-38s %-16s %-8s %11s %11s %8s  %s\n", "id", "chip", "kind", "simulated", "reference", "error",
                "unit");
    double sum = 0;
    for (const auto& r : out) {
      const double err = percent_error(r.simulated, r.reference);
      sum += std::fabs(err);
      std::printf("%-38s %-16s %-8s %11.1f %11.1f %+7.1f%%  %s\n", r.id.c_str(), r.chip.c_str(), r.kind.c_str(),
                  r.simulated, r.reference, err, r.unit.c_str());
    }
    std::printf("mean absolute error: %.1f%% over %zu rows (claims included)\n", sum / static_cast<double>(out.size()),
                out.size());
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
