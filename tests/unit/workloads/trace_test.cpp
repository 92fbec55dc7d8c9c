// SPDX-License-Identifier: MIT
// JSON op-graph trace: lossless round trip of every bundled workload (identical ops, edges and
// simulated results), loader dispatch, and a clear error for each kind of bad trace.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "arch/chip.h"
#include "sim/config/config_error.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "workloads/importers/trace_json.h"
#include "workloads/loader.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

const std::string kSrc = XPUSIM_SOURCE_DIR;

bool same_op(const OpNode& a, const OpNode& b) {
  if (a.name != b.name || a.kind != b.kind || a.dtype != b.dtype || a.weight_dtype != b.weight_dtype ||
      a.weight_format != b.weight_format || a.ops_per_element != b.ops_per_element || a.shape.index() != b.shape.index() ||
      a.special_per_element != b.special_per_element || a.kv_dtype != b.kv_dtype) {
    return false;
  }
  if (const auto* g = std::get_if<GemmShape>(&a.shape)) {
    const auto& h = std::get<GemmShape>(b.shape);
    return g->batch == h.batch && g->m == h.m && g->n == h.n && g->k == h.k && g->b_is_activation == h.b_is_activation;
  }
  if (const auto* c = std::get_if<ConvShape>(&a.shape)) {
    const auto& d = std::get<ConvShape>(b.shape);
    return c->batch == d.batch && c->in_h == d.in_h && c->in_w == d.in_w && c->in_c == d.in_c && c->out_c == d.out_c &&
           c->kernel_h == d.kernel_h && c->kernel_w == d.kernel_w && c->stride == d.stride && c->pad == d.pad &&
           c->ceil_mode == d.ceil_mode;
  }
  const auto& v = std::get<VectorShape>(a.shape);
  const auto& w = std::get<VectorShape>(b.shape);
  return v.elements == w.elements && v.inputs == w.inputs && v.input_elements == w.input_elements;
}

/// Every op field, every edge (ends, bytes, name, order), name and items agree.
void require_identical(const OpGraph& a, const OpGraph& b) {
  REQUIRE(a.name() == b.name());
  REQUIRE(a.items() == b.items());
  REQUIRE(a.item_unit() == b.item_unit());
  REQUIRE(a.compression() == b.compression());
  REQUIRE(a.size() == b.size());
  for (OpId i = 0; i < a.size(); ++i) {
    if (!same_op(a.op(i), b.op(i))) FAIL("op " << i << " '" << a.op(i).name << "' differs after the round trip");
  }
  const auto ta = a.tensors(), tb = b.tensors();
  REQUIRE(ta.size() == tb.size());
  for (std::size_t i = 0; i < ta.size(); ++i) {
    if (ta[i].from != tb[i].from || ta[i].to != tb[i].to || ta[i].bytes.count() != tb[i].bytes.count() ||
        ta[i].name != tb[i].name) {
      FAIL("tensor " << i << " '" << ta[i].name << "' differs after the round trip");
    }
  }
}

OpGraph round_trip(const OpGraph& g) {
  return import_trace(ConfigNode::load_string(export_trace(g), g.name() + ".json"));
}

/// Error messages of importing `json` (as file "bad.json").
std::string import_error(const std::string& json) {
  try {
    import_trace(ConfigNode::load_string(json, "bad.json"));
  } catch (const ConfigError& e) {
    std::string all;
    for (const auto& m : e.messages()) all += m + "\n";
    return all;
  }
  return "no error";
}

const std::string kGood = R"({"xpusim_trace": 1, "name": "t", "items": 2, "item_unit": "images", "ops": [
  {"name": "a", "kind": "gemm", "dtype": "bf16", "shape": {"m": 4, "n": 8, "k": 16}},
  {"name": "b", "kind": "elementwise", "dtype": "bf16", "shape": {"elements": 32}, "ops_per_element": 4}],
 "tensors": [{"from": "a", "to": "b", "bytes": 64, "name": "x"}]})";

}  // namespace

TEST_CASE("every bundled workload survives export and import unchanged", "[trace]") {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kSrc + "/configs/workloads")) {
    // A generation spec is a sequence of prefill and decode graphs run by the serving driver, not one
    // graph; its graphs are the transformer ones covered through the decode and prefill specs.
    const ConfigNode spec = ConfigNode::load_file(e.path().string());
    if (spec.find("workload")->find("type")->value() != "generation") files.push_back(e.path().string());
  }
  for (const auto& e : std::filesystem::directory_iterator(kSrc + "/traces")) {
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  }
  files.push_back(kSrc + "/traces/scalesim/resnet50.csv");
  files.push_back(kSrc + "/configs/models/mixtral-8x7b.json");
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    // SDXL's full pipeline is 38 k ops; 2 steps with DeepCache cover every kind of step quickly.
    const bool sdxl = f.find("sdxl") != std::string::npos && f.find("unet-step") == std::string::npos;
    std::vector<std::string> overrides;
    if (sdxl) overrides = {"steps=3", "deepcache_interval=2"};
    DYNAMIC_SECTION(f) {
      OpGraph g = load_workload(f, overrides);
      require_identical(g, round_trip(g));
    }
  }
}

