// SPDX-License-Identifier: MIT
// xpusim's own configuration tree. It keeps the file:line:column of every key and value, so any later
// check can point at the exact place, and it hides yaml-cpp from the rest of the code.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/config/config_error.h"

namespace xpusim {

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kMap, kSequence };
  struct Entry;

  ConfigNode() = default;
  static ConfigNode scalar(std::string value, SourceMark mark);
  static ConfigNode map(SourceMark mark);
  static ConfigNode sequence(SourceMark mark);

  /// Loads a YAML file. A map key `base: other.yaml` (path relative to this file) starts the map from
  /// the map in that file; keys written beside `base` override it. Throws ConfigError with
  /// file:line:column on syntax errors, duplicate keys and unreadable files.
  static ConfigNode load_file(const std::string& path);
  static ConfigNode load_string(std::string_view yaml, const std::string& source_name);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  bool is_scalar() const { return kind_ == Kind::kScalar; }
  bool is_map() const { return kind_ == Kind::kMap; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  const SourceMark& mark() const { return mark_; }
  /// "a scalar", "a map", ... for error messages.
  std::string_view kind_name() const;

  const std::string& value() const { return scalar_; }

  /// Map access. find() returns nullptr when the key is absent.
  const ConfigNode* find(std::string_view key) const;
  ConfigNode* find(std::string_view key);
  const std::vector<Entry>& entries() const { return entries_; }
  std::vector<std::string> keys() const;
  /// Inserts or replaces `key`.
  ConfigNode& set(const std::string& key, ConfigNode value, SourceMark key_mark = {});
  void erase(std::string_view key);

  /// Sequence access.
  const std::vector<ConfigNode>& items() const { return items_; }
  std::vector<ConfigNode>& items() { return items_; }
  void push_back(ConfigNode n) { items_.push_back(std::move(n)); }

  /// Applies `--set a.b.c=value`. Path segments walk maps by key and sequences by the `name:` of
  /// their elements (or a numeric index). A missing last key is added (the schema then reports it if
  /// no model knows it); a missing intermediate key is an error with a did-you-mean.
  void apply_override(std::string_view dotted_path, const std::string& value);

  /// Emits the tree as YAML (flow style for leaves), for replay and `xpusim validate`.
  std::string to_yaml(int indent = 0) const;

 private:
  Kind kind_ = Kind::kNull;
  SourceMark mark_;
  std::string scalar_;
  std::vector<Entry> entries_;
  std::vector<ConfigNode> items_;
};

struct ConfigNode::Entry {
  std::string key;
  SourceMark key_mark;
  ConfigNode value;
};

}  // namespace xpusim
