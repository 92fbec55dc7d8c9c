// SPDX-License-Identifier: MIT
#include "sim/scenario/llm_scheduler.h"

#include <algorithm>
#include <deque>
#include <stdexcept>

#include "sim/int_math.h"

namespace xpusim {
namespace {

struct Sequence {
  std::size_t request;
  std::int64_t kv = 0;      // tokens whose K and V are cached
  std::int64_t blocks = 0;  // blocks held
  std::int64_t prompt_left = 0;  // chunked prefill: prompt (and recomputed) tokens still to process
};

class Scheduler {
 public:
  Scheduler(const std::vector<LlmRequest>& requests, const LlmSchedulerConfig& c, const LlmStepCost& cost)
      : req_(requests), c_(c), cost_(cost), generated_(requests.size(), 0), free_(c.kv_blocks) {
    out_.requests.resize(requests.size());
  }

  LlmOutcome run() {
    const std::size_t n = req_.size();
    if (n == 0) return out_;
    if (c_.closed_loop_group > 0) release_group();
    out_.first_arrival = c_.closed_loop_group > 0 ? Time{0} : req_.front().arrival;
    t_ = out_.first_arrival;
    while (finished_ < n) {
      release_arrivals();
      if (running_.empty() && waiting_.empty()) {
        t_ = req_[next_].arrival;  // idle: open loop, the next request is still to come
        continue;
      }
      const bool stepped = c_.batching == Batching::kStatic    ? static_step()
                           : c_.batching == Batching::kChunked ? chunked_step()
                                                               : continuous_step();
      if (stepped) continue;
      throw std::logic_error("LLM scheduler: a waiting request can never be admitted");
    }
    out_.last_finish = t_;
    return out_;
  }

 private:
  std::int64_t blocks_for(std::int64_t tokens) const { return ceil_div(tokens, c_.block_tokens); }

  void release_arrivals() {
    if (c_.closed_loop_group > 0) return;
    while (next_ < req_.size() && req_[next_].arrival <= t_) {
      admit_to_queue(next_, req_[next_].arrival);
      ++next_;
    }
  }

  void release_group() {
    const std::size_t end = std::min(req_.size(), next_ + static_cast<std::size_t>(c_.closed_loop_group));
    while (next_ < end) admit_to_queue(next_++, t_);
  }

  void admit_to_queue(std::size_t r, Time at) {
    out_.requests[r].arrival = at;
    waiting_.push_back(r);
  }

  /// Advances time by one iteration and integrates the blocks in use over it; its energy goes to the
  /// sequences in it by the tokens each processed (`tokens[i]` of `seqs[i]`).
  void advance(const IterationCost& cost, const std::vector<Sequence>& seqs, const std::vector<std::int64_t>& tokens) {
    std::int64_t all = 0;
    for (std::int64_t t : tokens) all += t;
    if (all > 0 && cost.energy.joules() != 0) {
      for (std::size_t i = 0; i < seqs.size(); ++i) {
        out_.requests[seqs[i].request].energy += cost.energy * (static_cast<double>(tokens[i]) / static_cast<double>(all));
      }
    }
    advance(cost.time);
  }

  /// Every sequence of `seqs` processed `each` tokens.
  static std::vector<std::int64_t> same(const std::vector<Sequence>& seqs, std::int64_t each) {
    return std::vector<std::int64_t>(seqs.size(), each);
  }

  /// The tokens each sequence of a whole-prompt prefill processed: all it has cached.
  static std::vector<std::int64_t> cached(const std::vector<Sequence>& seqs) {
    std::vector<std::int64_t> tokens;
    tokens.reserve(seqs.size());
    for (const Sequence& s : seqs) tokens.push_back(s.kv);
    return tokens;
  }

  void advance(Time took) {
    out_.block_seconds += static_cast<double>(c_.kv_blocks - free_) * took.seconds();
    out_.peak_blocks = std::max(out_.peak_blocks, c_.kv_blocks - free_);
    out_.max_running = std::max(out_.max_running, static_cast<std::int64_t>(running_.size()));
    out_.busy += took;
    t_ += took;
  }

  void finish(std::size_t r, Time at) {
    out_.requests[r].finish = at;
    ++finished_;
    if (c_.closed_loop_group > 0 && finished_ % static_cast<std::size_t>(c_.closed_loop_group) == 0) release_group();
  }

  /// Blocks the running sequences need for their next token.
  std::int64_t growth_reserve() const {
    std::int64_t need = 0;
    for (const Sequence& s : running_) need += blocks_for(s.kv + 1) - s.blocks;
    return need;
  }