TEST_CASE("a KV cache precision and the transcendental share of vector work survive export and import", "[trace]") {
  OpGraph g = load_workload(kSrc + "/configs/workloads/llama-2-7b-decode.yaml", {"kv_len=128", "kv_dtype=fp8"});
  bool kv = false, special = false;
  for (OpId i = 0; i < g.size(); ++i) {
    kv = kv || g.op(i).kv_dtype == DataType::kFp8;
    special = special || g.op(i).special_per_element > 0;
  }
  REQUIRE(kv);
  REQUIRE(special);
  require_identical(g, round_trip(g));
  CHECK_THROWS_WITH(import_trace(ConfigNode::load_string(R"({"xpusim_trace": 1, "name": "t", "ops": [{"name": "s", "kind": "softmax",
      "dtype": "bf16", "shape": {"elements": 8}, "ops_per_element": 2, "special_per_element": 3}], "tensors": []})", "t.json")),
                    Catch::Contains("special_per_element"));
}

TEST_CASE("compressed graphs survive export and import: weight formats, seeds, codec and the record", "[trace]") {
  const std::string llama = kSrc + "/configs/workloads/llama-2-7b-decode.yaml";
  const std::vector<std::vector<std::string>> plans{
      {"compression.weight_dtype=int4", "compression.sparsity=2:4"},
      {"compression.activation_dtype=fp8", "compression.sparsity=unstructured", "compression.density=0.1",
       "compression.seed=12345", "compression.codec_ratio=2.5"}};
  for (const auto& plan : plans) {
    std::vector<std::string> overrides{"kv_len=128"};
    overrides.insert(overrides.end(), plan.begin(), plan.end());
    OpGraph g = load_workload(llama, overrides);
    REQUIRE_FALSE(g.compression().empty());
    require_identical(g, round_trip(g));
    // A trace takes compression.* overrides too, and records both what-ifs in order.
    const std::string path = (std::filesystem::temp_directory_path() / "compressed.trace.json").string();
    std::ofstream(path) << export_trace(g);
    CHECK(load_workload(path, {"compression.codec_ratio=3"}).compression() == g.compression() + "; codec_ratio=3");
    std::filesystem::remove(path);
  }
}

TEST_CASE("weight_format in a trace: every field checked", "[trace]") {
  auto with = [](const std::string& format) {
    return import_error(R"({"xpusim_trace": 1, "name": "t", "ops": [
      {"name": "a", "kind": "gemm", "dtype": "bf16", "shape": {"m": 4, "n": 8, "k": 16}, "weight_format": )" + format + "}]}");
  };
  CHECK(with(R"({"sparsity": "2:4"})") == "no error");
  CHECK(with(R"({"sparsity": "unstructured", "density": 0.25, "seed": 7, "codec_ratio": 2})") == "no error");
  CHECK_THAT(with(R"({"sparsty": "2:4"})"), Catch::Contains("unknown field 'sparsty' (did you mean 'sparsity'?)"));
  CHECK_THAT(with(R"({"sparsity": "3:4"})"), Catch::Contains("unknown sparsity '3:4'"));
  CHECK_THAT(with(R"({"sparsity": "unstructured"})"), Catch::Contains("missing required field 'density'"));
  CHECK_THAT(with(R"({"sparsity": "unstructured", "density": 1.5})"), Catch::Contains("'density' must be in (0, 1]"));
  CHECK_THAT(with(R"({"sparsity": "2:4", "density": 0.3})"), Catch::Contains("0.5 for 2:4"));
  CHECK_THAT(with(R"({"codec_ratio": 0.5})"), Catch::Contains("'codec_ratio' must be at least 1"));
  CHECK_THAT(with(R"({"seed": -1})"), Catch::Contains("'seed' expects an unsigned integer"));
  CHECK_THAT(import_error(R"({"xpusim_trace": 1, "name": "t", "ops": [{"name": "s", "kind": "softmax", "dtype": "bf16",
      "shape": {"elements": 8}, "weight_format": {"sparsity": "2:4"}}]})"),
             Catch::Contains("'weight_format' applies only to ops with a weight operand"));
}

TEST_CASE("a round-tripped workload simulates to the same result", "[trace]") {
  auto chip = arch::Chip::load(kSrc + "/configs/chips/tpu-v4-like.yaml");
  for (auto [w, o] : {std::pair{"resnet50.yaml", "batch=2"}, std::pair{"llama-2-7b-decode.yaml", "kv_len=128"}}) {
    OpGraph g = load_workload(kSrc + "/configs/workloads/" + w, {o});
    const std::string path = (std::filesystem::temp_directory_path() / (std::string(w) + ".trace.json")).string();
    std::ofstream(path) << export_trace(g);
    OpGraph back = load_workload(path);  // through the loader's .json dispatch
    CHECK(to_json(simulate(*chip, g)) == to_json(simulate(*chip, back)));
    std::filesystem::remove(path);
  }
}

