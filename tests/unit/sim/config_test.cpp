// SPDX-License-Identifier: MIT
#include <catch2/catch.hpp>

#include "sim/config/config_node.h"
#include "sim/config/schema.h"

using namespace xpusim;

namespace {
struct DemoParams {
  Bandwidth bandwidth{1e9};
  Bytes capacity{1024};
  std::int64_t banks = 4;
  std::string mode = "os";
  static const Schema<DemoParams>& schema() {
    static const Schema<DemoParams> s = [] {
      Schema<DemoParams> sc("demo");
      sc.add("bandwidth", &DemoParams::bandwidth, "peak bandwidth").required();
      sc.add("capacity", &DemoParams::capacity, "size").positive();
      sc.add("banks", &DemoParams::banks, "banks").at_least(1);
      sc.add("mode", &DemoParams::mode, "dataflow").one_of({"os", "ws", "is"});
      return sc;
    }();
    return s;
  }
};
}  // namespace

TEST_CASE("config nodes keep file:line:column", "[config]") {
  auto n = ConfigNode::load_string("a:\n  b: 3 GB/s\n  c: [1, 2]\n", "x.yaml");
  const ConfigNode* b = n.find("a")->find("b");
  REQUIRE(b);
  CHECK(b->value() == "3 GB/s");
  CHECK(b->mark().str() == "x.yaml:2:6");
}

TEST_CASE("malformed YAML names file, line and column", "[config]") {
  CHECK_THROWS_WITH(ConfigNode::load_string("a: [1, 2\nb: 3\n", "bad.yaml"), Catch::StartsWith("bad.yaml:"));
  CHECK_THROWS_WITH(ConfigNode::load_string("a: 1\na: 2\n", "dup.yaml"), Catch::Contains("dup.yaml:2:1: duplicate key 'a'"));
}

TEST_CASE("schema binds values with units and collects every error", "[config]") {
  Diagnostics diag;
  auto ok = ConfigNode::load_string("bandwidth: 2 GB/s\ncapacity: 2 KiB\nmode: ws\n", "ok.yaml");
  DemoParams p = DemoParams::schema().bind(ok, "demo0", diag);
  CHECK(diag.empty());
  CHECK(p.bandwidth.bytes_per_second() == Approx(2e9));
  CHECK(p.capacity.count() == 2048);
  CHECK(p.banks == 4);

  auto bad = ConfigNode::load_string("bandwdth: 2 GB/s\ncapacity: 0 B\nbanks: many\nmode: xs\n", "bad.yaml");
  Diagnostics d2;
  DemoParams::schema().bind(bad, "demo0", d2);
  try {
    d2.throw_if_any();
    FAIL("expected a ConfigError");
  } catch (const ConfigError& e) {
    std::string all = e.what();
    CHECK_THAT(all, Catch::Contains("bad.yaml:1:1: demo0: unknown key 'bandwdth' (did you mean 'bandwidth'?)"));
    CHECK_THAT(all, Catch::Contains("bad.yaml:2:11: demo0: 'capacity' must be greater than 0"));
    CHECK_THAT(all, Catch::Contains("'banks' expects a whole number"));
    CHECK_THAT(all, Catch::Contains("'mode' expects one of os|ws|is, got \"xs\" (did you mean 'os'?)"));
    CHECK_THAT(all, Catch::Contains("missing required key 'bandwidth'"));
  }
}

TEST_CASE("dotted overrides walk maps and named list items", "[config]") {
  auto n = ConfigNode::load_string("components:\n  - {name: hbm, bandwidth: 1 TB/s}\n  - {name: sram}\n", "c.yaml");
  n.apply_override("components.hbm.bandwidth", "8 TB/s");
  CHECK(n.find("components")->items()[0].find("bandwidth")->value() == "8 TB/s");
  CHECK_THROWS_WITH(n.apply_override("components.hmb.bandwidth", "1 TB/s"), Catch::Contains("did you mean 'hbm'"));
  CHECK_THROWS_WITH(n.apply_override("componets.hbm.bandwidth", "1 TB/s"), Catch::Contains("did you mean 'components'"));
}
