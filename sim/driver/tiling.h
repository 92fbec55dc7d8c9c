// SPDX-License-Identifier: MIT
// Arithmetic the mapper and the tile walker share: which GEMM dimension plays which role in a
// dataflow, and the bytes of a block.
#pragma once

#include <cmath>
#include <cstdint>

#include "arch/compute_model.h"
#include "sim/units.h"

namespace xpusim::driver {

/// Which GEMM dimension plays each role for a dataflow (scalesim-model.md section 4).
struct Roles {
  char spatial_rows, spatial_cols, temporal;
};

constexpr Roles roles(arch::Dataflow d) {
  switch (d) {
    case arch::Dataflow::kOutputStationary: return {'m', 'n', 'k'};
    case arch::Dataflow::kWeightStationary: return {'k', 'n', 'm'};
    case arch::Dataflow::kInputStationary: return {'k', 'm', 'n'};
  }
  return {'m', 'n', 'k'};
}

/// `elements` of `bits_per_element` each (fractional with sparsity metadata), rounded up to a byte.
inline Bytes bytes_of(double elements, double bits_per_element) {
  return Bytes(static_cast<std::int64_t>(std::ceil(elements * bits_per_element / 8.0)));
}

}  // namespace xpusim::driver