  bool continuous_step() {
    // Prefill as many waiting requests as fit; a preempted one recomputes its generated tokens too.
    std::vector<Sequence> admitted;
    std::int64_t tokens = 0;
    std::int64_t reserve = growth_reserve();
    while (!waiting_.empty() && static_cast<std::int64_t>(running_.size() + admitted.size()) < c_.max_batch) {
      const std::size_t r = waiting_.front();
      const std::int64_t ctx = req_[r].prompt + generated_[r];
      const std::int64_t need = blocks_for(ctx);
      const std::int64_t growth = blocks_for(ctx + 1) - need;
      // With nothing else running, a request that fits on its own is always let in (progress).
      const bool alone = running_.empty() && admitted.empty();
      if (tokens + ctx > c_.max_prefill_tokens || free_ - need < (alone ? 0 : reserve + growth)) break;
      reserve += growth;
      free_ -= need;
      tokens += ctx;
      admitted.push_back({r, ctx, need});
      waiting_.pop_front();
    }
    if (!admitted.empty()) {
      const std::size_t base = running_.size();
      running_.insert(running_.end(), admitted.begin(), admitted.end());  // counted as running during the step
      advance(cost_(LlmIteration::prefill(static_cast<std::int64_t>(admitted.size()), tokens)), admitted, cached(admitted));
      running_.resize(base);
      ++out_.prefill_iterations;
      for (const Sequence& s : admitted) {
        if (generated_[s.request] == 0) out_.requests[s.request].first_token = t_;
        produced(s, running_);
      }
      return true;
    }
    if (running_.empty()) return false;
    grow_decodes();
    if (running_.empty()) return false;
    std::int64_t ctx = 0;
    for (const Sequence& s : running_) ctx += s.kv + 1;
    advance(cost_(LlmIteration::decode(static_cast<std::int64_t>(running_.size()), ctx)), running_, same(running_, 1));
    ++out_.decode_iterations;
    std::vector<Sequence> still;
    still.reserve(running_.size());
    for (Sequence& s : running_) {
      ++s.kv;
      produced(s, still);
    }
    running_.swap(still);
    return true;
  }

  /// `s` has produced a token now: it finishes and frees its blocks, or goes on in `next`.
  void produced(const Sequence& s, std::vector<Sequence>& next) {
    if (++generated_[s.request] >= req_[s.request].output) {
      free_ += s.blocks;
      finish(s.request, t_);
    } else {
      next.push_back(s);
    }
  }

  /// A slot for the next token of every sequence that decodes; when blocks are short they come from
  /// the newest sequences, preempted (to be recomputed).
  void grow_decodes() {
    for (std::size_t i = 0; i < running_.size();) {
      Sequence& s = running_[i];
      const std::int64_t need = s.prompt_left > 0 ? 0 : blocks_for(s.kv + 1) - s.blocks;
      if (need <= free_) {
        free_ -= need;
        s.blocks += need;
        ++i;
        continue;
      }
      const Sequence victim = running_.back();
      running_.pop_back();
      free_ += victim.blocks;
      waiting_.push_front(victim.request);
      ++out_.preemptions;
    }
  }

  /// Takes a chunk of at most `budget` tokens of `s`'s prompt if its blocks are free; returns its size.
  std::int64_t take_chunk(Sequence& s, std::int64_t budget) {
    const std::int64_t chunk = std::min(s.prompt_left, budget);
    const std::int64_t need = blocks_for(s.kv + chunk) - s.blocks;
    if (chunk <= 0 || need > free_) return 0;
    free_ -= need;
    s.blocks += need;
    return chunk;
  }

