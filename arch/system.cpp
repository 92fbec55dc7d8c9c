// SPDX-License-Identifier: MIT
#include "arch/system.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "arch/interconnect/crossbar_switch.h"
#include "arch/registry.h"

namespace xpusim::arch {
namespace {

const std::vector<std::string> kTopKeys{"system", "link", "switch"};
const std::vector<std::string> kSystemKeys{"name", "chip", "count", "topology", "dims", "tp", "pp", "ep", "dp",
                                           "microbatches", "collective", "description"};
const std::vector<std::string> kTopologies{"switch", "pcie", "ring", "torus", "mesh"};

bool starts_with(const std::string& s, const char* p) { return s.rfind(p, 0) == 0; }

int read_int(const ConfigNode& map, const char* key, int fallback, int min, Diagnostics& diag) {
  const ConfigNode* n = map.find(key);
  if (!n) return fallback;
  int v = 0;
  const std::string& s = n->value();
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (!n->is_scalar() || ec != std::errc() || p != s.data() + s.size() || v < min) {
    diag.error(n->mark(), std::string("system: '") + key + "' expects a whole number >= " + std::to_string(min) + ", got \"" + s + "\"");
    return fallback;
  }
  return v;
}

std::vector<int> parse_dims(const ConfigNode& n, Diagnostics& diag) {
  std::vector<int> dims;
  std::string s = n.value();
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t x = s.find('x', start);
    std::string part = s.substr(start, x == std::string::npos ? std::string::npos : x - start);
    int v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (ec != std::errc() || p != part.data() + part.size() || v < 1) {
      diag.error(n.mark(), "system: 'dims' expects extents like \"4x2\" or \"2x2x2\", got \"" + s + "\"");
      return {};
    }
    dims.push_back(v);
    if (x == std::string::npos) break;
    start = x + 1;
  }
  return dims;
}

std::unique_ptr<LinkModel> make_element(const ConfigNode& node, const std::string& name, const char* want, Diagnostics& diag) {
  const ConfigNode* type = node.find("type");
  if (!node.is_map() || !type) {
    diag.error(node.mark(), std::string("'") + want + "' expects a map with a 'type' (" + want + "/...)");
    return nullptr;
  }
  const ModelInfo* info = Registry::instance().find(type->value());
  if (!info || !starts_with(type->value(), want)) {
    diag.error(type->mark(), "unknown " + std::string(want) + " type '" + type->value() + "'" +
                                 did_you_mean(type->value(), Registry::instance().types()));
    return nullptr;
  }
  auto c = info->make(ComponentContext{name, type->value(), node.mark()}, node, diag);
  if (!c) return nullptr;
  return std::unique_ptr<LinkModel>(static_cast<LinkModel*>(c.release()));
}

}  // namespace