TEST_CASE("trace fields are read as documented", "[trace]") {
  OpGraph g = import_trace(ConfigNode::load_string(kGood, "good.json"));
  REQUIRE(g.size() == 2);
  CHECK(g.items() == 2);
  CHECK(g.item_unit() == "images");
  const auto& s = std::get<GemmShape>(g.op(0).shape);
  CHECK((s.batch == 1 && s.m == 4 && s.n == 8 && s.k == 16 && !s.b_is_activation));
  CHECK(g.op(1).ops_per_element == 4);
  CHECK(g.tensors().at(0).bytes.count() == 64);
}

TEST_CASE("bad traces get errors naming file, line and op", "[trace]") {
  auto with = [](const std::string& from, const std::string& to) {
    std::string s = kGood;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  // Missing fields: the op is named, with file and line.
  CHECK_THAT(import_error(with(R"("dtype": "bf16", "shape": {"m")", R"("shape": {"m")")),
             Catch::Contains("bad.json:2:") && Catch::Contains("op 'a' (ops[0]): missing required field 'dtype'"));
  CHECK_THAT(import_error(with(R"("name": "t", )", "")), Catch::Contains("trace: missing required field 'name'"));
  CHECK_THAT(import_error(with(R"("m": 4, )", "")), Catch::Contains("op 'a' (ops[0]) shape: missing required field 'm'"));
  // Unknown op kind, with a did-you-mean and the list of kinds.
  CHECK_THAT(import_error(with(R"("kind": "gemm")", R"("kind": "gemmm")")),
             Catch::Contains("unknown op kind 'gemmm' (did you mean 'gemm'?)") && Catch::Contains("kinds: gemm, conv2d"));
  CHECK_THAT(import_error(with(R"("dtype": "bf16", "shape": {"m")", R"("dtype": "bf61", "shape": {"m")")),
             Catch::Contains("unknown dtype 'bf61'"));
  CHECK_THAT(import_error(with(R"("ops_per_element")", R"("ops_per_elem")")),
             Catch::Contains("unknown field 'ops_per_elem' (did you mean 'ops_per_element'?)"));
  // Shape mismatches: another kind's shape keys, an edge larger than what produced it, a filter too big.
  CHECK_THAT(import_error(with(R"({"m": 4, "n": 8, "k": 16})", R"({"m": 4, "n": 8, "k": 16, "in_h": 3})")),
             Catch::Contains("shape mismatch: 'in_h' belongs to a conv2d shape, but the op is gemm"));
  CHECK_THAT(import_error(with(R"("bytes": 64)", R"("bytes": 65)")),
             Catch::Contains("bad.json:4:") && Catch::Contains("shape mismatch: carries 65 bytes but op 'a' produces only 64"));
  CHECK_THAT(import_error(with(R"("kind": "gemm", "dtype": "bf16", "shape": {"m": 4, "n": 8, "k": 16})",
                               R"("kind": "conv2d", "dtype": "bf16", "shape": {"in_h": 2, "in_w": 2, "in_c": 1, "out_c": 1, "kernel_h": 3, "kernel_w": 3})")),
             Catch::Contains("shape mismatch: the 3x3 filter is larger than the padded 2x2 input"));
  // Ranges and types.
  CHECK_THAT(import_error(with(R"("m": 4)", R"("m": 0)")), Catch::Contains("'m' must be at least 1, got 0"));
  CHECK_THAT(import_error(with(R"("m": 4)", R"("m": "four")")), Catch::Contains("'m' expects an integer, got \"four\""));
  // Edges naming unknown ops, duplicate names, cycles, versions.
  CHECK_THAT(import_error(with(R"("to": "b")", R"("to": "bb")")),
             Catch::Contains("tensors[0]: 'to' names unknown op 'bb' (did you mean 'b'?)"));
  CHECK_THAT(import_error(with(R"({"name": "b", )", R"({"name": "a", )")), Catch::Contains("duplicate op name 'a'"));
  CHECK_THAT(import_error(with(R"("name": "x"})", R"("name": "x"}, {"from": "b", "to": "a", "bytes": 1})")),
             Catch::Contains("bad.json: ") && Catch::Contains("cycle"));
  CHECK_THAT(import_error(with(R"("xpusim_trace": 1)", R"("xpusim_trace": 2)")),
             Catch::Contains("unsupported trace version 2 (this xpusim reads version 1)"));
  // All problems come in one error.
  const std::string many = import_error(with(R"("kind": "gemm", "dtype": "bf16")", R"("kind": "gem", "dtype": "b16")"));
  CHECK_THAT(many, Catch::Contains("unknown op kind 'gem'") && Catch::Contains("unknown dtype 'b16'"));
  // The loader: a trace takes no overrides.
  const std::string path = (std::filesystem::temp_directory_path() / "xpusim_trace_test.json").string();
  std::ofstream(path) << kGood;
  CHECK_THROWS_WITH(load_workload(path, {"batch=2"}), Catch::Contains("a trace takes no overrides"));
  CHECK(load_workload(path).size() == 2);
  std::filesystem::remove(path);
}
