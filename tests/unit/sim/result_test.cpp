// SPDX-License-Identifier: MIT
// Result writers: JSON keys and values read back through the YAML loader, determinism, escaping,
// CSV shape, the human table and the Chrome trace.
#include "sim/result.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <charconv>
#include <string>

#include "arch/chip.h"
#include "sim/config/config_node.h"
#include "sim/driver/simulate.h"
#include "workloads/loader.h"

using namespace xpusim;

namespace {

Result sample() {
  Result r;
  r.chip = "toy-npu";
  r.workload = "two-gemms";
  r.latency_s = 1.5e-3;
  r.throughput_value = 666.6666666666666;
  r.throughput_unit = "inferences/s";
  r.energy_j = 0.3;
  r.avg_power_w = 200;
  r.energy_breakdown_j = {{"mxu0", 0.2}, {"hbm0", 0.075}, {"sram0", 0.025}};
  r.bound_compute = 0.6;
  r.bound_memory = 0.4;
  r.ops = {
      {"fc1", "gemm", "mxu0", "os", 0, 1e-3, 2.5e9, 1 << 20, "compute", 123456, 0.1, 0.9e-3},
      {"fc2", "gemm", "mxu0", "ws", 1e-3, 1.5e-3, 1e9, 3 << 20, "memory", 7, 0.05, 0.45e-3},
  };
  r.stats = {{"hbm0", "bytes_read", 4194304, "B"}, {"mxu0", "busy_cycles", 123463, "cycles"}};
  r.peak_flops_per_s = {{"mxu0 bf16", 2.75e14}};
  r.peak_bandwidth_bytes_per_s = 1.2e12;
  return r;
}

double as_double(const ConfigNode& n) {
  double v = 0;
  const std::string& s = n.value();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  REQUIRE(ec == std::errc());
  REQUIRE(p == s.data() + s.size());
  return v;
}

const ConfigNode& at(const ConfigNode& n, std::string_view key) {
  const ConfigNode* c = n.find(key);
  INFO("key " << key);
  REQUIRE(c);
  return *c;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("JSON has the stable keys and exact values", "[result]") {
  const Result r = sample();
  ConfigNode j = ConfigNode::load_string(to_json(r), "result.json");
  CHECK(j.keys() == std::vector<std::string>{"chip", "workload", "compression", "latency_s", "throughput", "energy_j", "avg_power_w",
                                             "energy_breakdown_j", "time_bound_fraction", "roofline", "ops", "stats"});
  CHECK(at(j, "chip").value() == "toy-npu");
  CHECK(at(j, "workload").value() == "two-gemms");
  // Shortest round-trip formatting: parsing the text gives back the very same double.
  CHECK(as_double(at(j, "latency_s")) == r.latency_s);
  CHECK(as_double(at(at(j, "throughput"), "value")) == r.throughput_value);
  CHECK(at(at(j, "throughput"), "unit").value() == "inferences/s");
  CHECK(as_double(at(j, "energy_j")) == 0.3);
  CHECK(as_double(at(j, "avg_power_w")) == 200);

  const ConfigNode& breakdown = at(j, "energy_breakdown_j");
  CHECK(breakdown.keys() == std::vector<std::string>{"mxu0", "hbm0", "sram0"});  // chip order, not sorted
  CHECK(as_double(at(breakdown, "hbm0")) == 0.075);

  const ConfigNode& bound = at(j, "time_bound_fraction");
  CHECK(bound.keys() == std::vector<std::string>{"compute", "memory", "interconnect"});
  CHECK(as_double(at(bound, "memory")) == 0.4);
  CHECK(as_double(at(bound, "interconnect")) == 0);

  const ConfigNode& roofline = at(j, "roofline");
  CHECK(as_double(at(at(roofline, "peak_flops_per_s"), "mxu0 bf16")) == 2.75e14);
  CHECK(as_double(at(roofline, "peak_bandwidth_bytes_per_s")) == 1.2e12);

  const auto& ops = at(j, "ops").items();
  REQUIRE(ops.size() == 2);
  CHECK(ops[1].keys() == std::vector<std::string>{"name", "kind", "unit", "dataflow", "start_s", "end_s", "flops",
                                                  "bytes", "bound", "bound_level", "compute_cycles", "energy_j", "roofline_s", "dequant_ops", "dequant_s"});
  CHECK(at(ops[1], "name").value() == "fc2");
  CHECK(at(ops[1], "dataflow").value() == "ws");
  CHECK(at(ops[1], "bound").value() == "memory");
  CHECK(at(ops[1], "bytes").value() == "3145728");
  CHECK(at(ops[0], "compute_cycles").value() == "123456");
  CHECK(as_double(at(ops[0], "flops")) == 2.5e9);
  CHECK(as_double(at(ops[1], "start_s")) == 1e-3);
  CHECK(as_double(at(ops[1], "roofline_s")) == 0.45e-3);

  const auto& stats = at(j, "stats").items();
  REQUIRE(stats.size() == 2);
  CHECK(stats[1].keys() == std::vector<std::string>{"component", "key", "value", "unit"});
  CHECK(at(stats[1], "component").value() == "mxu0");
  CHECK(at(stats[1], "unit").value() == "cycles");
  CHECK(as_double(at(stats[0], "value")) == 4194304);
}

TEST_CASE("empty results still give valid JSON", "[result]") {
  Result r;
  ConfigNode j = ConfigNode::load_string(to_json(r), "empty.json");
  CHECK(at(j, "ops").is_sequence());
  CHECK(at(j, "ops").items().empty());
  CHECK(at(j, "energy_breakdown_j").is_map());
  CHECK(at(j, "latency_s").value() == "0");
}

TEST_CASE("equal results give byte-identical output in every form", "[result]") {
  const Result a = sample(), b = sample();
  CHECK(to_json(a) == to_json(b));
  CHECK(to_csv(a) == to_csv(b));
  CHECK(to_table(a) == to_table(b));
  CHECK(to_chrome_trace(a) == to_chrome_trace(b));
  Result c = sample();
  c.ops[1].energy_j = std::nextafter(c.ops[1].energy_j, 1.0);  // one ulp must show
  CHECK(to_json(a) != to_json(c));
  CHECK(to_csv(a) != to_csv(c));
}

TEST_CASE("odd names are escaped and read back unchanged", "[result]") {
  Result r = sample();
  const std::string odd =
      "a\"b\\c\nd\te\x01"
      "f, g \xc2\xb5s";  // quote, backslash, controls, comma, UTF-8 "µ"
  r.ops[0].name = odd;
  r.energy_breakdown_j[0].first = "hbm \"0\"";
  r.chip = "bad\xff utf8";  // an invalid byte becomes U+FFFD instead of breaking the document
  const std::string json = to_json(r);
  CHECK(json.find('\n' + std::string("d")) == std::string::npos);  // no raw newline inside a string
  ConfigNode j = ConfigNode::load_string(json, "odd.json");
  CHECK(at(at(j, "ops").items()[0], "name").value() == odd);
  CHECK(at(j, "energy_breakdown_j").keys()[0] == "hbm \"0\"");
  CHECK(at(j, "chip").value() == "bad\xef\xbf\xbd utf8");
  CHECK_THAT(json, Catch::Contains("\\u0001"));

  const std::string csv = to_csv(r);
  CHECK_THAT(csv, Catch::Contains("\"a\"\"b\\c\nd\te\x01"
                                  "f, g \xc2\xb5s\",gemm,"));
}

TEST_CASE("non-finite numbers become null in JSON", "[result]") {
  Result r = sample();
  r.throughput_value = std::numeric_limits<double>::infinity();
  r.ops[0].energy_j = std::numeric_limits<double>::quiet_NaN();
  ConfigNode j = ConfigNode::load_string(to_json(r), "nan.json");
  CHECK(at(at(j, "throughput"), "value").is_null());
  CHECK(at(j.find("ops")->items()[0], "energy_j").is_null());
}

TEST_CASE("CSV has a header and one row per op", "[result]") {
  Result r = sample();
  const std::string csv = to_csv(r);
  CHECK(csv.substr(0, csv.find('\n')) ==
        "name,kind,unit,dataflow,start_s,end_s,flops,bytes,bound,compute_cycles,energy_j,roofline_s,dequant_ops,dequant_s");
  CHECK(count(csv, "\n") == 3);
  CHECK_THAT(csv, Catch::Contains("\nfc2,gemm,mxu0,ws,0.001,0.0015,1e+09,3145728,memory,7,0.05,0.00045,0,0\n"));
  r.ops.clear();
  CHECK(count(to_csv(r), "\n") == 1);
}

TEST_CASE("the table summarises the run and lists the ten slowest ops", "[result]") {
  Result r = sample();
  for (int i = 0; i < 12; ++i) {
    // op_i lasts (i + 1) us, so op_11 .. op_2 are the ten slowest, in that order.
    double start = 2e-3 + i * 1e-4;
    r.ops.push_back(
        {"op_" + std::to_string(i), "softmax", "vec0", "", start, start + (i + 1) * 1e-6, 1, 1, "memory", 1, 0, 0});
  }
  r.ops.erase(r.ops.begin(), r.ops.begin() + 2);
  const std::string t = to_table(r);
  CHECK_THAT(t, Catch::Contains("latency     1.5 ms"));
  CHECK_THAT(t, Catch::Contains("throughput  666.7 inferences/s"));
  CHECK_THAT(t, Catch::Contains("energy      300 mJ"));
  CHECK_THAT(t, Catch::Contains("avg power   200 W"));
  CHECK_THAT(t, Catch::Contains("mxu0   200 mJ  66.7%"));
  CHECK_THAT(t, Catch::Contains("sram0   25 mJ   8.3%"));
  CHECK_THAT(t, Catch::Contains("compute       60.0%"));
  CHECK_THAT(t, Catch::Contains("slowest ops (10 of 12)"));
  CHECK(t.find("op_11") < t.find("op_10"));
  CHECK(t.find("op_3") < t.find("op_2 "));
  CHECK(t.find("op_1 ") == std::string::npos);
  CHECK(t.find("op_0 ") == std::string::npos);
  CHECK_THAT(t, Catch::Contains("12 us"));
  r.throughput_value = 170812.4;  // large rates get an SI prefix instead of an exponent
  CHECK_THAT(to_table(r), Catch::Contains("throughput  170.8 k inferences/s"));
}

TEST_CASE("Chrome trace has named tracks and microsecond spans", "[result]") {
  Result r = sample();
  r.timeline = {{"ops", "fc1", "op", 0, 1'000'000'000},
                {"mxu0", "tile 0", "compute", 1'500, 250'000},
                {"ops", "fc2", "op", 1'000'000'000, 500'000'000},
                {"hbm0", "read", "memory", 3, 1}};
  ConfigNode t = ConfigNode::load_string(to_chrome_trace(r), "trace.json");
  const auto& ev = at(t, "traceEvents").items();
  std::vector<std::pair<std::string, std::string>> threads;  // tid -> name
  std::vector<const ConfigNode*> spans;
  for (const auto& e : ev) {
    CHECK(at(e, "pid").value() == "1");
    if (at(e, "ph").value() == "M" && at(e, "name").value() == "thread_name") {
      threads.emplace_back(at(e, "tid").value(), at(at(e, "args"), "name").value());
    }
    if (at(e, "ph").value() == "X") spans.push_back(&e);
  }
  CHECK(threads == std::vector<std::pair<std::string, std::string>>{{"1", "ops"}, {"2", "mxu0"}, {"3", "hbm0"}});
  REQUIRE(spans.size() == 4);
  CHECK(at(*spans[0], "dur").value() == "1000");  // 1 ms
  CHECK(at(*spans[1], "ts").value() == "0.0015");
  CHECK(at(*spans[1], "dur").value() == "0.25");
  CHECK(at(*spans[1], "tid").value() == "2");
  CHECK(at(*spans[1], "cat").value() == "compute");
  CHECK(at(*spans[2], "tid").value() == "1");
  CHECK(at(*spans[3], "ts").value() == "0.000003");
  CHECK(at(*spans[3], "dur").value() == "0.000001");

  // Without a recorded timeline, the ops' own intervals are drawn on one track.
  r.timeline.clear();
  ConfigNode f = ConfigNode::load_string(to_chrome_trace(r), "ops.json");
  std::size_t x = 0;
  for (const auto& e : at(f, "traceEvents").items()) {
    if (at(e, "ph").value() != "X") continue;
    ++x;
    if (at(e, "name").value() == "fc2") {
      CHECK(at(e, "ts").value() == "1000");
      CHECK(at(e, "dur").value() == "500");
    }
  }
  CHECK(x == 2);
}

TEST_CASE("the compression record and per-op dequantization reach every output form", "[result]") {
  Result r = sample();
  CHECK(to_table(r).find("dequant") == std::string::npos);  // no column in runs without dequantization
  r.compression = "weight_dtype=int4,sparsity=2:4";
  r.ops[1].dequant_ops = 2097152;
  r.ops[1].dequant_s = 68e-9;
  ConfigNode j = ConfigNode::load_string(to_json(r), "result.json");
  CHECK(at(j, "compression").value() == "weight_dtype=int4,sparsity=2:4");
  CHECK(as_double(at(at(j, "ops").items()[1], "dequant_ops")) == 2097152);
  CHECK(as_double(at(at(j, "ops").items()[1], "dequant_s")) == 68e-9);
  CHECK_THAT(to_csv(r), Catch::Contains(",0.00045,2097152,6.8e-08\n"));
  const std::string t = to_table(r);
  CHECK_THAT(t, Catch::Contains("compression  weight_dtype=int4,sparsity=2:4"));
  CHECK_THAT(t, Catch::Contains("roofline  dequant"));
  CHECK_THAT(t, Catch::Contains("68 ns"));
}

TEST_CASE("the trace's power counter integrates to the run's energy, and its clock track follows the cap", "[result][power]") {
  auto chip = arch::Chip::load(std::string(XPUSIM_SOURCE_DIR) + "/configs/chips/h100-sxm.yaml", {"chip.power.tdp=350 W"});
  const Result r = simulate(*chip, wl::load_workload(std::string(XPUSIM_SOURCE_DIR) + "/configs/workloads/llama-2-7b-prefill.yaml"));
  ConfigNode t = ConfigNode::load_string(to_chrome_trace(r), "trace.json");
  double joules = 0, last_ts = -1, last_w = 0, min_clock = 2;
  for (const auto& e : at(t, "traceEvents").items()) {
    if (at(e, "ph").value() != "C") continue;
    const double ts = std::stod(at(e, "ts").value()) * 1e-6;
    if (at(e, "name").value() == "clock ratio") {
      min_clock = std::min(min_clock, std::stod(at(at(e, "args"), "ratio").value()));
      continue;
    }
    REQUIRE(at(e, "name").value() == "power");
    if (last_ts >= 0) joules += last_w * (ts - last_ts);
    CHECK(std::stod(at(at(e, "args"), "static_W").value()) == Approx(chip->static_power().watts()).epsilon(1e-9));
    last_w = std::stod(at(at(e, "args"), "dynamic_W").value()) + std::stod(at(at(e, "args"), "static_W").value());
    last_ts = ts;
  }
  // The last sample is the end of the last op: power drops to the static floor there.
  CHECK(last_ts == Approx(r.latency_s).epsilon(1e-9));
  CHECK(joules == Approx(r.energy_j).epsilon(1e-6));
  CHECK(min_clock < 1.0);  // a prefill held under a 350 W cap
}
