// SPDX-License-Identifier: MIT
// A typed, documented parameter schema for a model's Params struct (gem5's Param / Ramulator's param<T>):
// each field has a key, a kind (unit-aware), a doc line, a default (the struct's initial value) and a
// range. bind() rejects unknown keys with a did-you-mean and collects every problem before throwing.
#pragma once

#include <charconv>
#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sim/config/config_node.h"
#include "sim/unit_parse.h"

namespace xpusim {

/// One documented parameter, as listed by `xpusim list` and the Python `describe()`.
struct FieldDoc {
  std::string key;
  std::string kind;  // "bandwidth", "integer", "one of os|ws|is", ...
  std::string doc;
  std::string default_text;  // empty when required
  bool required = false;
};

namespace schema_detail {

template <class T> struct ValueTraits;

template <class Q>
  requires requires { QuantityTraits<Q>::name; }
struct ValueTraits<Q> {
  static std::string kind() { return QuantityTraits<Q>::name; }
  static Q parse(const std::string& s) { return parse_quantity<Q>(s); }
  static double magnitude(const Q& q) {
    if constexpr (std::is_same_v<Q, Time>) return static_cast<double>(q.ps());
    else if constexpr (std::is_same_v<Q, Bytes>) return static_cast<double>(q.count());
    else if constexpr (std::is_same_v<Q, Frequency>) return q.hz();
    else if constexpr (std::is_same_v<Q, Bandwidth>) return q.bytes_per_second();
    else if constexpr (std::is_same_v<Q, Energy>) return q.joules();
    else if constexpr (std::is_same_v<Q, Power>) return q.watts();
    else if constexpr (std::is_same_v<Q, EnergyPerByte>) return q.joules_per_byte();
    else if constexpr (std::is_same_v<Q, Voltage>) return q.volts();
    else if constexpr (std::is_same_v<Q, Length>) return q.meters();
    else return q.per_second();
  }
  static std::string show(const Q& q) {
    if constexpr (requires { format(q); }) return format(q);
    else return std::to_string(magnitude(q));
  }
};

template <class I>
  requires std::is_integral_v<I> && (!std::is_same_v<I, bool>)
struct ValueTraits<I> {
  static std::string kind() { return "integer"; }
  static I parse(const std::string& s) {
    I v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) throw UnitError("expects a whole number, got \"" + s + "\"");
    return v;
  }
  static double magnitude(I v) { return static_cast<double>(v); }
  static std::string show(I v) { return std::to_string(v); }
};

template <> struct ValueTraits<double> {
  static std::string kind() { return "number"; }
  static double parse(const std::string& s) {
    double v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v))
      throw UnitError("expects a plain number, got \"" + s + "\"");
    return v;
  }
  static double magnitude(double v) { return v; }
  static std::string show(double v) {
    char b[32];
    auto [p, ec] = std::to_chars(b, b + sizeof b, v);
    return std::string(b, p);
  }
};

template <> struct ValueTraits<bool> {
  static std::string kind() { return "true|false"; }
  static bool parse(const std::string& s) {
    if (s == "true") return true;
    if (s == "false") return false;
    throw UnitError("expects true or false, got \"" + s + "\"");
  }
  static double magnitude(bool v) { return v ? 1 : 0; }
  static std::string show(bool v) { return v ? "true" : "false"; }
};

template <> struct ValueTraits<std::string> {
  static std::string kind() { return "text"; }
  static std::string parse(const std::string& s) { return s; }
  static double magnitude(const std::string&) { return 0; }
  static std::string show(const std::string& v) { return v; }
};

}  // namespace schema_detail

template <class P>
class Schema {
 public:
  struct Field {
    FieldDoc doc;
    std::optional<double> min;  // inclusive unless min_exclusive
    bool min_exclusive = false;
    std::string min_text;       // how messages show `min` (with its unit); empty: the bare number
    std::optional<double> max;
    std::vector<std::string> choices;
    std::function<void(P&, const std::string&, const Field&)> assign;  // throws UnitError
    std::function<std::string(const P&)> show;

    Field& required() { doc.required = true; doc.default_text.clear(); return *this; }
    /// Strictly greater than zero.
    Field& positive() { return above(0); }
    /// Strictly greater than `v`.
    Field& above(double v) { min = v; min_exclusive = true; return *this; }
    Field& at_least(double v) { min = v; min_exclusive = false; return *this; }
    /// at_least(v), shown as `text` ("1 MHz") in messages.
    Field& at_least(double v, std::string text) { at_least(v); min_text = std::move(text); return *this; }
    Field& at_most(double v) { max = v; return *this; }
    Field& one_of(std::vector<std::string> c) {
      choices = std::move(c);
      std::string k = "one of ";
      for (std::size_t i = 0; i < choices.size(); ++i) k += (i ? "|" : "") + choices[i];
      doc.kind = k;
      return *this;
    }
  };