std::unique_ptr<System> System::load(const std::string& path, const std::vector<std::string>& overrides) {
  ConfigNode root = ConfigNode::load_file(path);
  std::vector<std::string> own, chip_overrides;
  for (const auto& o : overrides) (starts_with(o, "system.") || starts_with(o, "link.") || starts_with(o, "switch.") ? own : chip_overrides).push_back(o);
  apply_overrides(root, own);
  Diagnostics diag;
  if (!root.is_map() || !root.find("system") || !root.find("system")->is_map()) {
    throw ConfigError(root.mark(), "a system config is a map with 'system:' (name, chip, count, topology) and 'link:'");
  }
  for (const auto& e : root.entries()) {
    if (std::find(kTopKeys.begin(), kTopKeys.end(), e.key) == kTopKeys.end()) diag.error(e.key_mark, "system config: unknown key '" + e.key + "'" + did_you_mean(e.key, kTopKeys));
  }
  const ConfigNode& sys = *root.find("system");
  for (const auto& e : sys.entries()) {
    if (std::find(kSystemKeys.begin(), kSystemKeys.end(), e.key) == kSystemKeys.end()) diag.error(e.key_mark, "system: unknown key '" + e.key + "'" + did_you_mean(e.key, kSystemKeys));
  }
  auto s = std::unique_ptr<System>(new System());
  s->config_ = root;
  const ConfigNode* name = sys.find("name");
  s->name_ = name ? name->value() : std::filesystem::path(path).stem().string();
  s->count_ = read_int(sys, "count", 1, 1, diag);
  s->par_ = Parallelism{read_int(sys, "tp", 1, 1, diag), read_int(sys, "pp", 1, 1, diag), read_int(sys, "ep", 1, 1, diag),
                        read_int(sys, "dp", 1, 1, diag), read_int(sys, "microbatches", 1, 1, diag)};
  const ConfigNode* alg = sys.find("collective");
  if (alg) {
    if (auto a = parse_algorithm(alg->value())) {
      s->algorithm_ = *a;
    } else {
      diag.error(alg->mark(), "system: 'collective' expects ring, tree, nvls, direct or auto, got \"" + alg->value() + "\"" +
                                  did_you_mean(alg->value(), {"ring", "tree", "nvls", "direct", "auto"}));
    }
  }
  const Parallelism& p = s->par_;
  if (p.chips() > s->count_) {
    diag.error(sys.mark(), "system '" + s->name_ + "': tp x pp x dp = " + std::to_string(p.tp) + " x " + std::to_string(p.pp) + " x " +
                               std::to_string(p.dp) + " = " + std::to_string(p.chips()) + " chips, but the system has " + std::to_string(s->count_));
  }
  if (p.tp % p.ep != 0) diag.error(sys.mark(), "system: ep (" + std::to_string(p.ep) + ") must divide tp (" + std::to_string(p.tp) + "): experts are spread over a stage's tensor-parallel chips");
  const ConfigNode* chip = sys.find("chip");
  if (!chip) diag.error(sys.mark(), "system: missing required key 'chip' (path of the chip config)");
  diag.throw_if_any();

  const std::string chip_path = (std::filesystem::path(path).parent_path() / chip->value()).string();
  if (!std::filesystem::is_regular_file(chip_path)) throw ConfigError(chip->mark(), "system: chip file '" + chip_path + "' not found");
  for (int st = 0; st < p.pp; ++st) s->stage_chips_.push_back(Chip::load(chip_path, chip_overrides));

  if (s->count_ > 1) {
    const ConfigNode* topo = sys.find("topology");
    const std::string kind = topo ? topo->value() : "";
    if (std::find(kTopologies.begin(), kTopologies.end(), kind) == kTopologies.end()) {
      throw ConfigError(topo ? topo->mark() : sys.mark(), "system: 'topology' expects one of switch|pcie|ring|torus|mesh, got \"" + kind + "\"" + did_you_mean(kind, kTopologies));
    }
    const ConfigNode* link = root.find("link");
    if (!link) throw ConfigError(root.mark(), "system: missing map 'link:' (the chip-to-chip or chip-to-switch link)");
    std::vector<int> dims{s->count_};
    TopologyKind tk = kind == "ring"    ? TopologyKind::kRing
                      : kind == "torus" ? TopologyKind::kTorus
                      : kind == "mesh"  ? TopologyKind::kMesh
                                        : TopologyKind::kSwitch;
    if (tk == TopologyKind::kTorus) {
      const ConfigNode* d = sys.find("dims");
      if (!d) throw ConfigError(sys.mark(), "system: a torus needs 'dims' such as \"4x2\" or \"2x2x2\"");
      dims = parse_dims(*d, diag);
      int product = 1;
      for (int v : dims) product *= v;
      if (!dims.empty() && (product != s->count_ || dims.size() < 2 || dims.size() > 3)) {
        diag.error(d->mark(), "system: torus dims \"" + d->value() + "\" must be 2 or 3 extents whose product is count (" + std::to_string(s->count_) + ")");
      }
    }
    std::unique_ptr<LinkModel> sw;
    if (tk == TopologyKind::kSwitch) {
      const ConfigNode* swn = root.find("switch");
      if (!swn) throw ConfigError(root.mark(), "system: topology '" + kind + "' needs a 'switch:' map (type: switch/crossbar)");
      sw = make_element(*swn, kind == "pcie" ? "host_switch" : "switch", "switch", diag);
      if (auto* xbar = dynamic_cast<CrossbarSwitch*>(sw.get()); xbar && !xbar->ensure_ports(s->count_)) {
        diag.error(swn->mark(), "switch: fewer ports than the system's " + std::to_string(s->count_) + " chips");
      }
    }
    // Build one link first, so a bad 'link:' map is reported once rather than once per link of the topology.
    if (!make_element(*link, "link", "link", diag)) diag.throw_if_any();
    auto make_link = [&](const std::string& n) { return make_element(*link, n, "link", diag); };
    diag.throw_if_any();
    s->topology_ = Topology::build(tk, s->count_, dims, make_link, std::move(sw));
    diag.throw_if_any();
    if (s->algorithm_ == CollectiveAlgorithm::kNvls && !s->topology_->nvls_switch()) {
      throw ConfigError(alg->mark(), "system: collective nvls needs topology switch and a switch with nvls: true (NVSwitch 3 or later)");
    }
  }
  return s;
}

std::unique_ptr<System> System::single(std::unique_ptr<Chip> chip) {
  auto s = std::unique_ptr<System>(new System());
  s->name_ = chip->name();
  s->config_ = chip->config();
  s->stage_chips_.push_back(std::move(chip));
  return s;
}

std::vector<int> System::stage_group(int s) const {
  std::vector<int> g;
  for (int i = 0; i < par_.tp; ++i) g.push_back(s * par_.tp + i);
  return g;
}

void System::reset() {
  for (auto& c : stage_chips_) c->reset();
  if (topology_) topology_->reset();
}

Power System::static_power() const {
  Power p{0};
  for (const auto& chip : stage_chips_) p += chip->static_power();
  return p * static_cast<double>(par_.tp * par_.dp);
}

}  // namespace xpusim::arch
