// SPDX-License-Identifier: MIT
#include "arch/chip.h"

#include <optional>
#include <sstream>

#include "arch/power/chip_power.h"
#include "arch/power/process_node.h"
#include "arch/registry.h"

namespace xpusim::arch {
namespace {

const std::vector<std::string> kTopKeys{"chip", "components"};
const std::vector<std::string> kChipKeys{"name", "main_memory", "cache", "static_power", "fusion", "power", "description"};
const std::vector<std::string> kBufferKeys{"buffer", "ifmap_buffer", "filter_buffer", "ofmap_buffer"};
// The node a component's energies are given at: read by the chip, which knows its own node.
constexpr std::string_view kEnergyNodeKey = "energy_node";

void check_keys(const ConfigNode& node, const std::vector<std::string>& allowed, const std::string& where,
                Diagnostics& diag) {
  for (const auto& e : node.entries()) {
    bool ok = false;
    for (const auto& a : allowed) ok = ok || a == e.key;
    if (!ok) diag.error(e.key_mark, where + ": unknown key '" + e.key + "'" + did_you_mean(e.key, allowed));
  }
}

std::string scalar_or_empty(const ConfigNode& node, std::string_view key) {
  const ConfigNode* n = node.find(key);
  return n && n->is_scalar() ? n->value() : std::string();
}

}  // namespace

void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides) {
  for (const auto& o : overrides) {
    auto eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(SourceMark{"--set " + o, 0, 0}, "expects path=value, e.g. dram.bandwidth=\"8 TB/s\"");
    }
    root.apply_override(std::string_view(o).substr(0, eq), o.substr(eq + 1));
  }
}

std::unique_ptr<Chip> Chip::load(const std::string& path, const std::vector<std::string>& overrides) {
  ConfigNode root = ConfigNode::load_file(path);
  if (root.is_map() && root.find("components")) {
    // --set dram.bandwidth=... addresses components by name without the `components.` prefix.
    std::vector<std::string> rewritten;
    for (const auto& o : overrides) {
      bool top = o.rfind("chip.", 0) == 0 || o.rfind("components.", 0) == 0;
      rewritten.push_back(top ? o : "components." + o);
    }
    apply_overrides(root, rewritten);
  } else {
    apply_overrides(root, overrides);
  }
  return build(root);
}

