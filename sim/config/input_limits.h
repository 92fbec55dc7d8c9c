// SPDX-License-Identifier: MIT
// Resource limits on what an input may ask for, so that a bad or hostile file is refused within a
// second with a located message instead of exhausting memory or time. Each has a default far above any
// real input and an environment variable to raise it (README "Limits").
#pragma once

#include <cstdint>
#include <string>

#include "sim/config/config_error.h"

namespace xpusim::limits {

/// Bytes of one input file (XPUSIM_MAX_INPUT_BYTES, default 256 MiB).
std::uint64_t input_bytes();
/// Nodes of one config tree once YAML aliases are expanded and `base:` files merged
/// (XPUSIM_MAX_CONFIG_NODES, default 5,000,000; a 38,000-op trace has about 700,000).
std::uint64_t config_nodes();
/// Tiles one simulation may walk, summed over its ops (XPUSIM_MAX_TILES, default 100,000,000; the
/// bundled 20-step SDXL image walks under 2,000,000).
std::uint64_t tiles();
/// Ops one imported topology may expand to (XPUSIM_MAX_OPS, default 2,000,000).
std::uint64_t ops();

/// The whole of the regular file at `path`, read after checking its size against input_bytes();
/// throws ConfigError at `where` for a missing, unreadable, special (FIFO, device) or oversized file.
std::string read_file(const std::string& path, const SourceMark& where);

/// "XPUSIM_MAX_TILES=N raises it": the hint a refusal ends with.
std::string raise_hint(const char* variable);

}  // namespace xpusim::limits
