// SPDX-License-Identifier: MIT
// The LLM scheduler with synthetic step costs: the paged KV cache caps concurrency at the closed-form
// number of sequences, preemption keeps every request correct, and continuous batching beats static
// batching when output lengths differ.
#include <catch2/catch.hpp>

#include <numeric>

#include "sim/int_math.h"
#include "sim/scenario/arrivals.h"
#include "tests/unit/sim/scenario/synthetic_cost.h"
#include "sim/scenario/llm_scheduler.h"

using namespace xpusim;
using xpusim::test::synthetic;

namespace {

std::vector<LlmRequest> fixed(std::int64_t n, std::int64_t prompt, std::int64_t output) {
  return std::vector<LlmRequest>(static_cast<std::size_t>(n), LlmRequest{Time{0}, prompt, output});
}

LlmSchedulerConfig continuous(std::int64_t blocks) {
  LlmSchedulerConfig c;
  c.kv_blocks = blocks;
  c.block_tokens = 16;
  c.max_batch = 256;
  c.max_prefill_tokens = 100000;
  return c;
}

LlmSchedulerConfig chunked(std::int64_t blocks, std::int64_t budget) {
  LlmSchedulerConfig c = continuous(blocks);
  c.batching = Batching::kChunked;
  c.max_prefill_tokens = budget;
  return c;
}

std::int64_t output_tokens(const std::vector<LlmRequest>& r) {
  return std::accumulate(r.begin(), r.end(), std::int64_t{0}, [](std::int64_t s, const LlmRequest& q) { return s + q.output; });
}

}  // namespace

TEST_CASE("the paged KV cache caps running sequences at blocks / blocks per sequence", "[scenario][llm]") {
  // 100 prompt + 10 output tokens: at most 109 cached tokens = 7 blocks of 16, the same 7 at admission.
  const auto reqs = fixed(200, 100, 10);
  for (std::int64_t blocks : {7, 50, 300, 1000}) {
    const LlmOutcome out = run_llm_scheduler(reqs, continuous(blocks), synthetic);
    CHECK(out.max_running == std::min<std::int64_t>(blocks / 7, 200));
    CHECK(out.peak_blocks <= blocks);
    CHECK(out.preemptions == 0);  // nothing grows past its admission blocks
  }
  // max_batch caps it too.
  LlmSchedulerConfig c = continuous(1000);
  c.max_batch = 16;
  CHECK(run_llm_scheduler(reqs, c, synthetic).max_running == 16);
}

TEST_CASE("sequences that outgrow the cache are preempted, recomputed, and still finish exactly", "[scenario][llm]") {
  // 16-token prompts growing to 16 + 200: each ends up needing 14 blocks; 40 blocks hold 2.
  const auto reqs = fixed(12, 16, 201);
  const LlmOutcome out = run_llm_scheduler(reqs, continuous(40), synthetic);
  CHECK(out.peak_blocks <= 40);
  CHECK(out.preemptions > 0);
  for (const LlmRequestRecord& t : out.requests) {
    CHECK(t.first_token > t.arrival);
    CHECK(t.finish > t.first_token);
  }
  // A request needs 200 decode steps; preempted ones need more iterations, never fewer.
  CHECK(out.decode_iterations >= 200);
}

TEST_CASE("one request alone: TTFT is the prefill, then one decode step per further token", "[scenario][llm]") {
  const std::vector<LlmRequest> one{{Time(5), 100, 4}};
  const LlmOutcome out = run_llm_scheduler(one, continuous(100), synthetic);
  CHECK(out.requests[0].first_token - out.requests[0].arrival == synthetic(LlmIteration::prefill(1, 100)));
  // Decode steps attend over 101, 102 and 103 tokens.
  const Time decode = synthetic(LlmIteration::decode(1, 101)) + synthetic(LlmIteration::decode(1, 102)) +
                      synthetic(LlmIteration::decode(1, 103));
  CHECK(out.requests[0].finish - out.requests[0].first_token == decode);
  CHECK(out.decode_iterations == 3);
}

