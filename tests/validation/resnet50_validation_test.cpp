// SPDX-License-Identifier: MIT
// ResNet-50 GPU validation table: simulates every row of tests/validation/resnet50.yaml (MLPerf Inference
// v4.0 Offline, SingleStream and MultiStream results, per accelerator) through the scenario runner, as
// `xpusim run --scenario KIND` does, and prints simulated vs measured, the error per row and the mean
// absolute error. Only sanity is required; no target error is enforced and nothing is fitted to a row.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/config/config_node.h"
#include "sim/scenario/batch_scenario.h"
#include "sim/scenario/scenario_spec.h"
#include "tests/validation/validation_row.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

struct Row {
  std::string id, chip, scenario, unit, source;
  bool maxq = false;
  double measured = 0, simulated = 0;
  double system_result = 0, gpus = 0;  // offline: the system's samples/s and its GPU count
  std::string ran_kind;                // the scenario kind the runner reports
  std::int64_t ran_queries = 0;
  double best_batch = 0;  // offline: the batch the runner chose
};

std::vector<std::string> strings(const ConfigNode* list) {
  std::vector<std::string> out;
  if (list) {
    for (const auto& o : list->items()) out.push_back(o.value());
  }
  return out;
}

/// The figure a row is measured in: samples/s (offline) or the judged latency percentile in ms or us.
double simulated_value(const Result& res, const std::string& unit, const ConfigNode& row) {
  if (unit == "samples/s") return res.throughput_value;
  if (unit == "ms") return res.latency_s * 1e3;
  if (unit == "us") return res.latency_s * 1e6;
  throw ConfigError(row.mark(), "validation row: unit '" + unit + "' is not samples/s, ms or us");
}

Row simulate_row(const ConfigNode& row) {
  Row r;
  r.id = field(row, "id");
  r.chip = field(row, "chip");
  r.scenario = field(row, "scenario");
  r.unit = field(row, "unit");
  r.source = field(row, "source");
  r.maxq = field(row, "maxq") == "true";
  r.measured = std::stod(field(row, "measured"));
  r.gpus = std::stod(field(row, "gpus"));
  if (row.find("system_result")) r.system_result = std::stod(field(row, "system_result"));

  const std::string workload = kRoot + "/" + field(row, "workload");
  const std::optional<ScenarioSpec> spec =
      resolve_scenario(workload, r.scenario, strings(row.find("scenario_overrides")));
  if (!spec) throw ConfigError(row.mark(), "validation row: no scenario");
  auto chip = arch::Chip::load(kRoot + "/configs/chips/" + r.chip + ".yaml", strings(row.find("chip_overrides")));
  const Result res = run_batch_scenario(*chip, workload, {}, *spec);
  r.simulated = simulated_value(res, r.unit, row);
  if (res.scenario) {
    r.ran_kind = res.scenario->kind;
    r.ran_queries = res.scenario->queries;
    for (const auto& [k, v] : res.scenario->figures) {
      if (k == "best_batch") r.best_batch = v;
    }
  }
  return r;
}

const std::vector<Row>& table() {
  static const std::vector<Row> rows = [] {
    std::vector<Row> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/resnet50.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) out.push_back(simulate_row(row));
    std::printf("\n%-30s %-14s %-13s %11s %11s %8s  %-10s %s\n", "id", "chip", "scenario", "simulated", "measured",
                "error", "unit", "note");
    double sum = 0, sum_full = 0;
    std::size_t full = 0;
    for (const auto& r : out) {
      const double err = percent_error(r.simulated, r.measured);
      sum += std::fabs(err);
      if (!r.maxq) {
        sum_full += std::fabs(err);
        ++full;
      }
      std::string note = r.maxq ? "MaxQ" : "";
      if (r.best_batch > 0) {
        note += (note.empty() ? "" : ", ") + std::string("batch ") + std::to_string(static_cast<long>(r.best_batch));
      }
      if (r.gpus > 1) {
        const std::string n = std::to_string(static_cast<long>(r.gpus));
        note += (note.empty() ? "" : ", ") +
                (r.scenario == "offline" ? "system / " + n + " GPUs" : "1 of " + n + " GPUs, not divided");
      }
      std::printf("%-30s %-14s %-13s %11.4g %11.4g %+7.1f%%  %-10s %s\n", r.id.c_str(), r.chip.c_str(),
                  r.scenario.c_str(), r.simulated, r.measured, err, r.unit.c_str(), note.c_str());
    }
    std::printf("error = (simulated - measured) / measured: negative samples/s or positive latency = simulation slower\n");
    std::printf(
        "mean absolute error: %.1f%% over %zu rows; %.1f%% over the %zu rows that are not MaxQ (power-capped)\n",
        sum / static_cast<double>(out.size()), out.size(), full ? sum_full / static_cast<double>(full) : 0.0, full);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("ResNet-50 GPU validation rows simulate their scenario and give finite positive figures",
          "[validation][resnet50]") {
  REQUIRE(table().size() >= 10);
  double sum = 0;
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.simulated << " " << r.unit << ", measured " << r.measured);
    CHECK(std::isfinite(r.simulated));
    CHECK(r.simulated > 0);
    CHECK(r.measured > 0);
    const double err = percent_error(r.simulated, r.measured);
    CHECK(std::isfinite(err));
    sum += std::fabs(err);
    // The runner ran the row's scenario with the row's query count.
    CHECK(r.ran_kind == r.scenario);
    CHECK(r.ran_queries > 0);
    // Offline rows are per accelerator: the system's result over its GPU count; latencies are not divided.
    if (r.scenario == "offline") {
      CHECK(r.unit == "samples/s");
      CHECK(r.gpus >= 1);
      CHECK(r.measured == Approx(r.system_result / r.gpus).epsilon(1e-9));
      CHECK(r.best_batch >= 1);
      // Steady state: whole batches of the chosen size, so the rate is not that of a partial batch.
      CHECK(r.ran_queries % static_cast<std::int64_t>(r.best_batch) == 0);
    } else {
      CHECK(r.unit != "samples/s");
    }
    // The source is the public MLPerf results page, not a local file.
    CHECK(r.source.rfind("https://", 0) == 0);
    CHECK(r.source.find("shared/") == std::string::npos);
  }
  CHECK(std::isfinite(sum / static_cast<double>(table().size())));
}