  bool chunked_step() {
    grow_decodes();
    LlmIteration it;
    std::int64_t budget = c_.max_prefill_tokens;
    std::vector<std::int64_t> chunk(running_.size(), 0);
    for (std::size_t i = 0; i < running_.size(); ++i) {
      if (running_[i].prompt_left > 0) continue;
      ++it.decode_seqs;
      it.decode_context += running_[i].kv + 1;
      --budget;
    }
    // Unfinished prompts continue first, in admission order; then new requests in arrival order.
    for (std::size_t i = 0; i < running_.size() && budget > 0; ++i) {
      if (running_[i].prompt_left == 0) continue;
      chunk[i] = take_chunk(running_[i], budget);
      budget -= chunk[i];
    }
    while (budget > 0 && !waiting_.empty() && static_cast<std::int64_t>(running_.size()) < c_.max_batch) {
      const std::size_t r = waiting_.front();
      Sequence s{r, 0, 0, req_[r].prompt + generated_[r]};
      const std::int64_t taken = take_chunk(s, budget);
      if (taken == 0) break;
      waiting_.pop_front();
      running_.push_back(s);
      chunk.push_back(taken);
      budget -= taken;
    }
    for (std::size_t i = 0; i < running_.size(); ++i) {
      if (chunk[i] == 0) continue;
      ++it.prefill_seqs;
      it.prefill_tokens += chunk[i];
      it.prefill_past += running_[i].kv;
    }
    if (it.prefill_seqs == 0 && it.decode_seqs == 0) {
      // Unfinished prompts hold the blocks each other needs: the newest gives its up. The oldest alone
      // always fits (every request fits the cache), so this ends.
      if (running_.size() < 2) return false;
      free_ += running_.back().blocks;
      waiting_.push_front(running_.back().request);
      running_.pop_back();
      ++out_.preemptions;
      return true;
    }
    std::vector<std::int64_t> worked(running_.size());
    for (std::size_t i = 0; i < running_.size(); ++i) worked[i] = running_[i].prompt_left > 0 ? chunk[i] : 1;
    advance(cost_(it), running_, worked);
    if (it.prefill_seqs > 0) ++out_.prefill_iterations;
    if (it.decode_seqs > 0) ++out_.decode_iterations;
    std::vector<Sequence> still;
    still.reserve(running_.size());
    for (std::size_t i = 0; i < running_.size(); ++i) {
      Sequence& s = running_[i];
      if (s.prompt_left > 0) {
        s.kv += chunk[i];
        s.prompt_left -= chunk[i];
        if (s.prompt_left > 0 || chunk[i] == 0) {
          still.push_back(s);
          continue;
        }
        if (generated_[s.request] == 0) out_.requests[s.request].first_token = t_;
      } else {
        ++s.kv;
      }
      produced(s, still);
    }
    running_.swap(still);
    return true;
  }

  bool static_step() {
    if (!running_.empty()) return false;  // never: a static batch runs to its end inside one call
    std::vector<Sequence> batch;
    std::int64_t tokens = 0;
    while (!waiting_.empty() && static_cast<std::int64_t>(batch.size()) < c_.max_batch) {
      const std::size_t r = waiting_.front();
      // No paging: the cache of the whole sequence (its last token's K and V are never stored) is
      // reserved up front.
      const std::int64_t need = blocks_for(req_[r].prompt + req_[r].output - 1);
      if (need > free_) break;
      free_ -= need;
      tokens += req_[r].prompt;
      batch.push_back({r, req_[r].prompt, need});
      waiting_.pop_front();
    }
    if (batch.empty()) return false;
    running_ = batch;
    const auto size = static_cast<std::int64_t>(batch.size());
    advance(cost_(LlmIteration::prefill(size, tokens)), batch, cached(batch));
    ++out_.prefill_iterations;
    std::size_t active = 0;
    std::vector<Time> done(req_.size(), Time{0});
    for (const Sequence& s : batch) {
      out_.requests[s.request].first_token = t_;
      generated_[s.request] = 1;
      if (req_[s.request].output == 1) done[s.request] = t_;
      else ++active;
    }
    while (active > 0) {
      std::int64_t ctx = 0;
      for (const Sequence& s : running_) ctx += generated_[s.request] < req_[s.request].output ? s.kv + 1 : s.kv;
      // Finished sequences still hold their slots (padding): the live ones share the step.
      std::vector<std::int64_t> live(running_.size());
      for (std::size_t i = 0; i < running_.size(); ++i) live[i] = generated_[running_[i].request] < req_[running_[i].request].output ? 1 : 0;
      advance(cost_(LlmIteration::decode(size, ctx)), running_, live);
      ++out_.decode_iterations;
      for (Sequence& s : running_) {
        if (generated_[s.request] >= req_[s.request].output) continue;
        ++s.kv;
        if (++generated_[s.request] == req_[s.request].output) {
          done[s.request] = t_;
          --active;
        }
      }
    }
    // Slots are freed when the batch ends; a request streams, so it is done at its own last token.
    for (const Sequence& s : running_) {
      free_ += s.blocks;
      finish(s.request, done[s.request]);
    }
    running_.clear();
    return true;
  }

  const std::vector<LlmRequest>& req_;
  const LlmSchedulerConfig& c_;
  const LlmStepCost& cost_;
  std::vector<std::int64_t> generated_;
  std::deque<std::size_t> waiting_;
  std::vector<Sequence> running_;
  std::int64_t free_;
  std::size_t next_ = 0, finished_ = 0;
  Time t_{0};
  LlmOutcome out_;
};

}  // namespace

LlmOutcome run_llm_scheduler(const std::vector<LlmRequest>& requests, const LlmSchedulerConfig& config,
                             const LlmStepCost& cost) {
  return Scheduler(requests, config, cost).run();
}

}  // namespace xpusim
