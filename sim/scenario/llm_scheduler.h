// SPDX-License-Identifier: MIT
// Iteration-level scheduling of LLM requests over a paged KV cache (Orca, OSDI'22; vLLM, SOSP'23), and
// request-level static batching for comparison. Pure bookkeeping: iteration costs come from a callback
// (cached simulations), so thousands of requests schedule in milliseconds.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "sim/scenario/scenario_spec.h"
#include "sim/units.h"

namespace xpusim {

struct LlmRequest {
  Time arrival{0};  // ignored in closed loop
  std::int64_t prompt = 1, output = 1;  // tokens; output includes the token the prefill produces
};

struct LlmSchedulerConfig {
  Batching batching = Batching::kContinuous;
  std::int64_t max_batch = 256;          // running sequences
  std::int64_t kv_blocks = 0;            // KV-cache capacity in blocks
  std::int64_t block_tokens = 16;
  /// Continuous: prompt tokens per prefill iteration. Chunked: tokens per iteration, decodes included.
  std::int64_t max_prefill_tokens = 2048;
  /// > 0: closed loop (single/multi-stream); requests come in groups of this many, and a group arrives
  /// when the previous one has finished. 0: open loop, requests arrive at their arrival times.
  std::int64_t closed_loop_group = 0;
};

/// The work of one iteration: sequences whose prompt (or a chunk of it) is processed, and sequences
/// that decode one token. Without chunked prefill an iteration is one or the other.
struct LlmIteration {
  std::int64_t prefill_seqs = 0, prefill_tokens = 0;  // prompt tokens processed, summed over sequences
  std::int64_t prefill_past = 0;  // tokens those sequences had cached before (earlier chunks), summed
  std::int64_t decode_seqs = 0, decode_context = 0;  // context tokens attended, each new token included, summed

  /// A whole-prompt iteration, or a decode-only one.
  static LlmIteration prefill(std::int64_t seqs, std::int64_t tokens) { return {seqs, tokens, 0, 0, 0}; }
  static LlmIteration decode(std::int64_t seqs, std::int64_t context) { return {0, 0, 0, seqs, context}; }
};

/// What one iteration costs: its time, and the energy the hardware spends on it (0 when the caller
/// only schedules). A bare Time converts, so a cost model that knows only time still fits.
struct IterationCost {
  Time time{0};
  Energy energy{0};
  IterationCost(Time t, Energy e = Energy(0)) : time(t), energy(e) {}
};

using LlmStepCost = std::function<IterationCost(const LlmIteration&)>;

/// One request's history. `energy` is its share of the iterations it took part in, split among the
/// sequences of an iteration by the tokens each processed (a prompt chunk's tokens, one per decode);
/// time between iterations belongs to no request.
struct LlmRequestRecord {
  Time arrival{0}, first_token{0}, finish{0};
  Energy energy{0};
};

struct LlmOutcome {
  std::vector<LlmRequestRecord> requests;  // in request order
  Time first_arrival{0}, last_finish{0}, busy{0};
  std::int64_t prefill_iterations = 0, decode_iterations = 0, preemptions = 0;
  std::int64_t max_running = 0, peak_blocks = 0;
  double block_seconds = 0;  // integral of blocks in use over time
};

/// Schedules every request to completion. Requires each request to fit the KV cache (and, continuous,
/// one prefill iteration) on its own; throws std::logic_error otherwise.
///
/// Continuous (vLLM v0 default scheduler): each iteration is either a prefill of waiting requests, in
/// arrival order, as many as fit max_batch, max_prefill_tokens and the free blocks -- preferred whenever
/// one can be admitted -- or a decode step of every running sequence. Admission control keeps one free
/// block for each running sequence about to fill its last block; when a decode step still runs out, the
/// most recently admitted sequence is preempted: its blocks are freed and it waits at the head of the
/// queue to be recomputed (prefill over prompt + tokens generated so far; vLLM's RECOMPUTE mode).
/// A sequence frees its blocks the iteration it finishes.
///
/// Chunked (chunked prefill: Sarathi-Serve, OSDI'24; vLLM's scheduler with it enabled): every iteration
/// first gives each running decode its token, preempting the newest sequence when blocks run out, then
/// spends what is left of the max_prefill_tokens budget on prompt chunks -- running sequences whose
/// prompt is unfinished first, then waiting requests in arrival order (up to max_batch running) --
/// allocating blocks as the chunks are cached. A sequence's first token comes with its last chunk.
///
/// Static: when the device is idle it takes up to max_batch waiting requests whose full length
/// (prompt + output) fits the free blocks, prefills them together, and decodes the whole batch -- with
/// finished sequences still occupying their slots -- until its longest request is done.
LlmOutcome run_llm_scheduler(const std::vector<LlmRequest>& requests, const LlmSchedulerConfig& config,
                             const LlmStepCost& cost);

}  // namespace xpusim
