// SPDX-License-Identifier: MIT
// A multi-chip system composed from YAML: N identical chips, the links and switches between them
// (a Topology), and the parallelism a run uses (tensor, pipeline, expert, data, micro-batches).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "arch/chip.h"
#include "arch/interconnect/collective.h"
#include "arch/interconnect/topology.h"

namespace xpusim::arch {

/// Degrees of parallelism. One model replica spans tp x pp chips (stage s owns chips s*tp ...
/// s*tp + tp - 1); dp replicas run side by side; experts are spread over ep chips of a stage's tp group.
struct Parallelism {
  int tp = 1, pp = 1, ep = 1, dp = 1, microbatches = 1;
  int chips() const { return tp * pp * dp; }
};

class System {
 public:
  /// Reads a system config:
  ///   system: {name, chip: FILE, count, topology: switch|pcie|ring|torus|mesh, dims: "4x2", tp, pp, ep, dp,
  ///            microbatches, collective: ring|tree|nvls|direct|auto}
  ///   link: {type: link/p2p, ...}     switch: {type: switch/crossbar, ...}   (switch/pcie only)
  /// Overrides starting with `system.`, `link.` or `switch.` change this file; any other goes to the
  /// chip (`hbm.bandwidth=...`). Throws one ConfigError listing every problem.
  static std::unique_ptr<System> load(const std::string& path, const std::vector<std::string>& overrides = {});
  /// A one-chip system with no links, so single-chip runs can use the system path.
  static std::unique_ptr<System> single(std::unique_ptr<Chip> chip);

  const std::string& name() const { return name_; }
  int count() const { return count_; }
  const Parallelism& parallelism() const { return par_; }
  /// The representative chip of pipeline stage `s`: under tensor parallelism the tp chips of a stage
  /// do identical work, so one chip's model stands for all of them.
  Chip& stage_chip(int s) const { return *stage_chips_.at(static_cast<std::size_t>(s)); }
  int stages() const { return static_cast<int>(stage_chips_.size()); }
  /// What the chips that run the work draw doing nothing: each stage chip's static power times its
  /// tp x dp copies (the chips a run's energy counts).
  Power static_power() const;
  /// nullptr for a one-chip system.
  const Topology* topology() const { return topology_.get(); }
  /// System chip indices of stage `s`'s tensor-parallel group.
  std::vector<int> stage_group(int s) const;
  /// The configured algorithm; kAuto lets each collective pick by size (choose_algorithm).
  CollectiveAlgorithm algorithm() const { return algorithm_; }
  void reset();
  /// The system config with overrides applied (replay).
  const ConfigNode& config() const { return config_; }

 private:
  System() = default;
  std::string name_;
  int count_ = 1;
  Parallelism par_;
  CollectiveAlgorithm algorithm_ = CollectiveAlgorithm::kRing;
  std::vector<std::unique_ptr<Chip>> stage_chips_;
  std::unique_ptr<Topology> topology_;
  ConfigNode config_;
};

}  // namespace xpusim::arch
