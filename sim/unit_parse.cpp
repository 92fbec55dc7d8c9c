// SPDX-License-Identifier: MIT
// Unit tables and the number+unit scanner behind parse_quantity<Q>().
#include "sim/unit_parse.h"

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>

namespace xpusim {
namespace {

struct UnitEntry {
  std::string_view symbol;
  double scale;  // multiplier to the SI base of the quantity (s, B, Hz, B/s, J, W, J/B, op/s)
};

constexpr std::array kTimeUnits{UnitEntry{"s", 1.0}, UnitEntry{"ms", 1e-3}, UnitEntry{"us", 1e-6},
                                UnitEntry{"ns", 1e-9}, UnitEntry{"ps", 1e-12}};
constexpr std::array kByteUnits{UnitEntry{"B", 1.0},       UnitEntry{"kB", 1e3},         UnitEntry{"KB", 1e3},
                                UnitEntry{"MB", 1e6},      UnitEntry{"GB", 1e9},         UnitEntry{"TB", 1e12},
                                UnitEntry{"KiB", 1024.0},  UnitEntry{"MiB", 1048576.0},  UnitEntry{"GiB", 1073741824.0},
                                UnitEntry{"TiB", 1099511627776.0}};
// Transfers per second (DRAM data rate per pin) count as a frequency of transfers.
constexpr std::array kFrequencyUnits{UnitEntry{"Hz", 1.0},    UnitEntry{"kHz", 1e3},  UnitEntry{"MHz", 1e6},
                                     UnitEntry{"GHz", 1e9},   UnitEntry{"MT/s", 1e6}, UnitEntry{"GT/s", 1e9}};
// Lower-case "b" is bits, as in link data sheets ("112 Gb/s" per lane).
constexpr std::array kBandwidthUnits{
    UnitEntry{"B/s", 1.0},    UnitEntry{"kB/s", 1e3},   UnitEntry{"KB/s", 1e3},         UnitEntry{"MB/s", 1e6},
    UnitEntry{"GB/s", 1e9},   UnitEntry{"TB/s", 1e12},  UnitEntry{"KiB/s", 1024.0},     UnitEntry{"MiB/s", 1048576.0},
    UnitEntry{"GiB/s", 1073741824.0}, UnitEntry{"TiB/s", 1099511627776.0}, UnitEntry{"b/s", 0.125},
    UnitEntry{"Mb/s", 1.25e5}, UnitEntry{"Gb/s", 1.25e8}, UnitEntry{"Tb/s", 1.25e11}, UnitEntry{"Gbps", 1.25e8}};
constexpr std::array kEnergyUnits{UnitEntry{"J", 1.0},     UnitEntry{"mJ", 1e-3},  UnitEntry{"uJ", 1e-6},
                                  UnitEntry{"nJ", 1e-9},   UnitEntry{"pJ", 1e-12}, UnitEntry{"fJ", 1e-15}};
constexpr std::array kPowerUnits{UnitEntry{"W", 1.0}, UnitEntry{"mW", 1e-3}, UnitEntry{"kW", 1e3}, UnitEntry{"uW", 1e-6}};
constexpr std::array kVoltageUnits{UnitEntry{"V", 1.0}, UnitEntry{"mV", 1e-3}};
constexpr std::array kLengthUnits{UnitEntry{"m", 1.0}, UnitEntry{"mm", 1e-3}, UnitEntry{"um", 1e-6}, UnitEntry{"nm", 1e-9}};
constexpr std::array kEnergyPerByteUnits{UnitEntry{"pJ/bit", 8e-12}, UnitEntry{"pJ/b", 8e-12},
                                         UnitEntry{"fJ/bit", 8e-15}, UnitEntry{"pJ/B", 1e-12},
                                         UnitEntry{"pJ/byte", 1e-12}, UnitEntry{"nJ/B", 1e-9}};
constexpr std::array kRateUnits{UnitEntry{"FLOP/s", 1.0},   UnitEntry{"GFLOP/s", 1e9}, UnitEntry{"TFLOP/s", 1e12},
                                UnitEntry{"PFLOP/s", 1e15}, UnitEntry{"GFLOPS", 1e9},  UnitEntry{"TFLOPS", 1e12},
                                UnitEntry{"PFLOPS", 1e15},  UnitEntry{"TOPS", 1e12},   UnitEntry{"POPS", 1e15}};

template <class Q> struct Table;
template <> struct Table<Time> { static constexpr auto& units = kTimeUnits; };
template <> struct Table<Bytes> { static constexpr auto& units = kByteUnits; };
template <> struct Table<Frequency> { static constexpr auto& units = kFrequencyUnits; };
template <> struct Table<Bandwidth> { static constexpr auto& units = kBandwidthUnits; };
template <> struct Table<Energy> { static constexpr auto& units = kEnergyUnits; };
template <> struct Table<Power> { static constexpr auto& units = kPowerUnits; };
template <> struct Table<Voltage> { static constexpr auto& units = kVoltageUnits; };
template <> struct Table<Length> { static constexpr auto& units = kLengthUnits; };
template <> struct Table<EnergyPerByte> { static constexpr auto& units = kEnergyPerByteUnits; };
template <> struct Table<FlopRate> { static constexpr auto& units = kRateUnits; };

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <class Q>
[[noreturn]] void fail(std::string_view text, std::string_view why) {
  std::string msg = "expects a ";
  msg += QuantityTraits<Q>::name;
  msg += " like \"";
  msg += QuantityTraits<Q>::example;
  msg += "\", got \"";
  msg += text;
  msg += "\"";
  if (!why.empty()) {
    msg += " (";
    msg += why;
    msg += ")";
  }
  throw UnitError(msg);
}

template <class Q>
std::string known_units() {
  std::string s;
  for (const auto& u : Table<Q>::units) {
    if (!s.empty()) s += ", ";
    s += u.symbol;
  }
  return s;
}

template <class Q>
double parse_si(std::string_view text) {
  std::string_view t = trim(text);
  std::string buf(t);
  const char* begin = buf.c_str();
  char* end = nullptr;
  errno = 0;
  double number = std::strtod(begin, &end);
  if (end == begin) fail<Q>(text, "no number");
  if (errno == ERANGE || !std::isfinite(number)) fail<Q>(text, "number out of range");
  std::string_view unit = trim(std::string_view(buf).substr(static_cast<std::size_t>(end - begin)));
  if (unit.empty()) fail<Q>(text, "missing unit");
  for (const auto& u : Table<Q>::units) {
    if (u.symbol == unit) return number * u.scale;
  }
  fail<Q>(text, "unknown unit '" + std::string(unit) + "'; known: " + known_units<Q>());
}

std::string with_prefix(double v, const char* unit, bool binary = false) {
  static constexpr std::array<std::pair<double, const char*>, 7> dec{
      {{1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}, {1.0, ""}, {1e-3, "m"}}};
  static constexpr std::array<std::pair<double, const char*>, 5> bin{
      {{1099511627776.0, "Ti"}, {1073741824.0, "Gi"}, {1048576.0, "Mi"}, {1024.0, "Ki"}, {1.0, ""}}};
  char out[64];
  double a = std::fabs(v);
  if (binary) {
    for (const auto& [scale, p] : bin) {
      if (a >= scale) {
        std::snprintf(out, sizeof out, "%.4g %s%s", v / scale, p, unit);
        return out;
      }
    }
  } else {
    for (const auto& [scale, p] : dec) {
      if (a >= scale) {
        std::snprintf(out, sizeof out, "%.4g %s%s", v / scale, p, unit);
        return out;
      }
    }
  }
  std::snprintf(out, sizeof out, "%.4g %s", v, unit);
  return out;
}

}  // namespace

template <> Time parse_quantity<Time>(std::string_view text) {
  double s = parse_si<Time>(text);
  return Time(static_cast<std::int64_t>(std::llround(s * 1e12)));
}
template <> Bytes parse_quantity<Bytes>(std::string_view text) {
  double b = parse_si<Bytes>(text);
  if (b != std::floor(b)) fail<Bytes>(text, "not a whole number of bytes");
  return Bytes(static_cast<std::int64_t>(b));
}
template <> Frequency parse_quantity<Frequency>(std::string_view text) { return Frequency(parse_si<Frequency>(text)); }
template <> Bandwidth parse_quantity<Bandwidth>(std::string_view text) { return Bandwidth(parse_si<Bandwidth>(text)); }
template <> Energy parse_quantity<Energy>(std::string_view text) { return Energy(parse_si<Energy>(text)); }
template <> Power parse_quantity<Power>(std::string_view text) { return Power(parse_si<Power>(text)); }
template <> EnergyPerByte parse_quantity<EnergyPerByte>(std::string_view text) {
  return EnergyPerByte(parse_si<EnergyPerByte>(text));
}
template <> Voltage parse_quantity<Voltage>(std::string_view text) { return Voltage(parse_si<Voltage>(text)); }
template <> Length parse_quantity<Length>(std::string_view text) { return Length(parse_si<Length>(text)); }
template <> FlopRate parse_quantity<FlopRate>(std::string_view text) { return FlopRate(parse_si<FlopRate>(text)); }

std::string format(Time t) {
  double s = t.seconds();
  char out[64];
  double a = std::fabs(s);
  if (a >= 1.0 || a == 0.0) std::snprintf(out, sizeof out, "%.4g s", s);
  else if (a >= 1e-3) std::snprintf(out, sizeof out, "%.4g ms", s * 1e3);
  else if (a >= 1e-6) std::snprintf(out, sizeof out, "%.4g us", s * 1e6);
  else if (a >= 1e-9) std::snprintf(out, sizeof out, "%.4g ns", s * 1e9);
  else std::snprintf(out, sizeof out, "%.4g ps", s * 1e12);
  return out;
}
std::string format(Bytes b) { return with_prefix(static_cast<double>(b.count()), "B", true); }
std::string format(Frequency f) { return with_prefix(f.hz(), "Hz"); }
std::string format(Bandwidth b) { return with_prefix(b.bytes_per_second(), "B/s"); }
std::string format(Energy e) {
  char out[64];
  double j = e.joules();
  double a = std::fabs(j);
  if (a >= 1.0 || a == 0.0) std::snprintf(out, sizeof out, "%.4g J", j);
  else if (a >= 1e-3) std::snprintf(out, sizeof out, "%.4g mJ", j * 1e3);
  else if (a >= 1e-6) std::snprintf(out, sizeof out, "%.4g uJ", j * 1e6);
  else if (a >= 1e-9) std::snprintf(out, sizeof out, "%.4g nJ", j * 1e9);
  else std::snprintf(out, sizeof out, "%.4g pJ", j * 1e12);
  return out;
}
std::string format(Power p) { return with_prefix(p.watts(), "W"); }
std::string format(Voltage v) { return with_prefix(v.volts(), "V"); }
std::string format(Length l) {  // process nodes are named in nanometres
  char out[64];
  std::snprintf(out, sizeof out, "%.4g nm", l.nm());
  return out;
}

}  // namespace xpusim
