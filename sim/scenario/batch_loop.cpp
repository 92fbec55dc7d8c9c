// SPDX-License-Identifier: MIT
#include "sim/scenario/batch_loop.h"

#include <algorithm>
#include <deque>

#include "sim/scenario/arrivals.h"

namespace xpusim {
namespace {

struct Sample {
  std::int64_t query;
  Time arrival;
};

}  // namespace

BatchLoopOutcome run_batch_loop(const BatchLoopConfig& c, const BatchCost& cost) {
  const bool closed_loop = c.kind == ScenarioKind::kSingleStream || c.kind == ScenarioKind::kMultiStream;
  const auto n = static_cast<std::size_t>(c.queries);
  std::vector<Time> arrival(n, Time{0});
  if (c.kind == ScenarioKind::kServer) arrival = c.logged_arrivals.empty() ? poisson_arrivals(c.queries, c.qps, c.seed) : c.logged_arrivals;
  std::vector<std::int64_t> remaining(n, c.samples_per_query);

  BatchLoopOutcome out;
  out.query_latency.assign(n, Time{0});
  std::deque<Sample> queue;
  std::size_t issued = 0, completed = 0;
  Time t{0};
  auto issue = [&](std::size_t q, Time at) {
    arrival[q] = at;
    for (std::int64_t s = 0; s < c.samples_per_query; ++s) queue.push_back({static_cast<std::int64_t>(q), at});
    ++issued;
  };
  if (closed_loop && n > 0) issue(0, Time{0});
  out.first_arrival = n > 0 ? arrival[0] : Time{0};

  while (completed < n) {
    if (!closed_loop) {
      while (issued < n && arrival[issued] <= t) issue(issued, arrival[issued]);
    }
    if (queue.empty()) {
      t = arrival[issued];  // idle until the next query (open loop: one is always pending here)
      continue;
    }
    const bool more_coming = !closed_loop && issued < n;
    if (static_cast<std::int64_t>(queue.size()) < c.max_batch && c.max_wait > Time{0} && more_coming) {
      const Time deadline = queue.front().arrival + c.max_wait;
      if (t < deadline) {
        t = std::min(deadline, arrival[issued]);
        continue;
      }
    }
    const std::int64_t size = std::min<std::int64_t>(c.max_batch, static_cast<std::int64_t>(queue.size()));
    out.max_queue = std::max(out.max_queue, static_cast<std::int64_t>(queue.size()));
    const Time took = cost(size);
    const Time end = t + took;
    for (std::int64_t i = 0; i < size; ++i) {
      const Sample s = queue.front();
      queue.pop_front();
      out.total_wait += t - s.arrival;
      if (--remaining[static_cast<std::size_t>(s.query)] == 0) {
        const auto q = static_cast<std::size_t>(s.query);
        out.query_latency[q] = end - arrival[q];
        ++completed;
        if (closed_loop && issued < n) issue(issued, end);
      }
    }
    out.busy += took;
    out.samples += size;
    ++out.batches;
    t = end;
  }
  out.last_completion = t;
  return out;
}

}  // namespace xpusim
