// SPDX-License-Identifier: MIT
// LLM validation table: simulates every row of tests/validation/llm.yaml (generation throughput, time to
// first token, all-reduce bus bandwidth), prints simulated vs measured, the error per row and the mean
// absolute error. Rows outside the target are reported, not hidden; nothing is fitted to them.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/config/config_node.h"
#include "tests/validation/validation_row.h"
#include "sim/driver/serving.h"
#include "workloads/builders/hf_config.h"

using namespace xpusim;

namespace {

const std::string kRoot = XPUSIM_SOURCE_DIR;

using validation::field;
using validation::percent_error;

/// A row's system: a bundled system with tp set, or one chip.
std::unique_ptr<arch::System> system_for(const ConfigNode& row) {
  const std::string name = field(row, "system");
  const std::string tp = field(row, "tp");
  if (name.rfind("hgx-", 0) == 0) {
    std::vector<std::string> set{"system.tp=" + tp, "system.dp=1"};
    if (row.find("collective")) set.push_back("system.collective=" + field(row, "collective"));  // e.g. NCCL_ALGO=RING
    return arch::System::load(kRoot + "/configs/systems/" + name + ".yaml", set);
  }
  return arch::System::single(arch::Chip::load(kRoot + "/configs/chips/" + name + ".yaml"));
}

double simulate_row(const ConfigNode& row) {
  auto sys = system_for(row);
  const std::string metric = field(row, "metric");
  if (metric == "allreduce_busbw") {
    wl::OpGraph g("allreduce");
    wl::OpNode op;
    op.name = "allreduce";
    op.kind = wl::OpKind::kAllReduce;
    const std::int64_t bytes = std::stoll(field(row, "bytes"));
    const int n = std::stoi(field(row, "tp"));
    op.shape = wl::CollectiveShape{bytes, n, 0};
    g.add_op(op);
    const Result r = simulate_system(*sys, g);
    return static_cast<double>(bytes) / r.latency_s * arch::bus_bandwidth_factor(arch::Collective::kAllReduce, n) / 1e9;
  }
  wl::GenerationSpec s;
  s.model = wl::load_hf_config(kRoot + "/configs/models/" + field(row, "model") + ".json");
  s.batch = std::stoll(field(row, "batch"));
  s.prompt_len = std::stoll(field(row, "prompt_len"));
  s.output_len = std::stoll(field(row, "output_len"));
  s.options.activation_dtype = *parse_dtype(field(row, "dtype"));
  s.options.weight_dtype = *parse_dtype(field(row, "weight_dtype"));
  if (row.find("decode_attention")) s.options.decode_attention = *wl::parse_decode_attention(field(row, "decode_attention"));
  const GenerationResult g = simulate_generation(*sys, s);
  if (metric == "ttft_ms") return g.ttft_s * 1e3;
  return g.tokens_per_s / std::stod(field(row, "tp"));  // tokens_per_s_per_gpu
}

struct TableRow {
  std::string id, unit;
  double measured = 0, simulated = 0;
};

const std::vector<TableRow>& table() {
  static const std::vector<TableRow> rows = [] {
    std::vector<TableRow> out;
    const ConfigNode t = ConfigNode::load_file(kRoot + "/tests/validation/llm.yaml");
    for (const ConfigNode& row : t.find("rows")->items()) {
      out.push_back({field(row, "id"), field(row, "unit"), std::stod(field(row, "measured")), simulate_row(row)});
    }
    std::vector<validation::PrintedRow> printed;
    for (const auto& r : out) printed.push_back({validation::padded(r.id, 30), r.simulated, r.measured, r.unit});
    validation::print_table(validation::padded("id", 30), printed, 1);
    return out;
  }();
  return rows;
}

}  // namespace

TEST_CASE("LLM validation rows simulate and are positive", "[validation][llm]") {
  REQUIRE(table().size() >= 8);
  for (const auto& r : table()) {
    INFO(r.id << ": simulated " << r.simulated << ", measured " << r.measured);
    CHECK(r.simulated > 0);
  }
}

// Reported, not enforced: a miss shows in every run without breaking CI, and no row is tuned to pass.
TEST_CASE("LLM validation: mean absolute error within 25%", "[validation][llm][!mayfail]") {
  double sum_abs = 0;
  for (const auto& r : table()) sum_abs += std::fabs(percent_error(r.simulated, r.measured));
  const double mae = sum_abs / static_cast<double>(table().size());
  INFO("mean absolute error " << mae << "%");
  CHECK(mae < 25.0);
}
