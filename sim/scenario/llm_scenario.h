// SPDX-License-Identifier: MIT
// A scenario of LLM generation requests (a `type: generation` workload) on a system: seeded request
// lengths and arrivals, a paged KV cache sized from memory, continuous or static batching, and TTFT /
// TPOT percentiles against the constraint. Step costs are simulated once per bucketed shape.
#pragma once

#include "arch/system.h"
#include "sim/driver/simulate.h"
#include "sim/result.h"
#include "sim/scenario/scenario_spec.h"
#include "workloads/serving.h"

namespace xpusim {

/// Runs `scenario` for requests of the model, dtypes and (for lengths: fixed) prompt_len / output_len
/// of `spec` on `system`; with dp > 1, queries are dealt to the replicas in turn (run_llm_replicas).
/// An iteration over n sequences carrying T tokens is simulated as the step (prefill or decode) of B sequences of L tokens each, where B is n padded by
/// batch_bucket (powers of two by default, and to whole micro-batches) and L = ceil(T / B), a decode
/// context rounded up to kv_bucket, a prompt's T first rounded up to four significant bits: the step
/// keeps the iteration's total tokens, so attention traffic is right, while padded rows cost what padded
/// rows cost. The Result's latency is the judged percentile of request latency
/// (offline: the whole run), its throughput output tokens per second. Throws ConfigError when a
/// request cannot fit the KV cache or one prefill iteration, or for dp > 1 in single or multi-stream.
Result run_llm_scenario(arch::System& system, const wl::GenerationSpec& spec, const ScenarioSpec& scenario,
                        const SimOptions& options = {});

}  // namespace xpusim
