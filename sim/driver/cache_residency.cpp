// SPDX-License-Identifier: MIT
#include "sim/driver/cache_residency.h"

#include <algorithm>
#include <iterator>

namespace xpusim::driver {

std::uint64_t CacheResidency::present(const Region& r) const {
  const std::uint64_t begin = r.base, end = r.base + r.size;
  std::uint64_t n = 0;
  auto it = pieces_.upper_bound(begin);
  if (it != pieces_.begin()) --it;
  for (; it != pieces_.end() && it->first < end; ++it) {
    const std::uint64_t lo = std::max(begin, it->first), hi = std::min(end, it->second.end);
    if (hi > lo) n += hi - lo;
  }
  return n;
}

std::uint64_t CacheResidency::dirty() const {
  std::uint64_t n = 0;
  for (const auto& [start, p] : pieces_) {
    if (p.dirty) n += p.end - start;
  }
  return n;
}

void CacheResidency::insert(std::uint64_t start, const Piece& p) {
  pieces_.emplace(start, p);
  by_age_.emplace(p.stamp, start);
}

CacheResidency::Pieces::iterator CacheResidency::erase(Pieces::iterator it) {
  by_age_.erase({it->second.stamp, it->first});
  return pieces_.erase(it);
}

void CacheResidency::split_at(std::uint64_t at) {
  auto it = pieces_.upper_bound(at);
  if (it == pieces_.begin()) return;
  --it;
  if (it->first >= at || it->second.end <= at) return;
  Piece tail = it->second;
  it->second.end = at;
  insert(at, tail);
}

std::uint64_t CacheResidency::touch(const Region& r, bool write) {
  if (capacity_ == 0) return write ? r.size : 0;  // nothing stays: a write goes straight through
  if (r.size == 0) return 0;
  const std::uint64_t begin = r.base, end = r.base + r.size, stamp = ++clock_;
  split_at(begin);
  split_at(end);
  // Replace the pieces inside [begin, end) and the gaps between them by pieces of the new stamp;
  // neighbours of equal dirtiness merge, so a written range is one piece.
  std::uint64_t at = begin;
  std::vector<std::pair<std::uint64_t, Piece>>& fresh = scratch_;
  fresh.clear();
  auto add = [&](std::uint64_t lo, std::uint64_t hi, bool dirty) {
    if (!fresh.empty() && fresh.back().second.end == lo && fresh.back().second.dirty == dirty) {
      fresh.back().second.end = hi;
      return;
    }
    fresh.emplace_back(lo, Piece{hi, stamp, dirty});
  };
  for (auto it = pieces_.lower_bound(begin); it != pieces_.end() && it->first < end;) {
    if (it->first > at) {
      add(at, it->first, write);
      held_ += it->first - at;
    }
    add(it->first, it->second.end, write || it->second.dirty);
    at = it->second.end;
    it = erase(it);
  }
  if (at < end) {
    add(at, end, write);
    held_ += end - at;
  }
  for (const auto& [start, p] : fresh) insert(start, p);
  return evict();
}

std::uint64_t CacheResidency::evict() {
  std::uint64_t written_back = 0;
  while (held_ > capacity_) {
    auto oldest = pieces_.find(by_age_.begin()->second);
    const std::uint64_t size = oldest->second.end - oldest->first;
    const std::uint64_t n = std::min(size, held_ - capacity_);
    if (oldest->second.dirty) written_back += n;
    held_ -= n;
    Piece rest = oldest->second;
    const std::uint64_t start = oldest->first + n;
    erase(oldest);
    if (n < size) insert(start, rest);
  }
  return written_back;
}

}  // namespace xpusim::driver
