// SPDX-License-Identifier: MIT
// A scenario of a batched workload (ResNet-50, SDXL, a GEMM, one transformer step, ...) on one chip:
// single-stream batch-1 queries, multi-stream 8-sample queries, offline at the best batch that fits,
// server with Poisson arrivals and a dynamic batcher. Each distinct batch size is simulated once.
#pragma once

#include <string>
#include <vector>

#include "arch/chip.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "sim/scenario/scenario_spec.h"

namespace xpusim {

/// Runs `spec` with `workload_path` (plus `workload_overrides`) on `chip`. A batch of n samples is the
/// workload built with its batch key (batch, or images for SDXL) set to n; workloads without one (a
/// SCALE-Sim topology, a trace) need max_batch: 1. Offline picks, among powers of two up to max_batch
/// that fit main memory, the batch with the most samples per second. The Result's latency is the judged
/// percentile of query latency (offline: the whole run), its throughput samples per second in the
/// workload's unit, and `scenario` holds the details. Throws ConfigError for bad combinations.
Result run_batch_scenario(arch::Chip& chip, const std::string& workload_path,
                          const std::vector<std::string>& workload_overrides, const ScenarioSpec& spec,
                          const SimOptions& options = {});

}  // namespace xpusim
