// SPDX-License-Identifier: MIT
// A chip composed from YAML: named components built through the Registry, the memory that holds
// weights and activations, and each compute unit's on-chip buffers.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arch/compute_model.h"
#include "arch/memory_model.h"
#include "arch/power/clock_governor.h"
#include "sim/config/config_node.h"
#include "sim/fusion_policy.h"

namespace xpusim::arch {

/// A compute unit and the buffers its operands are staged in. A unified buffer appears in all three
/// roles; a SCALE-Sim-style chip has one SRAM per operand.
struct ComputeUnit {
  ComputeModel* model = nullptr;
  MemoryModel* ifmap_buffer = nullptr;  // activations in (A of a GEMM)
  MemoryModel* filter_buffer = nullptr; // weights (B of a GEMM)
  MemoryModel* ofmap_buffer = nullptr;  // results
};

class Chip {
 public:
  /// Builds a chip from a config tree with top-level keys `chip:` and `components:`. Throws one
  /// ConfigError listing every problem found (unknown types and keys, bad units, dangling references).
  static std::unique_ptr<Chip> build(const ConfigNode& root);
  static std::unique_ptr<Chip> load(const std::string& path, const std::vector<std::string>& overrides = {});

  const std::string& name() const { return name_; }
  MemoryModel& main_memory() const { return *main_memory_; }
  /// The on-chip memory that keeps main-memory bytes between kernels (`chip: cache:`, a GPU's L2:
  /// write-back, least recently used); nullptr when the config does not name one or says `none`.
  MemoryModel* cache() const { return cache_; }
  const std::vector<ComputeUnit>& compute_units() const { return units_; }
  const std::vector<std::unique_ptr<Component>>& components() const { return components_; }
  Component* find(std::string_view name) const;
  /// Sum of every component's static power plus the chip's own (uncore) static power.
  Power static_power() const;
  Power uncore_static_power() const { return uncore_static_; }
  /// The energy-breakdown name of uncore_static_power(): "uncore" (`chip: static_power:`), or
  /// "active_idle" for the part of the `power:` block's active-idle floor not in a component.
  const std::string& uncore_name() const { return uncore_name_; }
  /// How the chip's production compiler stack fuses ops into kernels (`chip: fusion:`), the default
  /// for workloads that do not ask for a policy; kNone when the config does not say.
  FusionPolicy fusion() const { return fusion_; }
  /// The clock governor (`chip: power:` with a `tdp` or a `max_clock` above 1); nullptr otherwise.
  const ClockGovernor* governor() const { return governor_ ? &*governor_ : nullptr; }
  /// Runs every on-die component at the setting's clock (a ratio to its configured clock) and voltage
  /// (its energies scale by the voltage ratio squared). Only a chip with a governor changes clock.
  void set_clock(const ClockSetting& setting);
  /// Every component back to its state after construction, at the configured clocks.
  void reset();
  /// The config the chip was built from, overrides applied: written beside results for replay.
  const ConfigNode& config() const { return config_; }

 private:
  std::string name_;
  Power uncore_static_{0};
  std::string uncore_name_ = "uncore";
  FusionPolicy fusion_ = FusionPolicy::kNone;
  MemoryModel* main_memory_ = nullptr;
  MemoryModel* cache_ = nullptr;
  std::vector<std::unique_ptr<Component>> components_;
  std::vector<double> node_energy_scale_;  // per component: its energy scale at the configured clocks
  std::optional<ClockGovernor> governor_;
  ClockSetting clock_;  // in force on the on-die components
  std::vector<ComputeUnit> units_;
  ConfigNode config_;
};

/// Applies `path=value` overrides (from --set or Python) to a config tree; throws ConfigError.
void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides);

}  // namespace xpusim::arch