  explicit Schema(std::string doc = {}) : doc_(std::move(doc)) {}

  template <class T>
  Field& add(std::string key, T P::*member, std::string doc) {
    using Tr = schema_detail::ValueTraits<T>;
    Field f;
    f.doc = FieldDoc{key, Tr::kind(), std::move(doc), Tr::show(P{}.*member), false};
    f.assign = [member](P& p, const std::string& text, const Field& self) {
      T v = Tr::parse(text);
      if (!self.choices.empty()) {
        bool ok = false;
        for (const auto& c : self.choices) ok = ok || c == text;
        if (!ok) throw UnitError("expects " + self.doc.kind + ", got \"" + text + "\"" + did_you_mean(text, self.choices));
      }
      double m = Tr::magnitude(v);
      if (self.min && (self.min_exclusive ? !(m > *self.min) : !(m >= *self.min))) {
        throw UnitError("must be " + std::string(self.min_exclusive ? "greater than " : "at least ") +
                        (self.min_text.empty() ? schema_detail::ValueTraits<double>::show(*self.min) : self.min_text) +
                        ", got \"" + text + "\"");
      }
      if (self.max && m > *self.max) throw UnitError("must be at most " + std::to_string(*self.max) + ", got \"" + text + "\"");
      p.*member = std::move(v);
    };
    f.show = [member](const P& p) { return Tr::show(p.*member); };
    fields_.push_back(std::move(f));
    return fields_.back();
  }

  /// Fills a P from `node` (a map). Keys listed in `reserved` (e.g. name, type) are skipped. Problems are
  /// added to `diag` prefixed by `context` (e.g. "hbm0 (memory/dram)"); the caller throws.
  P bind(const ConfigNode& node, const std::string& context, Diagnostics& diag,
         const std::vector<std::string>& reserved = {"name", "type"}) const {
    P p{};
    if (!node.is_map()) {
      diag.error(node.mark(), context + ": expects a map of parameters, got " + std::string(node.kind_name()));
      return p;
    }
    std::vector<std::string> known;
    for (const auto& f : fields_) known.push_back(f.doc.key);
    for (const auto& e : node.entries()) {
      bool is_reserved = false;
      for (const auto& r : reserved) is_reserved = is_reserved || r == e.key;
      if (is_reserved) continue;
      const Field* f = find(e.key);
      if (!f) {
        diag.error(e.key_mark, context + ": unknown key '" + e.key + "'" + did_you_mean(e.key, known));
        continue;
      }
      if (!e.value.is_scalar()) {
        diag.error(e.value.mark(), context + ": '" + e.key + "' expects " + f->doc.kind + ", got " +
                                       std::string(e.value.kind_name()));
        continue;
      }
      try {
        f->assign(p, e.value.value(), *f);
      } catch (const UnitError& err) {
        diag.error(e.value.mark(), context + ": '" + e.key + "' " + err.what());
      }
    }
    for (const auto& f : fields_) {
      if (f.doc.required && !node.find(f.doc.key)) {
        diag.error(node.mark(), context + ": missing required key '" + f.doc.key + "' (" + f.doc.kind + ": " + f.doc.doc + ")");
      }
    }
    return p;
  }

  std::vector<FieldDoc> docs() const {
    std::vector<FieldDoc> d;
    for (const auto& f : fields_) d.push_back(f.doc);
    return d;
  }
  const std::string& doc() const { return doc_; }
  /// The resolved value of every field of `p`, as text with units, for replayable output.
  std::vector<std::pair<std::string, std::string>> values(const P& p) const {
    std::vector<std::pair<std::string, std::string>> v;
    for (const auto& f : fields_) v.emplace_back(f.doc.key, f.show(p));
    return v;
  }

 private:
  const Field* find(std::string_view key) const {
    for (const auto& f : fields_) {
      if (f.doc.key == key) return &f;
    }
    return nullptr;
  }
  std::string doc_;
  std::vector<Field> fields_;
};

}  // namespace xpusim

#include "sim/dtype.h"

namespace xpusim::schema_detail {
template <> struct ValueTraits<DataType> {
  static std::string kind() { return std::string("one of ") + dtype_names(); }
  static DataType parse(const std::string& s) {
    auto d = parse_dtype(s);
    if (!d) throw UnitError(std::string("expects one of ") + dtype_names() + ", got \"" + s + "\"");
    return *d;
  }
  static double magnitude(DataType d) { return bits(d); }
  static std::string show(DataType d) { return std::string(to_string(d)); }
};
}  // namespace xpusim::schema_detail
