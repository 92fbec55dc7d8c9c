// SPDX-License-Identifier: MIT
// The non-LLM query loop against closed forms, with synthetic batch costs: a batch of n takes
// base + n * per_sample.
#include <catch2/catch.hpp>

#include <algorithm>

#include "sim/scenario/arrivals.h"
#include "sim/scenario/batch_loop.h"
#include "sim/scenario/latency_summary.h"

using namespace xpusim;

namespace {

const Time kBase(1'000'000'000);     // 1 ms
const Time kPerSample(100'000'000);  // 0.1 ms

Time cost(std::int64_t n) { return kBase + kPerSample * n; }

BatchLoopConfig config(ScenarioKind kind, std::int64_t queries, std::int64_t max_batch, double qps = 0) {
  BatchLoopConfig c;
  c.kind = kind;
  c.queries = queries;
  c.max_batch = max_batch;
  c.qps = qps;
  c.samples_per_query = kind == ScenarioKind::kMultiStream ? 8 : 1;
  return c;
}

}  // namespace

TEST_CASE("single-stream: every query takes one batch-1 run, back to back", "[scenario]") {
  const BatchLoopOutcome out = run_batch_loop(config(ScenarioKind::kSingleStream, 100, 1), cost);
  CHECK(out.batches == 100);
  for (Time t : out.query_latency) CHECK(t == cost(1));
  CHECK(out.last_completion == cost(1) * 100);
  CHECK(out.total_wait == Time{0});
}

TEST_CASE("multi-stream: 8-sample queries run as one batch of 8", "[scenario]") {
  const BatchLoopOutcome out = run_batch_loop(config(ScenarioKind::kMultiStream, 50, 8), cost);
  CHECK(out.batches == 50);
  CHECK(out.samples == 400);
  for (Time t : out.query_latency) CHECK(t == cost(8));
  // With a batcher limited to 4, a query needs two batches.
  const BatchLoopOutcome halves = run_batch_loop(config(ScenarioKind::kMultiStream, 50, 4), cost);
  for (Time t : halves.query_latency) CHECK(t == cost(4) * 2);
}

TEST_CASE("offline: all samples at time 0 in full batches, the last one partial", "[scenario]") {
  const BatchLoopOutcome out = run_batch_loop(config(ScenarioKind::kOffline, 1000, 64), cost);
  CHECK(out.batches == 16);  // 15 x 64 + 40
  CHECK(out.last_completion == cost(64) * 15 + cost(40));
  CHECK(out.max_queue == 1000);
}

TEST_CASE("server: Poisson arrivals at the asked rate, deterministic per seed", "[scenario]") {
  const std::vector<Time> a = poisson_arrivals(20000, 1000.0, 7);
  CHECK(std::is_sorted(a.begin(), a.end()));
  CHECK(a.back().seconds() / 20000 == Approx(1e-3).epsilon(0.02));  // mean gap 1 / qps
  CHECK(poisson_arrivals(20000, 1000.0, 7) == a);
  CHECK(poisson_arrivals(20000, 1000.0, 8) != a);
}

TEST_CASE("server at very low load: queries never meet, latency is one batch-1 run", "[scenario]") {
  BatchLoopConfig c = config(ScenarioKind::kServer, 2000, 256, 1.0);  // a query per second, 1.1 ms each
  const BatchLoopOutcome out = run_batch_loop(c, cost);
  const LatencyDistribution d = summarize_latencies("query", out.query_latency);
  CHECK(d.p50_s == cost(1).seconds());
  CHECK(d.p99_s == cost(1).seconds());
  CHECK(out.max_queue <= 2);
}

TEST_CASE("server above capacity: the queue grows without bound and latency with it", "[scenario]") {
  // Capacity at max_batch 8: 8 / 1.8 ms = 4444 samples/s. Offered: 8000/s.
  const BatchLoopOutcome out = run_batch_loop(config(ScenarioKind::kServer, 4000, 8, 8000.0), cost);
  CHECK(out.max_queue > 1000);
  CHECK(out.query_latency.back() > out.query_latency[100] * 10);
  const LatencyConstraint c = judge("query", out.query_latency, 99, Time(15'000'000'000), "test");
  CHECK_FALSE(c.met);
  // Service rate is the capacity: the run lasts about samples / capacity.
  CHECK((out.last_completion - out.first_arrival).seconds() == Approx(4000 * 1.8e-3 / 8).epsilon(0.01));
}

TEST_CASE("dynamic batcher with max_wait holds a batch open until it fills or times out", "[scenario]") {
  BatchLoopConfig c = config(ScenarioKind::kServer, 500, 4, 100.0);
  c.max_wait = Time(20'000'000'000);  // 20 ms, about two arrivals
  const BatchLoopOutcome out = run_batch_loop(c, cost);
  CHECK(static_cast<double>(out.samples) / static_cast<double>(out.batches) > 1.5);
  for (Time t : out.query_latency) CHECK(t <= c.max_wait + cost(4) * 2);
  c.max_wait = Time{0};
  CHECK(run_batch_loop(c, cost).batches > out.batches);
}

TEST_CASE("percentiles are nearest-rank", "[scenario]") {
  std::vector<Time> v;
  for (int i = 1; i <= 100; ++i) v.push_back(Time(i));
  CHECK(percentile(v, 99) == Time(99));
  CHECK(percentile(v, 90) == Time(90));
  CHECK(percentile(v, 100) == Time(100));
  CHECK(percentile(v, 0.5) == Time(1));
  const LatencyDistribution d = summarize_latencies("x", v);
  CHECK(d.p50_s == Time(50).seconds());
  CHECK(d.mean_s == Approx(50.5e-12));
}
