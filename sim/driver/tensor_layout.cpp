// SPDX-License-Identifier: MIT
// Static tensor placement: a persistent region and a first-fit activation heap per pipeline stage.
#include "sim/driver/tensor_layout.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <string>
#include <utility>

#include "sim/int_math.h"
#include "workloads/transforms/microbatch.h"

namespace xpusim::driver {
namespace {

/// Page-sized alignment keeps every tensor's first DRAM row its own.
constexpr std::uint64_t kAlign = 4096;

std::uint64_t aligned(Bytes b) {
  const auto n = static_cast<std::int64_t>(std::max<std::int64_t>(b.count(), 1));
  return static_cast<std::uint64_t>(ceil_div(n, kAlign) * static_cast<std::int64_t>(kAlign));
}

/// First-fit allocation over free ranges from address 0; freed neighbours merge.
class Heap {
 public:
  /// End of the highest range ever allocated.
  std::uint64_t high_water() const { return top_; }
  std::uint64_t allocate(std::uint64_t size) {
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second < size) continue;
      const std::uint64_t at = it->first;
      const std::uint64_t left = it->second - size;
      free_.erase(it);
      if (left > 0) free_.emplace(at + size, left);
      return at;
    }
    const std::uint64_t at = top_;
    top_ += size;
    return at;
  }
  void release(std::uint64_t at, std::uint64_t size) {
    auto [it, inserted] = free_.emplace(at, size);
    (void)inserted;
    if (auto next = std::next(it); next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }

 private:
  std::map<std::uint64_t, std::uint64_t> free_;  // start -> size
  std::uint64_t top_ = 0;
};

}  // namespace

std::vector<OpLayout> layout_tensors(const wl::OpGraph& graph, const std::vector<wl::OpId>& order) {
  std::vector<OpLayout> layout(graph.size());
  std::int32_t stages = 1;
  for (wl::OpId id : order) stages = std::max(stages, graph.op(id).stage + 1);

  // Activations from address 0, so that a tiered memory keeps the few live ones in its on-chip window.
  std::vector<Heap> heaps(static_cast<std::size_t>(stages));
  std::vector<std::size_t> position(graph.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[order[i]] = i;
  std::vector<std::vector<wl::OpId>> dies_at(order.size());  // by the position of the last consumer
  for (wl::OpId id : order) {
    std::size_t last_use = position[id];
    for (wl::OpId s : graph.successors(id)) last_use = std::max(last_use, position[s]);
    dies_at[last_use].push_back(id);
  }
  for (std::size_t i = 0; i < order.size(); ++i) {
    const wl::OpId id = order[i];
    const wl::OpNode& op = graph.op(id);
    Heap& heap = heaps[static_cast<std::size_t>(op.stage)];
    const Bytes out = wl::output_bytes(op);
    layout[id].c = Region{heap.allocate(aligned(out)), static_cast<std::uint64_t>(std::max<std::int64_t>(out.count(), 1))};
    const std::vector<wl::OpId> producers = graph.predecessors(id);
    if (!producers.empty()) {
      layout[id].a = layout[producers.front()].c;
    } else {
      const Bytes in = wl::input_bytes(op);
      const std::uint64_t size = aligned(in);
      layout[id].a = Region{heap.allocate(size), static_cast<std::uint64_t>(std::max<std::int64_t>(in.count(), 1))};
      heap.release(layout[id].a.base, size);  // read by this op only
    }
    for (wl::OpId dead : dies_at[i]) {
      const wl::OpNode& d = graph.op(dead);
      heaps[static_cast<std::size_t>(d.stage)].release(layout[dead].c.base, aligned(wl::output_bytes(d)));
    }
  }

  // Persistent tensors above the activations' high-water mark, in topological order; the micro-batch
  // copies of a layer share its weights.
  std::vector<std::uint64_t> top(heaps.size());
  for (std::size_t s = 0; s < heaps.size(); ++s) top[s] = heaps[s].high_water();
  std::map<std::pair<std::int32_t, std::string>, Region> weights;  // by stage and layer
  for (wl::OpId id : order) {
    const wl::OpNode& op = graph.op(id);
    Bytes persistent = wl::weight_bytes(op);
    const auto* g = std::get_if<wl::GemmShape>(&op.shape);
    const auto* att = std::get_if<wl::AttentionShape>(&op.shape);
    const bool kv_state = (g && g->b_is_activation) || att;
    if (g && kv_state) persistent = storage(wl::kv_type(op), g->batch / g->b_shared * g->k * g->n);
    if (att) persistent = storage(wl::kv_type(op), 2 * (att->batch / att->b_shared) * att->ctx * att->head_dim);  // K and V
    if (persistent.count() == 0) continue;
    if (!kv_state) {
      if (const auto shared = weights.find({op.stage, wl::layer_key(op.name)}); shared != weights.end()) {
        layout[id].b = shared->second;
        layout[id].has_b = true;
        continue;
      }
    }
    std::uint64_t& at = top[static_cast<std::size_t>(op.stage)];
    layout[id].b = Region{at, static_cast<std::uint64_t>(persistent.count())};
    layout[id].has_b = true;
    at += aligned(persistent);
    if (!kv_state) weights[{op.stage, wl::layer_key(op.name)}] = layout[id].b;
  }
  return layout;
}

}  // namespace xpusim::driver
