// SPDX-License-Identifier: MIT
#include "arch/power/process_node.h"

#include <array>
#include <cmath>
#include <utility>

namespace xpusim::arch {
namespace {

// Energy of one switching event at node N relative to 45 nm, both at 0.8 V: the factors Accelergy
// applies (github.com/Accelergy-Project/hwcomponents, hwcomponents/scaling/techscaling.py), computed
// from Stillmaker & Baas's per-node a*Vdd^2 + b*Vdd + c fits (Integration 58:74-81, 2017; the same
// coefficients are in github.com/wromaszkan/nodeScale); below 7 nm Accelergy multiplies by sqrt(N/7)
// after the IRDS energy-per-switch trend. Model figures, not silicon measurements.
constexpr std::array<std::pair<double, double>, 10> kRelativeTo45nm{{
    {45, 1.0}, {32, 0.659}, {20, 0.221}, {16, 0.174}, {14, 0.139},
    {10, 0.118}, {7, 0.094}, {5, 0.080}, {4, 0.071}, {3, 0.062},
}};

std::optional<double> relative_to_45nm(double nm) {
  nm = std::round(nm * 1e6) / 1e6;  // "45 nm" parses to 45e-9 m, which is 45.000000000000007 nm
  for (std::size_t i = 0; i + 1 < kRelativeTo45nm.size(); ++i) {
    const auto [big, f_big] = kRelativeTo45nm[i];
    const auto [small, f_small] = kRelativeTo45nm[i + 1];
    if (nm > big || nm < small) continue;
    if (nm == big) return f_big;
    if (nm == small) return f_small;
    // Between rows: straight in log(energy) against log(feature size).
    const double t = (std::log(nm) - std::log(big)) / (std::log(small) - std::log(big));
    return std::exp(std::log(f_big) + t * (std::log(f_small) - std::log(f_big)));
  }
  return std::nullopt;
}

}  // namespace

std::optional<double> node_energy_ratio(Length from, Length to) {
  const auto f = relative_to_45nm(from.nm());
  const auto t = relative_to_45nm(to.nm());
  if (!f || !t) return std::nullopt;
  return *t / *f;
}

bool in_node_table(Length node) { return relative_to_45nm(node.nm()).has_value(); }

const char* node_table_range() { return "3 to 45 nm (rows 45, 32, 20, 16, 14, 10, 7, 5, 4, 3 nm)"; }

}  // namespace xpusim::arch
