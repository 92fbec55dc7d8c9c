// SPDX-License-Identifier: MIT
// SCALE-Sim topology CSVs (both forms, every bad input) and SCALE-Sim .cfg files into xpusim.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "arch/chip.h"
#include "arch/compute/systolic_array.h"
#include "arch/registry.h"
#include "sim/config/scalesim_cfg.h"
#include "workloads/importers/scalesim_topology.h"

using namespace xpusim;
using namespace xpusim::wl;

namespace {

const std::string kTraces = std::string(XPUSIM_SOURCE_DIR) + "/traces/scalesim/";
const std::string kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";

/// A directory of this process's own (other test runs may share /tmp), removed at exit.
const std::filesystem::path& temp_dir() {
  struct Dir {
    std::filesystem::path path =
        std::filesystem::temp_directory_path() / ("xpusim_scalesim_test_" + std::to_string(::getpid()));
    Dir() { std::filesystem::create_directories(path); }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Writes `text` to `name` in temp_dir() and returns its path.
std::string write_temp(const std::string& name, const std::string& text) {
  auto p = temp_dir() / name;
  std::ofstream(p, std::ios::binary) << text;
  return p.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no ConfigError)";
}

std::int64_t total_macs(const OpGraph& g) {
  std::int64_t s = 0;
  for (OpId i = 0; i < g.size(); ++i) {
    GemmView v = gemm_view(g.op(i));
    s += v.batch * v.m * v.n * v.k;
  }
  return s;
}

}  // namespace

TEST_CASE("GEMM-form topology: rows become int8 GEMMs chained in file order", "[scalesim][import]") {
  OpGraph g = import_scalesim_topology(kTraces + "gemm_example.csv");
  REQUIRE(g.size() == 7);
  CHECK(g.name() == "gemm_example");
  const OpNode& qkv = g.op(1);
  CHECK(qkv.name == "qkv_proj");
  CHECK(qkv.kind == OpKind::kGemm);
  CHECK(qkv.dtype == DataType::kInt8);
  const auto& s = std::get<GemmShape>(qkv.shape);
  CHECK(s.m == 128);
  CHECK(s.n == 2304);
  CHECK(s.k == 768);
  CHECK(weight_bytes(qkv).count() == 768 * 2304);  // B is the weight, K x N, one byte per word
  CHECK(g.predecessors(1) == std::vector<OpId>{0});
  CHECK(g.successors(1) == std::vector<OpId>{2});
  REQUIRE(g.tensors().size() == 6);
  CHECK(g.tensors()[0].bytes.count() == 512 * 512);  // square_512's output
  CHECK(g.topo_order() == std::vector<OpId>{0, 1, 2, 3, 4, 5, 6});
}

TEST_CASE("conv-form topology: ResNet-50 matches SCALE-Sim's dimensions", "[scalesim][import]") {
  OpGraph g = import_scalesim_topology(kTraces + "resnet50.csv");
  REQUIRE(g.size() == 54);
  const auto& conv1 = std::get<ConvShape>(g.op(0).shape);
  CHECK(g.op(0).kind == OpKind::kConv2d);
  CHECK(conv1.out_h() == 110);  // SCALE-Sim: ceil((224 - 7 + 2) / 2), no padding
  CHECK(conv1.pad == 0);
  CHECK(conv1.ceil_mode);
  for (OpId i = 0; i < g.size(); ++i) {
    if (g.op(i).name == "res3a_branch2a") CHECK(std::get<ConvShape>(g.op(i).shape).out_w() == 29);  // ceil(57/2)
    if (g.op(i).name == "res2a_branch2b") CHECK(gemm_view(g.op(i)).m == 54 * 54);
  }
  GemmView fc = gemm_view(g.op(53));
  CHECK(g.op(53).name == "fc1000");
  CHECK(fc.m == 1);
  CHECK(fc.n == 1000);
  CHECK(fc.k == 2048);
  // Same total as SCALE-Sim's topologies/conv_nets/Resnet50.csv under its arithmetic.
  CHECK(total_macs(g) == 3'479'536'384);
  CHECK(g.tensors().size() == 53);
}

TEST_CASE("import + array model reproduce SCALE-Sim's golden regression", "[scalesim][import][systolic]") {
  // SCALE-Sim v2 test/golden_trace/COMPUTE_REPORT.csv (22f88b1): alexnet_part Conv1 on the 32x32 ws
  // scale.cfg reports Total Cycles 112283 and Mapping Efficiency 94.53125 %.
  std::string p = write_temp("alexnet_part.csv", kConvHeader + "Conv1,  224, 224,    11, 11,    3,      96,     4,\n");
  OpGraph g = import_scalesim_topology(p);
  GemmView v = gemm_view(g.op(0));
  CHECK(v.m == 55 * 55);
  CHECK(v.n == 96);
  CHECK(v.k == 363);
  using arch::Dataflow;
  CHECK(arch::scalesim_layer_cycles(v.m, v.n, v.k, Dataflow::kWeightStationary, 32, 32) == 112283);
  CHECK(100 * arch::scalesim_mapping_efficiency(v.m, v.n, v.k, Dataflow::kWeightStationary, 32, 32) ==
        Approx(94.53125));
}

TEST_CASE("SCALE-Sim's header and row variants are accepted", "[scalesim][import]") {
  // BOM, lower-case header, CRLF, rows without trailing comma, blank and comma-only rows.
  std::string p = write_temp("variants.csv",
                             "\xEF\xBB\xBFLayer name,Ifmap height,ifmap width,filter height,filter width,channels,"
                             "num filters,strides,\r\n"
                             "a, 8, 8, 3, 3, 4, 16, 1\r\n\r\n,,,,,,,,\r\n b ,7,9,1,1,16,8,2,\r\n");
  OpGraph g = import_scalesim_topology(p);
  REQUIRE(g.size() == 2);
  CHECK(g.op(1).name == "b");
  const auto& b = std::get<ConvShape>(g.op(1).shape);
  CHECK(b.out_h() == 4);  // ceil((7 - 1 + 2) / 2)
  CHECK(b.out_w() == 5);  // ceil((9 - 1 + 2) / 2)

  // Layer names with DP are split per channel, as SCALE-Sim does; repeated names get a suffix.
  std::string dp = write_temp("dp.csv", kConvHeader + "DP1,8,8,3,3,3,1,1,\nfc,1,1,1,1,8,4,1,\nfc,1,1,1,1,4,2,1,\n");
  OpGraph d = import_scalesim_topology(dp);
  REQUIRE(d.size() == 5);
  CHECK(d.op(0).name == "DP1Channel_0");
  CHECK(d.op(2).name == "DP1Channel_2");
  CHECK(std::get<ConvShape>(d.op(2).shape).in_c == 1);
  CHECK(d.op(3).name == "fc");
  CHECK(d.op(4).name == "fc#2");

  // A 9th value is SCALE-Sim's column stride; equal to Strides it is accepted.
  std::string sw = write_temp("stride_w.csv", kConvHeader + "c,9,9,3,3,2,4,2,2, \n");
  CHECK(std::get<ConvShape>(import_scalesim_topology(sw).op(0).shape).out_w() == 4);

  // SCALE-Sim drops a row's last field: its MobileNet files mark depthwise rows with a trailing "#dw"
  // there (topologies/conv_nets/mobilnet_4k.csv). A field from '#' on, the rest of its row with it, is a comment; so is a '#' line.
  std::string dw = write_temp("dw.csv", kConvHeader + "# MobileNet\nConv2_dw, 1080, 2048, 3, 3, 1, 1, 1,#dw\nc,9,9,3,3,2,4,2,#x, 7\n");
  OpGraph m = import_scalesim_topology(dw);
  REQUIRE(m.size() == 2);
  CHECK(m.op(0).name == "Conv2_dw");
  CHECK(std::get<ConvShape>(m.op(0).shape).in_c == 1);
  CHECK(std::get<ConvShape>(m.op(1).shape).stride == 2);
}

TEST_CASE("bad topology files name file, line and column", "[scalesim][import]") {
  auto bad = [](const std::string& name, const std::string& text) {
    std::string p = write_temp(name, text);
    return error_of([&] { import_scalesim_topology(p); });
  };
  CHECK_THAT(bad("empty.csv", ""), Catch::Contains("empty.csv: empty file"));
  CHECK_THAT(bad("blank.csv", "\n\n"), Catch::Contains("empty file"));
  CHECK_THAT(bad("header_only.csv", "Layer, M, N, K,\n"), Catch::Contains("header_only.csv:1: no layers"));
  CHECK_THAT(bad("header.csv", "name, rows, cols,\nx, 1, 2,\n"),
             Catch::Contains("header.csv:1:1: not a SCALE-Sim topology header"));
  CHECK_THAT(bad("missing.csv", "Layer, M, N, K,\ng1, 4, 4,\n"), Catch::Contains("missing.csv:2: missing column 'K'"));
  CHECK_THAT(bad("nan.csv", "Layer, M, N, K,\ng1, 4, four, 4,\n"),
             Catch::Contains("nan.csv:2:8: column 'N' expects a whole number, got \"four\""));
  CHECK_THAT(bad("float.csv", "Layer, M, N, K,\ng1, 4, 4, 2.5,\n"),
             Catch::Contains("column 'K' expects a whole number, got \"2.5\""));
  CHECK_THAT(bad("zero.csv", kConvHeader + "c,8,8,3,3,0,4,1,\n"),
             Catch::Contains("zero.csv:2:11: column 'Channels' must be positive, got 0"));
  CHECK_THAT(bad("neg.csv", kConvHeader + "c,8,8,3,3,2,4,-1,\n"),
             Catch::Contains("column 'Strides' must be positive, got -1"));
  CHECK_THAT(bad("filter.csv", kConvHeader + "c,7,9,11,3,2,4,1,\n"),
             Catch::Contains("filter.csv:2:7: column 'Filter Height' (11) is larger than 'IFMAP Height' (7)"));
  CHECK_THAT(bad("filterw.csv", kConvHeader + "c,9,2,3,3,2,4,1,\n"),
             Catch::Contains("column 'Filter Width' (3) is larger than 'IFMAP Width' (2)"));
  CHECK_THAT(bad("extra.csv", "Layer, M, N, K,\ng1, 4, 4, 4, 9,\n"),
             Catch::Contains("extra.csv:2:14: unexpected value \"9\" after column 'K'"));
  CHECK_THAT(bad("stride.csv", kConvHeader + "c,9,9,3,3,2,4,2,1,\n"),
             Catch::Contains("stride.csv:2:17: column 'Stride Width' (1) differs from 'Strides' (2)"));
  CHECK_THAT(bad("extra_conv.csv", kConvHeader + "c,9,9,3,3,2,4,2,2,,110,\n"),
             Catch::Contains("extra_conv.csv:2:20: unexpected value \"110\" after column 'Stride Width'"));
  CHECK_THAT(bad("noname.csv", "Layer, M, N, K,\n, 4, 4, 4,\n"), Catch::Contains("column 'Layer' is empty"));
  // Every bad row is reported at once.
  std::string many = bad("many.csv", "Layer, M, N, K,\na, 0, 1, 1,\nb, 1, 1, 1,\nc, 1, x, 1,\n");
  CHECK_THAT(many, Catch::Contains("many.csv:2:") && Catch::Contains("many.csv:4:"));
  CHECK_THAT(error_of([] { import_scalesim_topology("/nonexistent/t.csv"); }), Catch::Contains("cannot read file"));
}

TEST_CASE("SCALE-Sim .cfg becomes a chip config: CALC mode", "[scalesim][cfg]") {
  ConfigNode root = scalesim_cfg_to_chip_config(kTraces + "scale_32x32.cfg");
  const ConfigNode* chip = root.find("chip");
  REQUIRE(chip);
  CHECK(chip->find("name")->value() == "xpusim_32x32_os");
  CHECK(chip->find("main_memory")->value() == "dram");
  CHECK_THAT(chip->find("description")->value(), Catch::Contains("1 GHz"));
  const auto& comps = root.find("components")->items();
  REQUIRE(comps.size() == 5);
  const ConfigNode& array = comps[0];
  CHECK(array.find("type")->value() == "compute/systolic");
  CHECK(array.find("rows")->value() == "32");
  CHECK(array.find("cols")->value() == "32");
  CHECK(array.find("clock")->value() == "1 GHz");
  CHECK(array.find("dtype")->value() == "int8");
  CHECK(array.find("dataflow")->value() == "os");
  CHECK(array.find("ifmap_buffer")->value() == "ifmap_sram");
  CHECK(array.find("filter_buffer")->value() == "filter_sram");
  CHECK(array.find("ofmap_buffer")->value() == "ofmap_sram");
  CHECK(array.find("rows")->mark().str() == kTraces + "scale_32x32.cfg:9:17");  // points into the .cfg
  for (int i = 1; i <= 3; ++i) {
    CHECK(comps[i].find("type")->value() == "memory/sram");
    CHECK(comps[i].find("capacity")->value() == "64 KiB");  // SCALE-Sim's kB is 1024 bytes
    CHECK(comps[i].find("banks")->value() == "32");         // one word per edge PE per cycle
    CHECK(comps[i].find("port_width")->value() == "1 B");
    CHECK(comps[i].find("latency_cycles")->value() == "1");
  }
  CHECK(comps[4].find("name")->value() == "dram");
  CHECK(comps[4].find("type")->value() == "memory/ideal");
}

TEST_CASE("SCALE-Sim .cfg in USER mode: Bandwidth words/cycle at 1 GHz", "[scalesim][cfg]") {
  ConfigNode root = scalesim_cfg_to_chip_config(kTraces + "scale_128x128.cfg");
  const auto& comps = root.find("components")->items();
  REQUIRE(comps.size() == 5);
  CHECK(comps[0].find("dataflow")->value() == "ws");
  CHECK(comps[1].find("capacity")->value() == "1024 KiB");
  const ConfigNode& dram = comps[4];
  CHECK(dram.find("type")->value() == "memory/simple");
  CHECK(dram.find("bandwidth")->value() == "64 GB/s");
  CHECK(dram.find("clock")->value() == "1 GHz");
  CHECK(dram.find("latency")->value() == "1 ns");
  // configparser semantics: keys are case-insensitive, '=' works, only the first Bandwidth is used.
  std::string p = write_temp("ci.cfg",
                             "[general]\nrun_name = r\n[architecture_presets]\narrayheight = 8\nARRAYWIDTH: 4\n"
                             "ifmapsramszkB: 1\nfiltersramszkB: 2\nofmapsramszkB: 3\nBandwidth: 5, 7, 9\n"
                             "Dataflow: is\n[run_presets]\nInterfaceBandwidth: USER\n");
  ConfigNode ci = scalesim_cfg_to_chip_config(p);
  const auto& c = ci.find("components")->items();
  CHECK(c[0].find("rows")->value() == "8");
  CHECK(c[0].find("cols")->value() == "4");
  CHECK(c[3].find("capacity")->value() == "3 KiB");
  CHECK(c[4].find("bandwidth")->value() == "5 GB/s");
}

TEST_CASE("a SCALE-Sim .cfg builds a chip whose array matches SCALE-Sim", "[scalesim][cfg][chip]") {
  ConfigNode root = scalesim_cfg_to_chip_config(kTraces + "scale_32x32.cfg");
  if (!arch::Registry::instance().find("memory/sram")) {
    // memory/sram is another model's; until it is in the tree, stand in for it with memory/ideal
    // (keeping `capacity`), so the rest of the generated config is still checked by Chip.
    for (auto& c : root.find("components")->items()) {
      if (c.find("type")->value() != "memory/sram") continue;
      for (const char* k :
           {"banks", "port_width", "clock", "latency_cycles", "read_energy", "write_energy", "leakage_power"}) {
        c.erase(k);
      }
      c.set("type", ConfigNode::scalar("memory/ideal", {}));
    }
  }
  auto chip = arch::Chip::build(root);
  CHECK(chip->name() == "xpusim_32x32_os");
  CHECK(chip->main_memory().name() == "dram");
  CHECK(chip->main_memory().off_chip());
  REQUIRE(chip->compute_units().size() == 1);
  const arch::ComputeUnit& u = chip->compute_units()[0];
  CHECK(u.ifmap_buffer->name() == "ifmap_sram");
  CHECK(u.ofmap_buffer->capacity().count() == 64 * 1024);
  CHECK(u.model->geometry().rows == 32);
  arch::ComputeTask t;
  t.dtype = DataType::kInt8;
  t.m = 3025, t.n = 96, t.k = 363;
  t.dataflow = arch::Dataflow::kOutputStationary;
  arch::TaskCost cost = u.model->estimate(t);
  CHECK(u.model->reported_cycles(cost.cycles) ==
        arch::scalesim_layer_cycles(3025, 96, 363, arch::Dataflow::kOutputStationary, 32, 32));
  CHECK(cost.time.ps() == cost.cycles.count() * 1000);  // 1 GHz
}

TEST_CASE("bad SCALE-Sim .cfg files are errors, not warnings", "[scalesim][cfg]") {
  const std::string good_arch =
      "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 1\nFilterSramSzkB: 1\nOfmapSramSzkB: 1\n";
  auto bad = [](const std::string& name, const std::string& text) {
    std::string p = write_temp(name, text);
    return error_of([&] { scalesim_cfg_to_chip_config(p); });
  };
  const std::string run = "[run_presets]\nInterfaceBandwidth: CALC\n";
  CHECK_THAT(bad("df.cfg", "[general]\nrun_name = r\n" + good_arch + "Dataflow: xs\n" + run),
             Catch::Contains("df.cfg:9:11: 'Dataflow' expects one of os|ws|is, got \"xs\""));
  CHECK_THAT(bad("typo.cfg", "[general]\nrun_name = r\n" + good_arch + "ArrayHieght: 8\nDataflow: os\n" + run),
             Catch::Contains(
                 "typo.cfg:9:1: unknown key 'ArrayHieght' in [architecture_presets] (did you mean 'ArrayHeight'?)"));
  CHECK_THAT(bad("where.cfg", "[general]\nrun_name = r\nDataflow: os\n" + good_arch + run),
             Catch::Contains("unknown key 'Dataflow' in [general] (it belongs in [architecture_presets])"));
  CHECK_THAT(bad("section.cfg", "[genral]\nrun_name = r\n" + good_arch + "Dataflow: os\n" + run),
             Catch::Contains("section.cfg:1:1: unknown section '[genral]' (did you mean 'general'?)"));
  CHECK_THAT(bad("missing.cfg", "[general]\nrun_name = r\n" + good_arch + run),
             Catch::Contains("missing.cfg:3:1: missing key 'Dataflow' in [architecture_presets]"));
  CHECK_THAT(bad("nan.cfg", "[general]\nrun_name = r\n" + good_arch + "Dataflow: os\nIfmapOffset: lots\n" + run),
             Catch::Contains("'IfmapOffset' expects a whole number, got \"lots\""));
  CHECK_THAT(bad("zero.cfg",
                 "[general]\nrun_name = r\n[architecture_presets]\nArrayHeight: 0\nArrayWidth: 8\n"
                 "IfmapSramSzkB: 1\nFilterSramSzkB: 1\nOfmapSramSzkB: 1\nDataflow: os\n" +
                     run),
             Catch::Contains("zero.cfg:4:14: 'ArrayHeight' must be at least 1, got 0"));
  CHECK_THAT(bad("mode.cfg",
                 "[general]\nrun_name = r\n" + good_arch + "Dataflow: os\n[run_presets]\nInterfaceBandwidth: calc\n"),
             Catch::Contains("'InterfaceBandwidth' expects one of CALC|USER, got \"calc\" (did you mean 'CALC'?)"));
  CHECK_THAT(bad("user.cfg",
                 "[general]\nrun_name = r\n" + good_arch + "Dataflow: os\n[run_presets]\nInterfaceBandwidth: USER\n"),
             Catch::Contains("missing key 'Bandwidth' in [architecture_presets]"));
  CHECK_THAT(bad("dup.cfg", "[general]\nrun_name = r\nRUN_NAME = s\n" + good_arch + "Dataflow: os\n" + run),
             Catch::Contains("dup.cfg:3:1: key 'run_name' appears twice"));
  CHECK_THAT(bad("nosection.cfg", "run_name = r\n"), Catch::Contains("nosection.cfg:1:1: key outside any section"));
  CHECK_THAT(bad("syntax.cfg", "[general]\nrun_name r\n"), Catch::Contains("syntax.cfg:2:1: expects 'key: value'"));
  CHECK_THAT(error_of([] { scalesim_cfg_to_chip_config("/nonexistent/x.cfg"); }), Catch::Contains("cannot read file"));
}
