// SPDX-License-Identifier: MIT
// Arithmetic the mapper and the tile walker share: which GEMM dimension plays which role in a
// dataflow, and the bytes of a block.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>

#include "arch/chip.h"
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

/// Checks that the operand blocks fit half of the buffers they live in (the other half is being filled).
inline bool fits(const arch::ComputeUnit& u, Bytes a, Bytes b, Bytes c) {
  std::map<const arch::MemoryModel*, Bytes> need;
  need[u.ifmap_buffer] += a;
  need[u.filter_buffer] += b;
  need[u.ofmap_buffer] += c;
  for (const auto& [buf, bytes] : need) {
    if (bytes.count() * 2 > buf->capacity().count()) return false;
  }
  return true;
}

}  // namespace xpusim::driver
