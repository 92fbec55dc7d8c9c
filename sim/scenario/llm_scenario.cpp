// SPDX-License-Identifier: MIT
#include "sim/scenario/llm_scenario.h"

#include <algorithm>

#include "sim/config/config_error.h"
#include "sim/driver/serving.h"
#include "sim/int_math.h"
#include "sim/scenario/arrivals.h"
#include "sim/scenario/kv_capacity.h"
#include "sim/scenario/latency_summary.h"
#include "sim/scenario/llm_scheduler.h"
#include "sim/scenario/mlperf_targets.h"
#include "sim/scenario/replicas.h"
#include "sim/scenario/step_cache.h"

namespace xpusim {
namespace {

std::int64_t round_up(std::int64_t v, std::int64_t multiple) { return ceil_div(v, multiple) * multiple; }

std::int64_t next_pow2(std::int64_t v) {
  std::int64_t p = 1;
  while (p < v) p *= 2;
  return p;
}

/// Per-request latencies of an outcome: TTFT, TPOT (mean gap between a request's tokens after the
/// first; requests of one token have none), the whole request, and whole queries of several requests.
struct Latencies {
  std::vector<Time> ttft, tpot, request, query;
};

Latencies latencies(const LlmOutcome& out, const std::vector<LlmRequest>& reqs, std::int64_t spq) {
  Latencies l;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    const LlmRequestRecord& t = out.requests[i];
    l.ttft.push_back(t.first_token - t.arrival);
    if (reqs[i].output > 1) l.tpot.push_back(Time((t.finish - t.first_token).ps() / (reqs[i].output - 1)));
    l.request.push_back(t.finish - t.arrival);
  }
  if (spq > 1) {
    for (std::size_t q = 0; q * static_cast<std::size_t>(spq) < reqs.size(); ++q) {
      Time worst{0};
      for (std::size_t k = 0; k < static_cast<std::size_t>(spq) && q * static_cast<std::size_t>(spq) + k < reqs.size(); ++k) {
        worst = std::max(worst, l.request[q * static_cast<std::size_t>(spq) + k]);
      }
      l.query.push_back(worst);
    }
  }
  return l;
}

}  // namespace