TEST_CASE("continuous batching beats static batching on mixed output lengths", "[scenario][llm]") {
  ScenarioSpec s;
  s.lengths = LengthDistribution::kUniform;
  s.prompt_len_min = 50;
  s.prompt_len_max = 200;
  s.output_len_min = 2;
  s.output_len_max = 400;
  std::vector<LlmRequest> reqs;
  for (const RequestLength& l : request_lengths(s, 256, 0, 0)) reqs.push_back({Time{0}, l.prompt, l.output});
  LlmSchedulerConfig c = continuous(100000);
  c.max_batch = 32;
  const LlmOutcome cont = run_llm_scheduler(reqs, c, synthetic);
  c.batching = Batching::kStatic;
  const LlmOutcome stat = run_llm_scheduler(reqs, c, synthetic);
  CHECK(cont.max_running == 32);
  CHECK(stat.max_running == 32);
  // Static batches run until their longest request: more decode iterations for the same tokens.
  CHECK(stat.decode_iterations > cont.decode_iterations);
  const double tokens = static_cast<double>(output_tokens(reqs));
  const double cont_rate = tokens / (cont.last_finish - cont.first_arrival).seconds();
  const double stat_rate = tokens / (stat.last_finish - stat.first_arrival).seconds();
  CHECK(cont_rate > 1.3 * stat_rate);
}

TEST_CASE("static batching reserves whole sequences and waits for the batch to end", "[scenario][llm]") {
  std::vector<LlmRequest> reqs{{Time{0}, 16, 2}, {Time{0}, 16, 50}, {Time{0}, 16, 2}};
  LlmSchedulerConfig c = continuous(1000);
  c.batching = Batching::kStatic;
  c.max_batch = 2;
  const LlmOutcome out = run_llm_scheduler(reqs, c, synthetic);
  // The third request starts only after the 50-token one finished.
  CHECK(out.requests[2].first_token > out.requests[1].finish);
  CHECK(out.requests[0].finish < out.requests[1].finish);  // streamed: done at its own last token
  CHECK(out.decode_iterations == 49 + 1);
}

TEST_CASE("closed loop: a group of requests arrives when the previous one finished", "[scenario][llm]") {
  LlmSchedulerConfig c = continuous(1000);
  c.closed_loop_group = 2;
  const LlmOutcome out = run_llm_scheduler(fixed(6, 32, 5), c, synthetic);
  CHECK(out.requests[2].arrival == std::max(out.requests[0].finish, out.requests[1].finish));
  CHECK(out.requests[4].arrival == std::max(out.requests[2].finish, out.requests[3].finish));
  CHECK(out.max_running == 2);
}

TEST_CASE("request lengths: fixed, or uniform in range and independent of arrivals", "[scenario][llm]") {
  ScenarioSpec s;
  for (const RequestLength& l : request_lengths(s, 10, 128, 64)) CHECK((l.prompt == 128 && l.output == 64));
  s.lengths = LengthDistribution::kUniform;
  s.prompt_len_min = 10;
  s.prompt_len_max = 20;
  s.output_len_min = 1;
  s.output_len_max = 3;
  const auto a = request_lengths(s, 5000, 0, 0);
  std::int64_t lo = 100, hi = 0, sum = 0;
  for (const RequestLength& l : a) {
    lo = std::min(lo, l.prompt);
    hi = std::max(hi, l.prompt);
    sum += l.output;
    CHECK((l.output >= 1 && l.output <= 3));
  }
  CHECK(lo == 10);
  CHECK(hi == 20);
  CHECK(static_cast<double>(sum) / 5000 == Approx(2.0).epsilon(0.03));
  s.seed = 2;
  const auto b = request_lengths(s, 5000, 0, 0);
  CHECK_FALSE(std::equal(a.begin(), a.end(), b.begin(), [](auto x, auto y) { return x.prompt == y.prompt; }));
}

TEST_CASE("chunked prefill: a long prompt runs in budget-sized chunks that attend over the earlier ones", "[scenario][llm][chunked]") {
  std::vector<LlmIteration> seen;
  const LlmStepCost record = [&](const LlmIteration& it) {
    seen.push_back(it);
    return synthetic(it);
  };
  const std::vector<LlmRequest> one{{Time(0), 1000, 3}};
  const LlmOutcome out = run_llm_scheduler(one, chunked(100, 256), record);
  // 256 + 256 + 256 + 232 prompt tokens, then two decode steps.
  REQUIRE(seen.size() == 6);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(seen[i].prefill_seqs == 1);
    CHECK(seen[i].prefill_tokens == (i < 3 ? 256 : 232));
    CHECK(seen[i].prefill_past == static_cast<std::int64_t>(256 * i));
    CHECK(seen[i].decode_seqs == 0);
  }
  CHECK(out.requests[0].first_token == 3 * synthetic(LlmIteration::prefill(1, 256)) + synthetic(LlmIteration::prefill(1, 232)));
  CHECK(seen[4].decode_context == 1001);
  CHECK(out.prefill_iterations == 4);
  CHECK(out.decode_iterations == 2);
}

