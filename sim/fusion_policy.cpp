// SPDX-License-Identifier: MIT
#include "sim/fusion_policy.h"

namespace xpusim {

std::string_view to_string(FusionPolicy p) {
  switch (p) {
    case FusionPolicy::kNone: return "none";
    case FusionPolicy::kEpilogue: return "epilogue";
    case FusionPolicy::kFull: return "full";
  }
  return "?";
}

std::optional<FusionPolicy> parse_fusion_policy(std::string_view s) {
  if (s == "none") return FusionPolicy::kNone;
  if (s == "epilogue") return FusionPolicy::kEpilogue;
  if (s == "full") return FusionPolicy::kFull;
  return std::nullopt;
}

}  // namespace xpusim