Result run_llm_scenario(arch::System& system, const wl::GenerationSpec& spec, const ScenarioSpec& sc,
                        const SimOptions& options) {
  const bool streams = sc.kind == ScenarioKind::kSingleStream || sc.kind == ScenarioKind::kMultiStream;
  const std::int64_t dp = system.parallelism().dp;
  if (dp > 1 && streams) {
    throw ConfigError(sc.mark, "scenario: " + std::string(to_string(sc.kind)) + " keeps one query in flight, which one "
                               "replica serves; set system.dp=1");
  }
  const std::int64_t spq = sc.samples_per_query > 0 ? sc.samples_per_query : sc.kind == ScenarioKind::kMultiStream ? 8 : 1;
  const std::int64_t max_batch = sc.max_batch > 0 ? sc.max_batch : streams ? spq : 256;  // vLLM max_num_seqs 256
  const std::int64_t n = sc.queries * spq;

  // Requests: lengths from their own seeded stream, arrivals per query (a query's samples arrive together).
  // A request log gives both (one sample per query).
  std::vector<RequestLength> lengths = request_lengths(sc, n, spec.prompt_len, spec.output_len);
  std::vector<Time> query_arrival(static_cast<std::size_t>(sc.queries), Time{0});
  if (sc.kind == ScenarioKind::kServer) query_arrival = sc.log.empty() ? poisson_arrivals(sc.queries, sc.qps, sc.seed) : std::vector<Time>{};
  for (std::size_t i = 0; i < sc.log.size(); ++i) {
    if (sc.log[i].prompt == 0 || sc.log[i].output == 0) {
      throw ConfigError(sc.mark, "scenario: the request log has no prompt and output lengths (columns prompt_tokens and "
                                 "output_tokens, or ContextTokens and GeneratedTokens), which an LLM run needs");
    }
    query_arrival.push_back(sc.log[i].arrival);
    lengths[i] = {sc.log[i].prompt, sc.log[i].output};
  }
  std::vector<LlmRequest> reqs;
  reqs.reserve(static_cast<std::size_t>(n));
  std::int64_t max_context = 1, input_tokens = 0, output_tokens = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const RequestLength& len = lengths[static_cast<std::size_t>(i)];
    reqs.push_back({query_arrival[static_cast<std::size_t>(i / spq)], len.prompt, len.output});
    max_context = std::max(max_context, len.prompt + len.output - 1);  // the last token's K, V are never stored
    input_tokens += len.prompt;
    output_tokens += len.output;
  }
  // Chunked: vLLM's chunked-prefill budgets range from 512 (v0, vllm-project/vllm#4580) to 8192; 2048
  // is an assumption in that range. Unchunked, one prefill must hold the longest (recomputed) request.
  const std::int64_t max_prefill = sc.max_prefill_tokens > 0                ? sc.max_prefill_tokens
                                   : sc.batching == Batching::kChunked ? 2048
                                                                       : std::max<std::int64_t>(2048, max_context);
  if (sc.batching == Batching::kContinuous && max_context > max_prefill) {
    throw ConfigError(sc.mark, "scenario: max_prefill_tokens " + std::to_string(max_prefill) + " is below the longest request (" +
                                   std::to_string(max_context) + " tokens of prompt and output), which a preempted request "
                                   "must recompute in one prefill");
  }
  const KvCapacity kv = kv_capacity(system, spec, sc.kv_block, sc.memory_fraction, max_prefill);
  const std::int64_t longest_blocks = ceil_div(max_context, sc.kv_block);
  if (longest_blocks > kv.blocks) {
    throw ConfigError(sc.mark, "scenario: a request of " + std::to_string(max_context) + " tokens needs " +
                                   std::to_string(longest_blocks) + " KV blocks but the cache holds " + std::to_string(kv.blocks) +
                                   " (" + format(kv.kv_space) + " left on stage " + std::to_string(kv.stage) +
                                   "); shorten the requests or raise memory_fraction, tp or pp");
  }

  const std::int64_t mb = system.parallelism().microbatches;
  const std::int64_t kv_bucket = sc.kv_bucket > 0 ? sc.kv_bucket : spec.kv_bucket;
  StepCache cache([&](const StepKey& k) {
    wl::GenerationSpec s = spec;
    s.batch = k.batch;
    s.prompt_len = k.tokens;
    s.options.past_len = k.past;
    s.options.decode_batch = k.decode_batch;
    const wl::Phase phase = k.kind == StepKind::kPrefill ? wl::Phase::kPrefill : wl::Phase::kDecode;
    // The scheduler already holds the cache within memory; a padded shape must not be rejected for it.
    return simulate_system(system, build_step(system, s, phase, k.decode_batch > 0 ? k.decode_tokens : k.tokens), options);
  });
  auto padded = [&](std::int64_t seqs) {
    return round_up(sc.batch_bucket > 0 ? round_up(seqs, sc.batch_bucket) : next_pow2(seqs), mb);
  };
  // Decode: each sequence's context rounded up to kv_bucket. Prompts: the iteration's tokens rounded up
  // to four significant bits (under 12.5 % more), then spread over the padded sequences; rounding each
  // sequence to kv_bucket would add up to B x kv_bucket tokens to a prefill that may hold a few hundred.
  auto context = [&](std::int64_t tokens, std::int64_t seqs) { return round_up(ceil_div(tokens, seqs), kv_bucket); };
  auto prompt = [&](std::int64_t tokens, std::int64_t seqs) { return ceil_div(round_up_significant(tokens, 4), seqs); };
  // A step's Result is every data-parallel replica running it at once; one iteration is one replica's.
  auto run = [&](const StepKey& k) {
    const Time took = cache.run(k);
    return IterationCost(took, Energy(cache.result(k).energy_j / static_cast<double>(dp)));
  };
  const LlmStepCost cost = [&](const LlmIteration& it) {
    StepKey k;
    if (it.prefill_seqs == 0) {
      k.kind = StepKind::kDecode;
      k.batch = padded(it.decode_seqs);
      k.tokens = context(it.decode_context, k.batch);
      return run(k);
    }
    k.kind = StepKind::kPrefill;
    k.batch = padded(it.prefill_seqs);
    k.tokens = prompt(it.prefill_tokens, k.batch);
    k.past = prompt(it.prefill_past, k.batch);
    if (it.decode_seqs > 0) {
      k.decode_batch = padded(it.decode_seqs);
      k.decode_tokens = context(it.decode_context, k.decode_batch);
    }
    return run(k);
  };
  LlmSchedulerConfig lc;
  lc.batching = sc.batching;
  lc.max_batch = max_batch;
  lc.kv_blocks = kv.blocks;
  lc.block_tokens = sc.kv_block;
  lc.max_prefill_tokens = max_prefill;
  lc.closed_loop_group = streams ? spq : 0;
  // Each data-parallel replica has the chips, and so the KV cache, worked out above.
  const LlmOutcome out = run_llm_replicas(reqs, spq, dp, lc, cost);

  const Time duration = out.last_finish - out.first_arrival;
  const double seconds = duration.seconds();
  const Latencies lat = latencies(out, reqs, spq);
  ScenarioReport s;
  s.kind = std::string(to_string(sc.kind));
  s.batching = std::string(to_string(sc.batching));
  s.seed = sc.seed;
  s.queries = sc.queries;
  s.samples_per_query = spq;
  s.target_qps = sc.kind == ScenarioKind::kServer ? sc.qps : 0;
  s.duration_s = seconds;
  s.throughput_value = seconds > 0 ? static_cast<double>(output_tokens) / seconds : 0;
  s.throughput_unit = "tokens/s";
  s.latencies = {summarize_latencies("ttft", lat.ttft), summarize_latencies("tpot", lat.tpot),
                 summarize_latencies("request", lat.request)};
  if (spq > 1) s.latencies.push_back(summarize_latencies("query", lat.query));

  const double p = sc.percentile > 0 ? sc.percentile : mlperf_percentile(sc.kind);
  LatencyTargets bounds{sc.latency_bound, sc.ttft_bound, sc.tpot_bound, "scenario bound"};
  if (sc.kind == ScenarioKind::kServer && bounds.latency == Time{0} && bounds.ttft == Time{0} && bounds.tpot == Time{0}) {
    bounds = mlperf_server_targets(spec.model.name);
  }
  if (sc.kind != ScenarioKind::kOffline) {
    if (bounds.ttft > Time{0}) s.constraints.push_back(judge("ttft", lat.ttft, p, bounds.ttft, bounds.source));
    if (bounds.tpot > Time{0}) s.constraints.push_back(judge("tpot", lat.tpot, p, bounds.tpot, bounds.source));
    if (bounds.latency > Time{0}) s.constraints.push_back(judge("request", lat.request, p, bounds.latency, bounds.source));
  }
  const double blocks = static_cast<double>(kv.blocks);
  s.figures = {{"requests_per_s", seconds > 0 ? static_cast<double>(n) / seconds : 0},
               {"input_tokens", static_cast<double>(input_tokens)},
               {"output_tokens", static_cast<double>(output_tokens)},
               {"max_batch", static_cast<double>(max_batch)},
               {"max_prefill_tokens", static_cast<double>(max_prefill)},
               {"kv_block_tokens", static_cast<double>(sc.kv_block)},
               {"kv_blocks", blocks},
               {"kv_block_bytes", static_cast<double>(kv.block_bytes.count())},
               {"kv_cache_bytes", static_cast<double>(kv.kv_space.count())},
               {"weight_bytes", static_cast<double>(kv.weights.count())},
               {"activation_reserve_bytes", static_cast<double>(kv.activations.count())},
               {"kv_peak_utilization", static_cast<double>(out.peak_blocks) / blocks},
               {"kv_mean_utilization", seconds > 0 ? out.block_seconds / (blocks * seconds * static_cast<double>(dp)) : 0},
               {"max_running", static_cast<double>(out.max_running)},
               {"preemptions", static_cast<double>(out.preemptions)},
               {"prefill_iterations", static_cast<double>(out.prefill_iterations)},
               {"decode_iterations", static_cast<double>(out.decode_iterations)},
               {"device_utilization", duration > Time{0} ? ratio(out.busy, duration * dp) : 0},
               {"replicas", static_cast<double>(dp)}};
  s.steps = cache.steps();
  s.simulations = cache.simulations();

  // Energy per request (its share of the steps it was in; idle time between steps is nobody's) and
  // per output token of each request, beside the run's overall energy per output token.
  std::vector<double> request_j_per_token;
  double request_j = 0;
  for (std::size_t i = 0; i < reqs.size(); ++i) {
    request_j += out.requests[i].energy.joules();
    request_j_per_token.push_back(out.requests[i].energy.joules() / static_cast<double>(reqs[i].output));
  }
  std::sort(request_j_per_token.begin(), request_j_per_token.end());

  Result r = cache.combine(seconds, dp, system.static_power());
  std::vector<Time> sorted = lat.request;
  std::sort(sorted.begin(), sorted.end());
  r.latency_s = sc.kind == ScenarioKind::kOffline ? seconds : percentile(sorted, p).seconds();
  if (!reqs.empty()) {
    s.figures.push_back({"energy_per_output_token_j", output_tokens > 0 ? r.energy_j / static_cast<double>(output_tokens) : 0});
    s.figures.push_back({"request_energy_j_mean", request_j / static_cast<double>(reqs.size())});
    s.figures.push_back({"request_energy_per_token_j_p50", percentile(request_j_per_token, 50)});
    s.figures.push_back({"request_energy_per_token_j_p99", percentile(request_j_per_token, 99)});
  }
  r.throughput_value = s.throughput_value;
  r.throughput_unit = s.throughput_unit;
  r.workload = spec.model.name + "-" + s.kind;
  r.scenario = std::move(s);
  return r;
}

}  // namespace xpusim