TEST_CASE("chunked prefill: decodes ride in every iteration, and no iteration exceeds the token budget", "[scenario][llm][chunked]") {
  // Eight short requests decoding; a 6,000-token prompt arrives among them.
  std::vector<LlmRequest> reqs = fixed(8, 64, 300);
  reqs.push_back({Time(50'000'000'000), 6000, 2});
  std::vector<LlmIteration> seen;
  const LlmStepCost record = [&](const LlmIteration& it) {
    seen.push_back(it);
    return synthetic(it);
  };
  const LlmOutcome chunk = run_llm_scheduler(reqs, chunked(2000, 512), record);
  Time longest{0};
  std::int64_t mixed = 0;
  for (const LlmIteration& it : seen) {
    CHECK(it.prefill_tokens + it.decode_seqs <= 512);
    longest = std::max(longest, synthetic(it));
    if (it.prefill_seqs > 0 && it.decode_seqs > 0) ++mixed;
  }
  CHECK(mixed >= 12);  // the long prompt's 12 chunks all carried the 8 decodes
  // Without chunks, the whole prompt is one iteration that stalls every decode behind it.
  const LlmOutcome whole = run_llm_scheduler(reqs, continuous(2000), synthetic);
  INFO(longest.seconds());
  CHECK(longest.seconds() < 0.25 * synthetic(LlmIteration::prefill(1, 6000)).seconds());
  CHECK(chunk.requests[8].first_token > whole.requests[8].first_token);  // the long prompt's TTFT pays for it
  CHECK(chunk.preemptions == 0);
}

TEST_CASE("chunked prefill: under a tight cache every request still finishes exactly", "[scenario][llm][chunked]") {
  const auto reqs = fixed(12, 300, 120);  // 420 tokens = 27 blocks each; 60 blocks hold two
  std::int64_t generated = 0;
  const LlmStepCost count = [&](const LlmIteration& it) {
    generated += it.decode_seqs;
    return synthetic(it);
  };
  const LlmOutcome out = run_llm_scheduler(reqs, chunked(60, 128), count);
  CHECK(out.peak_blocks <= 60);
  CHECK(out.preemptions > 0);
  for (const LlmRequestRecord& t : out.requests) {
    CHECK(t.first_token > t.arrival);
    CHECK(t.finish > t.first_token);
  }
  // 120 tokens each: the first from its prompt, the rest decoded -- except that a recomputed prompt
  // also yields the next token, so each preemption may save one decode.
  CHECK(generated <= 12 * 119);
  CHECK(generated >= 12 * 119 - out.preemptions);
}

TEST_CASE("each iteration's energy goes to its sequences by the tokens they processed, and sums exactly", "[scenario][llm][energy]") {
  // 1 J per iteration: the requests' shares add up to the iteration count under every policy.
  int iterations = 0;
  const LlmStepCost joule = [&](const LlmIteration& it) {
    ++iterations;
    return IterationCost(test::synthetic(it), Energy(1.0));
  };
  std::vector<LlmRequest> reqs;
  for (int i = 0; i < 40; ++i) reqs.push_back({Time(static_cast<std::int64_t>(i) * 3'000'000'000), 50 + 7 * i, 1 + (i * 13) % 60});
  LlmSchedulerConfig stat = continuous(1000);
  stat.batching = Batching::kStatic;
  stat.max_batch = 8;
  for (const LlmSchedulerConfig& c : {continuous(1000), continuous(60), chunked(1000, 256), stat}) {
    iterations = 0;
    const LlmOutcome out = run_llm_scheduler(reqs, c, joule);
    double sum = 0;
    for (const LlmRequestRecord& r : out.requests) {
      CHECK(r.energy.joules() > 0);
      sum += r.energy.joules();
    }
    CHECK(sum == Approx(static_cast<double>(iterations)).epsilon(1e-12));
  }
  // Two requests prefilled together share that step by prompt length: 100 and 300 tokens -> 1/4, 3/4.
  // Both produce their only token in it, so that step is all they cost.
  const std::vector<LlmRequest> pair{{Time{0}, 100, 1}, {Time{0}, 300, 1}};
  const LlmOutcome two = run_llm_scheduler(pair, continuous(1000), joule);
  CHECK(two.requests[0].energy.joules() == Approx(0.25));
  CHECK(two.requests[1].energy.joules() == Approx(0.75));
  // A cost model that knows only time charges nobody.
  const LlmOutcome timed = run_llm_scheduler(pair, continuous(1000), test::synthetic);
  CHECK(timed.requests[0].energy.joules() == 0);
}
