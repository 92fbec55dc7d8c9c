// SPDX-License-Identifier: MIT
// Entry points of a simulation: a graph is checked against the hardware's memory, fused into kernels
// by the workload's policy or the chip's, and run (run.h).
#include "sim/driver/simulate.h"

#include "sim/driver/memory_fit.h"
#include "sim/driver/run.h"
#include "workloads/transforms/fuse.h"

namespace xpusim {

using driver::Run;

Result simulate(arch::Chip& chip, const wl::OpGraph& graph, const SimOptions& options) {
  graph.validate();
  check_resident_fit(chip, graph);
  chip.reset();
  const wl::OpGraph kernels = wl::fuse(graph, graph.fusion().value_or(chip.fusion()));
  Run run({&chip}, nullptr, kernels, options);
  return run.execute();
}

Result simulate_system(arch::System& system, const wl::OpGraph& graph, const SimOptions& options) {
  graph.validate();
  // Chips whose main memory has nothing behind it cannot run a stage that overflows it.
  bool hard = false;
  for (int s = 0; s < system.stages(); ++s) hard = hard || system.stage_chip(s).main_memory().hard_capacity();
  if (hard) check_memory_fit(system, graph);
  system.reset();
  std::vector<arch::Chip*> chips;
  for (int s = 0; s < system.stages(); ++s) chips.push_back(&system.stage_chip(s));
  // Every stage runs the same chip type, so its compiler stack is the first stage's.
  const wl::OpGraph kernels = wl::fuse(graph, graph.fusion().value_or(chips.front()->fusion()));
  Run run(chips, &system, kernels, options);
  Result r = run.execute();
  // Data-parallel replicas are independent copies: throughput scales with them, latency does not.
  r.throughput_value *= static_cast<double>(system.parallelism().dp);
  return r;
}

}  // namespace xpusim
