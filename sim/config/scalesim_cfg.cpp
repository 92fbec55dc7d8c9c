// SPDX-License-Identifier: MIT
// SCALE-Sim v2 .cfg (INI) reader: validates every key (SCALE-Sim only warns) and builds the equivalent
// xpusim chip config: one systolic array, three operand SRAMs and the DRAM interface SCALE-Sim assumes.
#include "sim/config/scalesim_cfg.h"

#include "sim/config/input_limits.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace xpusim {
namespace {

struct KeySpec {
  const char* section;
  const char* key;  // SCALE-Sim's spelling; matched case-insensitively, as Python's configparser does
};

// Every key SCALE-Sim v2 reads (scalesim/scale_config.py read_conf_file) plus MemoryBanks, which its
// shipped configs carry although v2 ignores it.
const std::vector<KeySpec> kKeys{
    {"general", "run_name"},
    {"architecture_presets", "ArrayHeight"},
    {"architecture_presets", "ArrayWidth"},
    {"architecture_presets", "IfmapSramSzkB"},
    {"architecture_presets", "FilterSramSzkB"},
    {"architecture_presets", "OfmapSramSzkB"},
    {"architecture_presets", "IfmapOffset"},
    {"architecture_presets", "FilterOffset"},
    {"architecture_presets", "OfmapOffset"},
    {"architecture_presets", "Bandwidth"},
    {"architecture_presets", "Dataflow"},
    {"architecture_presets", "MemoryBanks"},
    {"run_presets", "InterfaceBandwidth"},
    {"network_presets", "TopologyCsvLoc"},
};
const std::vector<std::string> kSections{"general", "architecture_presets", "run_presets", "network_presets"};

// SCALE-Sim counts in cycles and has no clock; 1 GHz makes one cycle one nanosecond.
constexpr const char* kClock = "1 GHz";

struct Value {
  std::string text;
  SourceMark mark;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

/// The parsed file: canonical key name -> value, plus the marks needed for "missing key" errors.
class CfgFile {
 public:
  explicit CfgFile(const std::string& path) : path_(path) {}

  void parse(std::istream& in, Diagnostics& diag) {
    std::string line, section;
    int line_no = 0;
    std::map<std::string, std::string> seen;  // lower-case key of the current section -> canonical
    while (std::getline(in, line)) {
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
      std::string t = trim(line);
      if (t.empty() || t[0] == '#' || t[0] == ';') continue;
      const int indent = static_cast<int>(line.find_first_not_of(" \t"));
      SourceMark at{path_, line_no, indent + 1};
      if (t.front() == '[') {
        section = t.back() == ']' ? trim(t.substr(1, t.size() - 2)) : std::string();
        bool known = false;
        for (const auto& s : kSections) known = known || s == section;
        if (!known) {
          diag.error(at, "unknown section '" + t + "'" + did_you_mean(section, kSections));
          section = "?";
        } else if (!sections_.emplace(section, at).second) {
          diag.error(at, "section [" + section + "] appears twice");
        }
        seen.clear();
        continue;
      }
      std::size_t delim = t.find_first_of(":=");
      if (delim == std::string::npos || delim == 0) {
        diag.error(at, "expects 'key: value' or 'key = value', got \"" + t + "\"");
        continue;
      }
      if (section.empty()) {
        diag.error(at, "key outside any section (expected [general], [architecture_presets], ...)");
        continue;
      }
      if (section == "?") continue;  // already reported
      std::string key = trim(t.substr(0, delim));
      std::string value = trim(t.substr(delim + 1));
      const KeySpec* spec = find(section, key);
      if (!spec) {
        diag.error(at, "unknown key '" + key + "' in [" + section + "]" + elsewhere(section, key));
        continue;
      }
      if (!seen.emplace(lower(key), spec->key).second) {
        diag.error(at, "key '" + std::string(spec->key) + "' appears twice in [" + section + "]");
        continue;
      }
      const int value_col = static_cast<int>(line.find(value, static_cast<std::size_t>(indent) + delim + 1));
      values_[spec->key] = Value{value, SourceMark{path_, line_no, value.empty() ? 0 : value_col + 1}};
    }
  }

  const Value* get(const char* key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
  }
  /// The value of a key SCALE-Sim requires; reports it missing otherwise.
  const Value* require(const char* section, const char* key, Diagnostics& diag) const {
    if (const Value* v = get(key)) return v;
    auto s = sections_.find(section);
    SourceMark where = s != sections_.end() ? s->second : SourceMark{path_, 0, 0};
    diag.error(where, "missing key '" + std::string(key) + "' in [" + section + "]");
    return nullptr;
  }
  const std::string& path() const { return path_; }

