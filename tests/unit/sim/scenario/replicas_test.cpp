// SPDX-License-Identifier: MIT
// Data-parallel replicas: each serves the queries dealt to it exactly as a lone replica would, and the
// outcome adds their work up.
#include <catch2/catch.hpp>

#include "sim/scenario/arrivals.h"
#include "tests/unit/sim/scenario/synthetic_cost.h"
#include "sim/scenario/replicas.h"

using namespace xpusim;
using xpusim::test::synthetic;

namespace {


LlmSchedulerConfig small_cache() {
  LlmSchedulerConfig c;
  c.kv_blocks = 64;  // tight enough to preempt
  c.block_tokens = 16;
  c.max_batch = 8;
  c.max_prefill_tokens = 4096;
  return c;
}

/// Poisson arrivals at `qps` with lengths varying by index.
std::vector<LlmRequest> stream(std::int64_t n, double qps) {
  std::vector<LlmRequest> r;
  const std::vector<Time> at = poisson_arrivals(n, qps, 7);
  for (std::int64_t i = 0; i < n; ++i) r.push_back({at[static_cast<std::size_t>(i)], 50 + (i * 37) % 200, 20 + (i * 13) % 90});
  return r;
}

}  // namespace

TEST_CASE("replicas: each replica serves its dealt queries exactly as a lone replica would", "[scenario][llm][dp]") {
  const std::vector<LlmRequest> all = stream(90, 40.0);
  const LlmOutcome three = run_llm_replicas(all, 1, 3, small_cache(), synthetic);
  REQUIRE(three.requests.size() == all.size());
  LlmOutcome sum;
  for (std::size_t r = 0; r < 3; ++r) {
    std::vector<LlmRequest> mine;
    for (std::size_t i = r; i < all.size(); i += 3) mine.push_back(all[i]);
    const LlmOutcome alone = run_llm_scheduler(mine, small_cache(), synthetic);
    for (std::size_t k = 0; k < mine.size(); ++k) {
      CHECK(three.requests[r + 3 * k].first_token == alone.requests[k].first_token);
      CHECK(three.requests[r + 3 * k].finish == alone.requests[k].finish);
    }
    sum.busy += alone.busy;
    sum.decode_iterations += alone.decode_iterations;
    sum.preemptions += alone.preemptions;
    sum.peak_blocks = std::max(sum.peak_blocks, alone.peak_blocks);
    sum.last_finish = std::max(sum.last_finish, alone.last_finish);
  }
  CHECK(three.busy == sum.busy);
  CHECK(three.decode_iterations == sum.decode_iterations);
  CHECK(three.preemptions == sum.preemptions);
  CHECK(three.peak_blocks == sum.peak_blocks);
  CHECK(three.last_finish == sum.last_finish);
  CHECK(three.first_arrival == all.front().arrival);
  // Three replicas drain the same stream sooner than one.
  CHECK(three.last_finish < run_llm_scheduler(all, small_cache(), synthetic).last_finish);
}

TEST_CASE("replicas: a query's requests stay together, and one replica is the scheduler itself", "[scenario][llm][dp]") {
  const std::vector<LlmRequest> all = stream(24, 10.0);
  // Queries of 4 requests dealt to 2 replicas: requests 0-3 on the first, 4-7 on the second, ...
  const LlmOutcome two = run_llm_replicas(all, 4, 2, small_cache(), synthetic);
  std::vector<LlmRequest> first;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if ((i / 4) % 2 == 0) first.push_back(all[i]);
  }
  const LlmOutcome alone = run_llm_scheduler(first, small_cache(), synthetic);
  CHECK(two.requests[4 * 2 + 1].finish == alone.requests[4 + 1].finish);  // request 9 is the first replica's 6th
  const LlmOutcome one = run_llm_replicas(all, 4, 1, small_cache(), synthetic);
  const LlmOutcome direct = run_llm_scheduler(all, small_cache(), synthetic);
  CHECK(one.last_finish == direct.last_finish);
  CHECK(one.busy == direct.busy);
}
