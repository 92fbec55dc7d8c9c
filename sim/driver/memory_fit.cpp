// SPDX-License-Identifier: MIT
#include "sim/driver/memory_fit.h"

#include <algorithm>
#include <cstdio>

#include "sim/config/config_error.h"
#include "workloads/transforms/microbatch.h"

namespace xpusim {
namespace {

std::string gb(Bytes b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(b.count()) / 1e9);
  return buf;
}

/// Small memories (an SRAM-only chip) need finer figures than GB.
std::string size(Bytes b) {
  if (b.count() >= 1'000'000'000) return gb(b);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(b.count()) / 1e6);
  return buf;
}

/// Micro-batch copies after the first are named "mb<i>/..." with i > 0: they reuse the same weights.
bool first_copy(const std::string& name) { return wl::microbatch_of(name) == 0; }

std::string parts(const MemoryNeed& n) {
  return "weights " + size(n.weights) + " + KV cache " + size(n.kv_cache) + " + activations " + size(n.activations);
}

}  // namespace

std::vector<MemoryNeed> memory_needs(const wl::OpGraph& g, int stages) {
  std::vector<MemoryNeed> need(static_cast<std::size_t>(stages));
  for (wl::OpId id = 0; id < g.size(); ++id) {
    const wl::OpNode& op = g.op(id);
    // An op on a stage the run lacks is the engine's error to report, with its own message.
    if (wl::is_collective(op) || op.stage < 0 || op.stage >= stages) continue;
    MemoryNeed& n = need[static_cast<std::size_t>(op.stage)];
    if (first_copy(op.name)) n.weights += wl::weight_bytes(op);
    Bytes act = wl::input_bytes(op) + wl::output_bytes(op);
    if (const auto* gs = std::get_if<wl::GemmShape>(&op.shape); gs && gs->b_is_activation) {
      n.kv_cache += storage(wl::kv_type(op), gs->batch / gs->b_shared * gs->k * gs->n);
      // The B operand is that cache (read once per query head when b_shared > 1), not a buffer of its own.
      act -= storage(wl::kv_type(op), gs->batch * gs->k * gs->n);
    }
    n.activations = std::max(n.activations, act);
  }
  return need;
}

void check_memory_fit(const arch::System& system, const wl::OpGraph& g) {
  const auto needs = memory_needs(g, system.stages());
  Diagnostics diag;
  for (int s = 0; s < system.stages(); ++s) {
    const MemoryNeed& n = needs[static_cast<std::size_t>(s)];
    const arch::Chip& chip = system.stage_chip(s);
    const Bytes have = chip.main_memory().capacity();
    if (n.total() <= have) continue;
    const auto& p = system.parallelism();
    diag.error(SourceMark{g.name(), 0, 0},
               "does not fit: stage " + std::to_string(s) + " needs " + size(n.total()) + " per chip (" + parts(n) + ") but " +
                   chip.name() + " has " + size(have) + " of " + chip.main_memory().name() + ": short by " +
                   size(n.total() - have) + " (tp=" + std::to_string(p.tp) + ", pp=" + std::to_string(p.pp) +
                   "; raise tp or pp, lower the batch or the context, or store weights in a narrower weight_dtype)");
  }
  diag.throw_if_any();
}

void check_resident_fit(const arch::Chip& chip, const wl::OpGraph& g) {
  if (!chip.main_memory().hard_capacity()) return;
  const MemoryNeed n = memory_needs(g, 1).front();
  const Bytes have = chip.main_memory().capacity();
  if (n.total() <= have) return;
  throw ConfigError(SourceMark{g.name(), 0, 0},
                    "does not fit: " + chip.name() + " keeps all data in " + chip.main_memory().name() + " (" + size(have) +
                        ", nothing behind it) but the workload needs " + size(n.total()) + " (" + parts(n) + "): short by " +
                        size(n.total() - have) + "; run it on a multi-chip system (--system) that splits it over enough chips");
}

}  // namespace xpusim