 private:
  static const KeySpec* find(const std::string& section, const std::string& key) {
    for (const auto& k : kKeys) {
      if (section == k.section && lower(key) == lower(k.key)) return &k;
    }
    return nullptr;
  }
  /// Did-you-mean within the section, or the section the key belongs to.
  static std::string elsewhere(const std::string& section, const std::string& key) {
    for (const auto& k : kKeys) {
      if (lower(key) == lower(k.key)) return " (it belongs in [" + std::string(k.section) + "])";
    }
    std::vector<std::string> names;
    for (const auto& k : kKeys) {
      if (section == k.section) names.push_back(k.key);
    }
    return did_you_mean(key, names);
  }

  std::string path_;
  std::map<std::string, SourceMark> sections_;
  std::map<std::string, Value> values_;
};

/// The whole number in `v`, which must be at least `min`; nullopt after reporting a problem.
std::optional<std::int64_t> integer(const Value* v, const char* key, std::int64_t min, Diagnostics& diag) {
  if (!v) return std::nullopt;
  std::int64_t out = 0;
  const std::string& t = v->text;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) {
    diag.error(v->mark, "'" + std::string(key) + "' expects a whole number, got \"" + t + "\"");
    return std::nullopt;
  }
  if (out < min) {
    diag.error(v->mark, "'" + std::string(key) + "' must be at least " + std::to_string(min) + ", got " + t);
    return std::nullopt;
  }
  return out;
}

/// One of `choices`, exactly as SCALE-Sim compares it; nullopt after reporting a problem.
std::optional<std::string> choice(const Value* v, const char* key, const std::vector<std::string>& choices,
                                  Diagnostics& diag) {
  if (!v) return std::nullopt;
  for (const auto& c : choices) {
    if (v->text == c) return c;
  }
  std::string list;
  for (const auto& c : choices) list += (list.empty() ? "" : "|") + c;
  diag.error(v->mark, "'" + std::string(key) + "' expects one of " + list + ", got \"" + v->text + "\"" +
                          did_you_mean(v->text, choices));
  return std::nullopt;
}

ConfigNode scalar(const std::string& text, const SourceMark& mark) { return ConfigNode::scalar(text, mark); }

ConfigNode component(const std::string& name, const std::string& type, const SourceMark& mark) {
  ConfigNode c = ConfigNode::map(mark);
  c.set("name", scalar(name, mark));
  c.set("type", scalar(type, mark));
  return c;
}

/// An operand SRAM. SCALE-Sim's kB is KiB: single_layer_sim.py sizes buffers as 1024 * size_kb words
/// of one byte. Size is SCALE-Sim's only SRAM parameter: it serves a whole demand row (one word per
/// edge PE) every cycle with a 1-cycle read hit, so `edge` one-byte banks keep it from ever limiting.
ConfigNode sram(const std::string& name, std::int64_t kib, std::int64_t edge, const Value& v) {
  ConfigNode c = component(name, "memory/sram", v.mark);
  c.set("capacity", scalar(std::to_string(kib) + " KiB", v.mark));
  c.set("banks", scalar(std::to_string(edge), v.mark));
  c.set("port_width", scalar("1 B", v.mark));
  c.set("clock", scalar(kClock, v.mark));
  c.set("latency_cycles", scalar("1", v.mark));
  c.set("read_energy", scalar("0 pJ/B", v.mark));  // SCALE-Sim has no energy model
  c.set("write_energy", scalar("0 pJ/B", v.mark));
  c.set("leakage_power", scalar("0 W", v.mark));
  return c;
}

}  // namespace

