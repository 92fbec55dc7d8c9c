// SPDX-License-Identifier: MIT
// Conversion from yaml-cpp's tree to ConfigNode, `base:` inclusion, and dotted-path overrides.
#include "sim/config/config_node.h"

#include "sim/config/input_limits.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace xpusim {
namespace {

namespace fs = std::filesystem;

SourceMark mark_of(const YAML::Mark& m, const std::string& file) {
  if (m.is_null()) return SourceMark{file, 0, 0};
  return SourceMark{file, m.line + 1, m.column + 1};
}

/// What a config tree may still grow by: YAML aliases repeat a subtree wherever they appear, so a
/// few hundred bytes can expand to billions of nodes; `base:` files add theirs.
struct Budget {
  std::uint64_t nodes_left = limits::config_nodes();
  int nesting = 0;
};
constexpr int kMaxNesting = 200;

ConfigNode convert(const YAML::Node& y, const std::string& file, int depth, Budget& budget);

/// Merges `overlay` into `base` key by key (maps recursively), keeping the overlay's marks.
void merge_into(ConfigNode& base, const ConfigNode& overlay) {
  for (const auto& e : overlay.entries()) {
    ConfigNode* existing = base.find(e.key);
    if (existing && existing->is_map() && e.value.is_map()) {
      merge_into(*existing, e.value);
    } else {
      base.set(e.key, e.value, e.key_mark);
    }
  }
}

ConfigNode load_base(const ConfigNode& ref, const std::string& including_file, int depth, Budget& budget) {
  if (!ref.is_scalar()) throw ConfigError(ref.mark(), "'base' expects a file path");
  if (depth > 16) throw ConfigError(ref.mark(), "'base' files nest more than 16 deep (a cycle?)");
  fs::path p = fs::path(including_file).parent_path() / ref.value();
  const std::string text = limits::read_file(p.string(), ref.mark());
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(mark_of(e.mark, p.string()), e.msg);
  }
  ConfigNode n = convert(y, p.string(), depth + 1, budget);
  if (!n.is_map()) throw ConfigError(ref.mark(), "base file '" + p.string() + "' must hold a map");
  return n;
}

ConfigNode convert(const YAML::Node& y, const std::string& file, int depth, Budget& budget) {
  SourceMark mark = mark_of(y.Mark(), file);
  if (budget.nodes_left == 0) {
    throw ConfigError(mark, "the config expands to more than " + std::to_string(limits::config_nodes()) +
                                " nodes (YAML aliases repeat what they name)" + limits::raise_hint("XPUSIM_MAX_CONFIG_NODES"));
  }
  --budget.nodes_left;
  if (budget.nesting > kMaxNesting) throw ConfigError(mark, "the config nests more than " + std::to_string(kMaxNesting) + " levels deep");
  struct Nest {
    int& n;
    explicit Nest(int& c) : n(++c) {}
    ~Nest() { --n; }
  } nest(budget.nesting);
  switch (y.Type()) {
    case YAML::NodeType::Scalar:
      return ConfigNode::scalar(y.Scalar(), mark);
    case YAML::NodeType::Sequence: {
      ConfigNode seq = ConfigNode::sequence(mark);
      for (const auto& item : y) seq.push_back(convert(item, file, depth, budget));
      return seq;
    }
    case YAML::NodeType::Map: {
      ConfigNode own = ConfigNode::map(mark);
      const ConfigNode* base_ref = nullptr;
      ConfigNode base_holder;
      for (const auto& kv : y) {
        if (!kv.first.IsScalar()) throw ConfigError(mark_of(kv.first.Mark(), file), "map keys must be plain names");
        std::string key = kv.first.Scalar();
        SourceMark key_mark = mark_of(kv.first.Mark(), file);
        if (own.find(key)) throw ConfigError(key_mark, "duplicate key '" + key + "'");
        own.set(key, convert(kv.second, file, depth, budget), key_mark);
      }
      if ((base_ref = own.find("base")) != nullptr) {
        base_holder = load_base(*base_ref, file, depth, budget);
        own.erase("base");
        merge_into(base_holder, own);
        return base_holder;
      }
      return own;
    }
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      break;
  }
  ConfigNode n;
  return n;
}

