// SPDX-License-Identifier: MIT
// Turns a SCALE-Sim .cfg file (architecture_presets, run_presets) into an xpusim chip config tree.
#pragma once

#include <string>

#include "sim/config/config_node.h"

namespace xpusim {

/// The chip config equivalent of a SCALE-Sim .cfg: one systolic array, three operand SRAMs and the
/// DRAM interface SCALE-Sim assumes. Throws ConfigError naming file, line and key.
ConfigNode scalesim_cfg_to_chip_config(const std::string& path);

}  // namespace xpusim
