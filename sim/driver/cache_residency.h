// SPDX-License-Identifier: MIT
// Which main-memory bytes a memory-side cache (a GPU's L2) still holds as kernels run one after another.
// A kernel whose input its producer left in the cache reads it from there, and a result the cache holds
// reaches DRAM only when it is evicted, or never when a later tensor overwrites its addresses in the
// cache first (an inference runtime reuses activation memory, as tensor_layout.h lays it out).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "sim/driver/tensor_layout.h"

namespace xpusim::driver {

/// Address ranges under least-recently-used replacement, write-back. Kept at the granularity of the
/// ranges kernels touch (whole tensors), not of lines: a kernel streams through its tensors, so of the
/// bytes one kernel touched the lowest addresses were touched first and are evicted first.
class CacheResidency {
 public:
  explicit CacheResidency(std::uint64_t capacity) : capacity_(capacity) {}

  /// Bytes of `r` in the cache.
  std::uint64_t present(const Region& r) const;
  /// Makes `r` the most recently used range: a read fills its missing bytes clean, a write makes all of
  /// it dirty. Evicts the least recently used bytes beyond capacity; returns how many of them were
  /// dirty (written back to main memory).
  std::uint64_t touch(const Region& r, bool write);
  std::uint64_t held() const { return held_; }
  std::uint64_t dirty() const;

 private:
  struct Piece {
    std::uint64_t end = 0;
    std::uint64_t stamp = 0;
    bool dirty = false;
  };
  using Pieces = std::map<std::uint64_t, Piece>;  // by start address; pieces never overlap

  /// Splits the piece that straddles `at`, so that a piece starts there.
  void split_at(std::uint64_t at);
  void insert(std::uint64_t start, const Piece& p);
  Pieces::iterator erase(Pieces::iterator it);
  /// Evicts the oldest bytes until the cache holds no more than its capacity; returns the dirty ones.
  std::uint64_t evict();

  Pieces pieces_;
  std::set<std::pair<std::uint64_t, std::uint64_t>> by_age_;  // (stamp, start) of every piece
  std::uint64_t capacity_;
  std::uint64_t held_ = 0;
  std::uint64_t clock_ = 0;
  std::vector<std::pair<std::uint64_t, Piece>> scratch_;  // touch()'s new pieces, kept to reuse its memory
};

}  // namespace xpusim::driver