bool is_index(std::string_view s, std::size_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

std::string yaml_quote(const std::string& s) {
  bool plain = !s.empty() && s.find_first_of(":#{}[],&*!|>'\"%@`\n") == std::string::npos && s.front() != ' ' &&
               s.back() != ' ' && s.front() != '-';
  if (plain) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

}  // namespace

ConfigNode ConfigNode::scalar(std::string value, SourceMark mark) {
  ConfigNode n;
  n.kind_ = Kind::kScalar;
  n.scalar_ = std::move(value);
  n.mark_ = std::move(mark);
  return n;
}

ConfigNode ConfigNode::map(SourceMark mark) {
  ConfigNode n;
  n.kind_ = Kind::kMap;
  n.mark_ = std::move(mark);
  return n;
}

ConfigNode ConfigNode::sequence(SourceMark mark) {
  ConfigNode n;
  n.kind_ = Kind::kSequence;
  n.mark_ = std::move(mark);
  return n;
}

ConfigNode ConfigNode::load_string(std::string_view yaml, const std::string& source_name) {
  YAML::Node y;
  try {
    y = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    throw ConfigError(mark_of(e.mark, source_name), e.msg);
  }
  Budget budget;
  return convert(y, source_name, 0, budget);
}

ConfigNode ConfigNode::load_file(const std::string& path) {
  return load_string(limits::read_file(path, SourceMark{path, 0, 0}), path);
}

std::string_view ConfigNode::kind_name() const {
  switch (kind_) {
    case Kind::kNull: return "empty";
    case Kind::kScalar: return "a value";
    case Kind::kMap: return "a map";
    case Kind::kSequence: return "a list";
  }
  return "?";
}

const ConfigNode* ConfigNode::find(std::string_view key) const {
  for (const auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

ConfigNode* ConfigNode::find(std::string_view key) {
  for (auto& e : entries_) {
    if (e.key == key) return &e.value;
  }
  return nullptr;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> k;
  k.reserve(entries_.size());
  for (const auto& e : entries_) k.push_back(e.key);
  return k;
}

ConfigNode& ConfigNode::set(const std::string& key, ConfigNode value, SourceMark key_mark) {
  if (kind_ == Kind::kNull) kind_ = Kind::kMap;
  for (auto& e : entries_) {
    if (e.key == key) {
      e.value = std::move(value);
      if (!key_mark.file.empty()) e.key_mark = std::move(key_mark);
      return e.value;
    }
  }
  if (key_mark.file.empty()) key_mark = value.mark();
  entries_.push_back(Entry{key, std::move(key_mark), std::move(value)});
  return entries_.back().value;
}

void ConfigNode::erase(std::string_view key) {
  std::erase_if(entries_, [&](const Entry& e) { return e.key == key; });
}

void ConfigNode::apply_override(std::string_view dotted_path, const std::string& value) {
  const SourceMark where{"--set " + std::string(dotted_path), 0, 0};
  if (dotted_path.empty()) throw ConfigError(where, "empty parameter path");
  ConfigNode* node = this;
  std::string walked;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted_path.find('.', start);
    std::string seg(dotted_path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    bool last = dot == std::string_view::npos;
    if (seg.empty()) throw ConfigError(where, "empty segment in parameter path");
    if (node->is_sequence()) {
      ConfigNode* next = nullptr;
      std::vector<std::string> names;
      for (auto& item : node->items_) {
        const ConfigNode* n = item.find("name");
        if (n && n->is_scalar()) {
          names.push_back(n->value());
          if (n->value() == seg) next = &item;
        }
      }
      std::size_t idx = 0;
      if (!next && is_index(seg, idx) && idx < node->items_.size()) next = &node->items_[idx];
      if (!next) {
        throw ConfigError(where, "no element named '" + seg + "' under '" + walked + "'" + did_you_mean(seg, names));
      }
      if (last) throw ConfigError(where, "'" + seg + "' is a whole component; name one of its parameters");
      node = next;
    } else if (node->is_map() || node->is_null()) {
      ConfigNode* next = node->find(seg);
      if (last) {
        node->set(seg, ConfigNode::scalar(value, where), where);
        return;
      }
      if (!next) {
        throw ConfigError(where, "no key '" + seg + "'" + (walked.empty() ? "" : " under '" + walked + "'") +
                                     did_you_mean(seg, node->keys()));
      }
      node = next;
    } else {
      throw ConfigError(where, "'" + walked + "' is a value, not a map; it has no '" + seg + "'");
    }
    walked += (walked.empty() ? "" : ".") + seg;
    start = dot + 1;
  }
}

std::string ConfigNode::to_yaml(int indent) const {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  std::string out;
  switch (kind_) {
    case Kind::kNull: return "~\n";
    case Kind::kScalar: return yaml_quote(scalar_) + "\n";
    case Kind::kMap:
      if (entries_.empty()) return "{}\n";
      out += "\n";
      for (const auto& e : entries_) {
        out += pad + yaml_quote(e.key) + ":";
        std::string v = e.value.to_yaml(indent + 2);
        out += (e.value.is_scalar() || e.value.is_null() || v == "{}\n" || v == "[]\n") ? " " + v : v;
      }
      return out;
    case Kind::kSequence:
      if (items_.empty()) return "[]\n";
      out += "\n";
      for (const auto& item : items_) {
        std::string v = item.to_yaml(indent + 2);
        if (item.is_map() && v.size() > 1) {
          // "- " followed by the map's first line without its indentation.
          std::string body = v.substr(1);
          out += pad + "- " + body.substr(static_cast<std::size_t>(indent + 2));
        } else {
          out += pad + "- " + v;
        }
      }
      return out;
  }
  return out;
}

}  // namespace xpusim