ConfigNode scalesim_cfg_to_chip_config(const std::string& path) {
  std::istringstream in(limits::read_file(path, SourceMark{path, 0, 0}));
  Diagnostics diag;
  CfgFile cfg(path);
  cfg.parse(in, diag);

  const Value* run_name = cfg.require("general", "run_name", diag);
  if (run_name && run_name->text.empty()) diag.error(run_name->mark, "'run_name' is empty");
  auto rows = integer(cfg.require("architecture_presets", "ArrayHeight", diag), "ArrayHeight", 1, diag);
  auto cols = integer(cfg.require("architecture_presets", "ArrayWidth", diag), "ArrayWidth", 1, diag);
  const char* sram_keys[3] = {"IfmapSramSzkB", "FilterSramSzkB", "OfmapSramSzkB"};
  std::optional<std::int64_t> sram_kib[3];
  for (int i = 0; i < 3; ++i) {
    sram_kib[i] = integer(cfg.require("architecture_presets", sram_keys[i], diag), sram_keys[i], 1, diag);
  }
  // Offsets only place operands in SCALE-Sim's address traces, and v2 ignores MemoryBanks: checked, unused.
  for (const char* k : {"IfmapOffset", "FilterOffset", "OfmapOffset"}) integer(cfg.get(k), k, 0, diag);
  integer(cfg.get("MemoryBanks"), "MemoryBanks", 1, diag);
  auto dataflow = choice(cfg.require("architecture_presets", "Dataflow", diag), "Dataflow", {"os", "ws", "is"}, diag);
  const Value* mode_v = cfg.require("run_presets", "InterfaceBandwidth", diag);
  auto mode = choice(mode_v, "InterfaceBandwidth", {"CALC", "USER"}, diag);

  // USER mode: SCALE-Sim parses every comma-separated Bandwidth value but uses the first for all operands.
  std::optional<std::int64_t> words_per_cycle;
  const Value* bw = cfg.get("Bandwidth");
  if (bw) {
    std::size_t start = 0;
    while (start <= bw->text.size()) {
      std::size_t comma = bw->text.find(',', start);
      Value part{trim(bw->text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)),
                 bw->mark};
      auto w = integer(&part, "Bandwidth", 1, diag);
      if (!words_per_cycle) words_per_cycle = w;
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  } else if (mode == "USER") {
    cfg.require("architecture_presets", "Bandwidth", diag);
  }
  diag.throw_if_any();

  const SourceMark top{path, 1, 1};
  ConfigNode root = ConfigNode::map(top);
  ConfigNode chip = ConfigNode::map(top);
  chip.set("name", scalar(run_name->text, run_name->mark));
  chip.set("main_memory", scalar("dram", mode_v->mark));
  std::string description = "Imported from SCALE-Sim config " + path +
                            ". SCALE-Sim has no clock: 1 GHz is assumed, so 1 cycle = 1 ns. It has no energy "
                            "model either, so every energy here is 0 (not modelled).";
  if (const Value* topo = cfg.get("TopologyCsvLoc")) description += " TopologyCsvLoc: " + topo->text + ".";
  chip.set("description", scalar(description, top));
  root.set("chip", std::move(chip));

  ConfigNode comps = ConfigNode::sequence(top);
  const Value* rows_v = cfg.get("ArrayHeight");
  ConfigNode array = component("systolic_array", "compute/systolic", rows_v->mark);
  array.set("rows", scalar(std::to_string(*rows), rows_v->mark));
  array.set("cols", scalar(std::to_string(*cols), cfg.get("ArrayWidth")->mark));
  array.set("clock", scalar(kClock, rows_v->mark));
  array.set("dtype", scalar("int8", rows_v->mark));  // SCALE-Sim's word is one byte
  array.set("dataflow", scalar(*dataflow, cfg.get("Dataflow")->mark));
  array.set("ifmap_buffer", scalar("ifmap_sram", rows_v->mark));
  array.set("filter_buffer", scalar("filter_sram", rows_v->mark));
  array.set("ofmap_buffer", scalar("ofmap_sram", rows_v->mark));
  comps.push_back(std::move(array));
  const char* sram_names[3] = {"ifmap_sram", "filter_sram", "ofmap_sram"};
  const std::int64_t edge = std::max(*rows, *cols);
  for (int i = 0; i < 3; ++i) comps.push_back(sram(sram_names[i], *sram_kib[i], edge, *cfg.get(sram_keys[i])));

  if (*mode == "CALC") {
    // CALC mode estimates the bandwidth needed not to stall and never stalls reads: an ideal memory.
    comps.push_back(component("dram", "memory/ideal", mode_v->mark));
  } else {
    // USER mode: `Bandwidth` one-byte words per cycle at 1 GHz = that many GB/s, moved in whole
    // cycles; SCALE-Sim's DRAM read port adds 1 cycle of latency.
    ConfigNode dram = component("dram", "memory/simple", mode_v->mark);
    dram.set("bandwidth", scalar(std::to_string(*words_per_cycle) + " GB/s", bw->mark));
    dram.set("clock", scalar(kClock, bw->mark));
    dram.set("latency", scalar("1 ns", bw->mark));
    comps.push_back(std::move(dram));
  }
  root.set("components", std::move(comps));
  return root;
}

}  // namespace xpusim
