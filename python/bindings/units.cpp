// SPDX-License-Identifier: MIT
// Unit strings for Python: sweeps keep parameters as the user typed them ("8 TB/s") and plot them
// by their SI magnitude.
#include <pybind11/stl.h>

#include <optional>
#include <utility>

#include "python/bindings/bindings.h"
#include "sim/config/schema.h"
#include "sim/unit_parse.h"

namespace pyb = pybind11;

namespace xpusim::py {
namespace {

template <class Q>
std::optional<std::pair<double, std::string>> try_parse(const std::string& text) {
  try {
    Q q = parse_quantity<Q>(text);
    return std::make_pair(schema_detail::ValueTraits<Q>::magnitude(q), std::string(QuantityTraits<Q>::name));
  } catch (const UnitError&) {
    return std::nullopt;
  }
}

/// SI base units, in the order `magnitude()` reports them (Time in picoseconds is converted).
std::pair<double, std::string> to_si(const std::string& text) {
  if (auto t = try_parse<Time>(text)) return {t->first * 1e-12, "s"};
  if (auto v = try_parse<Bytes>(text)) return {v->first, "B"};
  if (auto v = try_parse<Frequency>(text)) return {v->first, "Hz"};
  if (auto v = try_parse<Bandwidth>(text)) return {v->first, "B/s"};
  if (auto v = try_parse<Energy>(text)) return {v->first, "J"};
  if (auto v = try_parse<Power>(text)) return {v->first, "W"};
  if (auto v = try_parse<EnergyPerByte>(text)) return {v->first, "J/B"};
  if (auto v = try_parse<FlopRate>(text)) return {v->first, "FLOP/s"};
  throw UnitError("expects a quantity with a unit, like \"3.35 TB/s\" or \"80 GiB\", got \"" + text + "\"");
}

}  // namespace

void bind_units(pyb::module_& m) {
  m.def("to_si", &to_si, pyb::arg("text"),
        "Parses a unit string (\"8 TB/s\", \"32 MiB\") into (value in SI units, SI unit). Raises ConfigError.");
}

}  // namespace xpusim::py
