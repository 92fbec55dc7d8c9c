// SPDX-License-Identifier: MIT
// Parsing and printing of unit strings ("3.35 TB/s", "80 GiB", "1.755 GHz", "4.5 pJ/bit").
// Decimal prefixes (KB, GB) and binary ones (KiB, GiB) are kept apart; a bare number is an error.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/units.h"

namespace xpusim {

/// Thrown when a string is not a valid quantity of the requested kind. `what()` says what was
/// expected, with an example, and what was found.
class UnitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Name and example of each quantity kind, used in error messages and schema docs.
template <class Q> struct QuantityTraits;
template <> struct QuantityTraits<Time> { static constexpr const char* name = "time"; static constexpr const char* example = "100 ns"; };
template <> struct QuantityTraits<Bytes> { static constexpr const char* name = "size"; static constexpr const char* example = "80 GiB"; };
template <> struct QuantityTraits<Frequency> { static constexpr const char* name = "frequency"; static constexpr const char* example = "1.755 GHz"; };
template <> struct QuantityTraits<Bandwidth> { static constexpr const char* name = "bandwidth"; static constexpr const char* example = "3.35 TB/s"; };
template <> struct QuantityTraits<Energy> { static constexpr const char* name = "energy"; static constexpr const char* example = "0.5 pJ"; };
template <> struct QuantityTraits<Power> { static constexpr const char* name = "power"; static constexpr const char* example = "700 W"; };
template <> struct QuantityTraits<EnergyPerByte> { static constexpr const char* name = "energy per bit or byte"; static constexpr const char* example = "3.9 pJ/bit"; };
template <> struct QuantityTraits<Voltage> { static constexpr const char* name = "voltage"; static constexpr const char* example = "0.9 V"; };
template <> struct QuantityTraits<Length> { static constexpr const char* name = "length"; static constexpr const char* example = "4 nm"; };
template <> struct QuantityTraits<FlopRate> { static constexpr const char* name = "operation rate"; static constexpr const char* example = "989 TFLOP/s"; };

/// Parses `text` as a quantity of kind Q; throws UnitError on a missing, wrong or unknown unit.
template <class Q> Q parse_quantity(std::string_view text);

/// Human-readable form with an SI prefix and 4 significant digits, e.g. "3.35 TB/s".
std::string format(Time t);
std::string format(Bytes b);
std::string format(Frequency f);
std::string format(Bandwidth b);
std::string format(Energy e);
std::string format(Power p);
std::string format(Voltage v);
std::string format(Length l);

}  // namespace xpusim