std::unique_ptr<Chip> Chip::build(const ConfigNode& root) {
  Diagnostics diag;
  auto chip = std::unique_ptr<Chip>(new Chip());
  chip->config_ = root;
  if (!root.is_map()) throw ConfigError(root.mark(), "a chip config is a map with keys 'chip' and 'components'");
  check_keys(root, kTopKeys, "chip config", diag);
  const ConfigNode* meta = root.find("chip");
  const ConfigNode* comps = root.find("components");
  if (!meta || !meta->is_map()) diag.error(root.mark(), "missing map 'chip:' (name, main_memory)");
  if (!comps || !comps->is_sequence()) diag.error(root.mark(), "missing list 'components:'");
  diag.throw_if_any();

  check_keys(*meta, kChipKeys, "chip", diag);
  chip->name_ = scalar_or_empty(*meta, "name");
  if (chip->name_.empty()) diag.error(meta->mark(), "chip: missing required key 'name'");
  if (const ConfigNode* sp = meta->find("static_power")) {
    try {
      chip->uncore_static_ = parse_quantity<Power>(sp->value());
    } catch (const UnitError& e) {
      diag.error(sp->mark(), std::string("chip: 'static_power' ") + e.what());
    }
  }

  if (const ConfigNode* f = meta->find("fusion")) {
    const auto policy = f->is_scalar() ? parse_fusion_policy(f->value()) : std::nullopt;
    if (policy) {
      chip->fusion_ = *policy;
    } else {
      diag.error(f->mark(), "chip: 'fusion' must be one of " + std::string(kFusionPolicyNames) + ", got '" +
                                (f->is_scalar() ? f->value() : std::string(f->kind_name())) + "'" +
                                (f->is_scalar() ? did_you_mean(f->value(), {"none", "epilogue", "full"}) : std::string()));
    }
  }

  // The power block only scales energies and sets the idle floor here: nothing reads it later.
  std::optional<ChipPowerParams> power;
  if (const ConfigNode* pw = meta->find("power")) {
    power = ChipPowerParams::schema().bind(*pw, "chip: power", diag);
    if (meta->find("static_power")) {
      diag.error(pw->mark(), "chip: give either 'static_power' or 'power: active_idle', which includes it, not both");
    }
  }

  const auto& registry = Registry::instance();
  struct Pending {
    const ConfigNode* node;
    Component* component;
    std::optional<Length> energy_node;
  };
  std::vector<Pending> pending;
  for (const auto& item : comps->items()) {
    if (!item.is_map()) {
      diag.error(item.mark(), "each component is a map with 'name' and 'type'");
      continue;
    }
    std::string name = scalar_or_empty(item, "name");
    std::string type = scalar_or_empty(item, "type");
    if (name.empty()) diag.error(item.mark(), "component without 'name'");
    if (type.empty()) {
      diag.error(item.mark(), "component '" + name + "' without 'type' (known: " + [&] {
        std::string s;
        for (const auto& t : registry.types()) s += (s.empty() ? "" : ", ") + t;
        return s;
      }() + ")");
      continue;
    }
    if (chip->find(name)) diag.error(item.mark(), "duplicate component name '" + name + "'");
    const ModelInfo* info = registry.find(type);
    if (!info) {
      const ConfigNode* t = item.find("type");
      diag.error(t->mark(), "component '" + name + "': unknown type '" + type + "'" + did_you_mean(type, registry.types()));
      continue;
    }
    // Buffer references belong to the chip's wiring, not to the model's own parameters.
    ConfigNode params = item;
    for (const auto& k : kBufferKeys) params.erase(k);
    params.erase(std::string(kEnergyNodeKey));
    std::optional<Length> energy_node;
    if (const ConfigNode* en = item.find(kEnergyNodeKey)) {
      try {
        energy_node = parse_quantity<Length>(en->is_scalar() ? en->value() : std::string());
        if (!in_node_table(*energy_node)) {
          diag.error(en->mark(), "component '" + name + "': 'energy_node' must lie in the node table, " + node_table_range());
        } else if (!power) {
          diag.error(en->mark(), "component '" + name + "': 'energy_node' needs the chip's node: add 'power: node:' under 'chip:'");
        }
      } catch (const UnitError& e) {
        diag.error(en->mark(), "component '" + name + "': 'energy_node' " + e.what());
      }
    }
    auto c = info->make(ComponentContext{name, type, item.mark()}, params, diag);
    if (c) {
      pending.push_back({&item, c.get(), energy_node});
      chip->components_.push_back(std::move(c));
    }
  }
  diag.throw_if_any();

  auto memory_ref = [&](const ConfigNode& owner, std::string_view key, const std::string& who) -> MemoryModel* {
    const ConfigNode* ref = owner.find(key);
    if (!ref) return nullptr;
    Component* c = chip->find(ref->value());
    auto* m = dynamic_cast<MemoryModel*>(c);
    if (!m) {
      std::vector<std::string> memories;
      for (const auto& comp : chip->components_) {
        if (dynamic_cast<MemoryModel*>(comp.get())) memories.push_back(comp->name());
      }
      diag.error(ref->mark(), who + ": '" + std::string(key) + "' names '" + ref->value() + "', which is not a memory of this chip" +
                                  did_you_mean(ref->value(), memories));
    }
    return m;
  };

  chip->main_memory_ = memory_ref(*meta, "main_memory", "chip");
  if (!meta->find("main_memory")) diag.error(meta->mark(), "chip: missing required key 'main_memory'");
  if (const ConfigNode* c = meta->find("cache"); c && !(c->is_scalar() && c->value() == "none")) {
    chip->cache_ = memory_ref(*meta, "cache", "chip");
    if (chip->cache_ && (chip->cache_->off_chip() || chip->cache_ == chip->main_memory_)) {
      diag.error(c->mark(), "chip: 'cache' names '" + c->value() + "', which is not an on-chip memory: it caches main memory");
    }
  }

  for (const auto& p : pending) {
    auto* model = dynamic_cast<ComputeModel*>(p.component);
    if (!model) {
      for (const auto& k : kBufferKeys) {
        if (const ConfigNode* n = p.node->find(k)) diag.error(n->mark(), p.component->name() + ": only compute units have '" + k + "'");
      }
      continue;
    }
    ComputeUnit u{model, nullptr, nullptr, nullptr};
    const std::string who = p.component->name() + " (" + p.component->type() + ")";
    MemoryModel* shared = memory_ref(*p.node, "buffer", who);
    u.ifmap_buffer = p.node->find("ifmap_buffer") ? memory_ref(*p.node, "ifmap_buffer", who) : shared;
    u.filter_buffer = p.node->find("filter_buffer") ? memory_ref(*p.node, "filter_buffer", who) : shared;
    u.ofmap_buffer = p.node->find("ofmap_buffer") ? memory_ref(*p.node, "ofmap_buffer", who) : shared;
    if (!u.ifmap_buffer || !u.filter_buffer || !u.ofmap_buffer) {
      diag.error(p.node->mark(), who + ": needs 'buffer' (one unified SRAM) or all of 'ifmap_buffer', 'filter_buffer', 'ofmap_buffer'");
    }
    chip->units_.push_back(u);
  }
  if (chip->units_.empty()) diag.error(comps->mark(), "chip has no compute unit");
  diag.throw_if_any();

  if (power) {
    const ChipPowerParams& pw = *power;
    const bool chip_node = in_node_table(pw.node);
    if (!chip_node) diag.error(meta->find("power")->mark(), "chip: power: 'node' must lie in the node table, " + std::string(node_table_range()));
    for (const auto& p : pending) {
      if (!p.energy_node || !chip_node) continue;
      const auto* mem = dynamic_cast<const MemoryModel*>(p.component);
      if (mem && mem->off_chip()) {
        diag.error(p.node->find(kEnergyNodeKey)->mark(), p.component->name() + ": 'energy_node' scales on-die energies; " +
                                                          p.component->type() + " is off-chip, its energies are per bit at its interface");
        continue;
      }
      p.component->set_energy_scale(*node_energy_ratio(*p.energy_node, pw.node) * pw.voltage_factor());
    }
    if (pw.governed()) {
      const ConfigNode& block = *meta->find("power");
      if (pw.tdp.watts() > 0 && pw.tdp <= pw.active_idle) {
        diag.error(block.find("tdp")->mark(), "chip: power: 'tdp' (" + format(pw.tdp) + ") must exceed 'active_idle' (" +
                                                  format(pw.active_idle) + "): no kernel could run under it");
      } else if (pw.threshold_voltage >= pw.nominal_voltage()) {
        const ConfigNode* vt = block.find("threshold_voltage");
        diag.error(vt ? vt->mark() : block.mark(), "chip: power: 'threshold_voltage' (" + format(pw.threshold_voltage) +
                                                       ") must lie below the core voltage (" + format(pw.nominal_voltage()) + ")");
      } else if (!ClockGovernor::boost_reachable(pw)) {
        const ConfigNode* mc = block.find("max_clock");
        std::ostringstream why;
        why.precision(10);
        why << "chip: power: 'max_clock' " << pw.max_clock << " would need more than " << ClockGovernor::kMaxVoltageRatio
            << "x the core voltage under the alpha-power law (alpha " << pw.alpha << ", threshold_voltage "
            << format(pw.threshold_voltage) << ")";
        diag.error(mc ? mc->mark() : block.mark(), why.str());
      } else {
        chip->governor_.emplace(pw);
      }
    }
    if (meta->find("power")->find("active_idle")) {
      Power components{0};
      for (const auto& c : chip->components_) components += c->static_power();
      chip->uncore_static_ = pw.active_idle - components;
      chip->uncore_name_ = "active_idle";
      if (chip->uncore_static_.watts() < 0) {
        diag.error(meta->find("power")->find("active_idle")->mark(),
                   "chip: power: 'active_idle' (" + format(pw.active_idle) + ") is below the components' static power (" +
                       format(components) + "), which it includes");
      }
    }
  }

  for (auto& c : chip->components_) {
    c->connect(*chip, diag);
    chip->node_energy_scale_.push_back(c->energy_scale());
  }
  diag.throw_if_any();
  return chip;
}

Component* Chip::find(std::string_view name) const {
  for (const auto& c : components_) {
    if (c->name() == name) return c.get();
  }
  return nullptr;
}

Power Chip::static_power() const {
  Power p = uncore_static_;
  for (const auto& c : components_) p += c->static_power();
  return p;
}

void Chip::set_clock(const ClockSetting& setting) {
  if (!governor_ || setting.clock == clock_.clock) return;
  clock_ = setting;
  const double v = setting.voltage;
  for (std::size_t i = 0; i < components_.size(); ++i) {
    Component& c = *components_[i];
    const auto* mem = dynamic_cast<const MemoryModel*>(&c);
    if (mem && mem->off_chip()) continue;
    c.set_clock_ratio(setting.clock);
    c.set_energy_scale(node_energy_scale_[i] * v * v);
  }
}

void Chip::reset() {
  set_clock(ClockSetting{});
  for (auto& c : components_) c->reset();
}

}  // namespace xpusim::arch
