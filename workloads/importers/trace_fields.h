// SPDX-License-Identifier: MIT
// Typed, range-checked access to the fields of one JSON object of a trace, reporting every problem
// (missing, unknown with a did-you-mean, wrong type) to a Diagnostics with the value's file:line.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/config_node.h"

namespace xpusim::wl::trace_detail {

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

inline bool contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// Field access with type and range checks; every problem goes to `diag` and yields nullopt.
class Fields {
 public:
  Fields(const ConfigNode& map, std::string who, Diagnostics& diag) : map_(map), who_(std::move(who)), diag_(diag) {}

  /// Reports keys outside `allowed` with a did-you-mean.
  void reject_unknown(const std::vector<std::string>& allowed) const {
    for (const auto& e : map_.entries()) {
      if (!contains(allowed, e.key)) {
        diag_.error(e.key_mark, who_ + ": unknown field '" + e.key + "'" + did_you_mean(e.key, allowed) +
                                    " (fields: " + join(allowed) + ")");
      }
    }
  }

  const ConfigNode* node(const std::string& key, bool required) const {
    const ConfigNode* n = map_.find(key);
    if (!n && required) diag_.error(map_.mark(), who_ + ": missing required field '" + key + "'");
    return n;
  }

  std::optional<std::string> text(const std::string& key, bool required) const {
    const ConfigNode* n = node(key, required);
    if (!n) return std::nullopt;
    if (!n->is_scalar()) return bad(*n, key, "a string");
    return n->value();
  }

  std::optional<std::int64_t> integer(const std::string& key, bool required, std::int64_t fallback,
                                      std::int64_t min) const {
    const ConfigNode* n = node(key, required);
    if (!n) return required ? std::nullopt : std::optional<std::int64_t>(fallback);
    std::int64_t v = 0;
    const std::string& s = n->value();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n->is_scalar() || s.empty() || ec != std::errc() || p != s.data() + s.size()) return bad(*n, key, "an integer");
    if (v < min) {
      diag_.error(n->mark(), who_ + ": '" + key + "' must be at least " + std::to_string(min) + ", got " + s);
      return std::nullopt;
    }
    return v;
  }

  /// An optional unsigned 64-bit integer (seeds use the full range).
  std::optional<std::uint64_t> unsigned_integer(const std::string& key, std::uint64_t fallback) const {
    const ConfigNode* n = node(key, false);
    if (!n) return fallback;
    std::uint64_t v = 0;
    const std::string& s = n->value();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n->is_scalar() || s.empty() || ec != std::errc() || p != s.data() + s.size()) return bad(*n, key, "an unsigned integer");
    return v;
  }

  std::optional<double> real(const std::string& key, bool required, double fallback) const {
    const ConfigNode* n = node(key, required);
    if (!n) return required ? std::nullopt : std::optional<double>(fallback);
    double v = 0;
    const std::string& s = n->value();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n->is_scalar() || s.empty() || ec != std::errc() || p != s.data() + s.size()) return bad(*n, key, "a number");
    if (!(v > 0)) {
      diag_.error(n->mark(), who_ + ": '" + key + "' must be positive, got " + s);
      return std::nullopt;
    }
    return v;
  }

  bool boolean(const std::string& key) const {
    const ConfigNode* n = node(key, false);
    if (!n) return false;
    if (n->is_scalar() && (n->value() == "true" || n->value() == "false")) return n->value() == "true";
    bad(*n, key, "true or false");
    return false;
  }

  const std::string& who() const { return who_; }

 private:
  std::nullopt_t bad(const ConfigNode& n, const std::string& key, const std::string& expected) const {
    const std::string got = n.is_scalar() ? "\"" + n.value() + "\"" : std::string(n.kind_name());
    diag_.error(n.mark(), who_ + ": '" + key + "' expects " + expected + ", got " + got);
    return std::nullopt;
  }

  const ConfigNode& map_;
  std::string who_;
  Diagnostics& diag_;
};

}  // namespace xpusim::wl::trace_detail
