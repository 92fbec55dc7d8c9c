// SPDX-License-Identifier: MIT
// Energy validation table: simulates every row of tests/validation/energy.yaml (J per output token and
// average board power of Llama-3.1-8B generations on one H100), prints simulated vs measured, the
// error per row and the mean absolute error. Misses are reported, not hidden; nothing is fitted.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/config/config_node.h"
#include "sim/driver/serving.h"
#include "tests/validation/validation_row.h"
#include "workloads/builders/hf_config.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

struct TableRow {
  std::string id, metric, unit;
  std::int64_t batch = 0;
  double measured = 0, simulated = 0;
};

double simulate_row(const ConfigNode& row) {
  auto sys = arch::System::single(arch::Chip::load(kRoot + "/configs/chips/" + field(row, "chip") + ".yaml"));
  wl::GenerationSpec s;
  s.model = wl::load_hf_config(kRoot + "/configs/models/llama-3.1-8b.json");
  s.batch = std::stoll(field(row, "batch"));
  s.prompt_len = std::stoll(field(row, "prompt_len"));
  s.output_len = std::stoll(field(row, "output_len"));
  s.options.activation_dtype = DataType::kBf16;
  s.options.weight_dtype = DataType::kBf16;
  const Result r = summarize(simulate_generation(*sys, s));
  if (field(row, "metric") == "avg_power_w") return r.avg_power_w;
  return r.energy_j / static_cast<double>(s.batch * s.output_len);
}

const std::vector<TableRow>& table() {
  static const std::vector<TableRow> rows = [] {
    std::vector<TableRow> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/energy.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) {
      out.push_back({field(row, "id"), field(row, "metric"), field(row, "unit"), std::stoll(field(row, "batch")),
                     std::stod(field(row, "measured")), simulate_row(row)});
    }
    std::vector<validation::PrintedRow> printed;
    for (const auto& r : out) printed.push_back({validation::padded(r.id, 36), r.simulated, r.measured, r.unit});
    validation::print_table(validation::padded("id", 36), printed, -1);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("energy validation rows simulate, and J/token falls with batch as measured", "[validation][energy]") {
  REQUIRE(table().size() >= 20);
  const TableRow* last = nullptr;
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.simulated << ", measured " << r.measured);
    CHECK(r.simulated > 0);
    if (r.metric != "joules_per_token") continue;
    // Rows are in rising batch order; where the measurement falls by more than 5 %, so must the
    // model (past batch 256 the measured J/token is flat within 5 %: the GPU sits at its cap).
    if (last && r.measured < 0.95 * last->measured) CHECK(r.simulated < last->simulated);
    last = &r;
  }
}

// Reported, not enforced: the target is 15 % on every row; misses show in every run.
TEST_CASE("energy validation: every row within 15%", "[validation][energy][!mayfail]") {
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.simulated << ", measured " << r.measured);
    CHECK(std::fabs(percent_error(r.simulated, r.measured)) < 15.0);
  }
}
