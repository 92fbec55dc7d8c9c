// SPDX-License-Identifier: MIT
// DRAM timing at transaction granularity: O(channels) arithmetic per request, never per burst, so a
// gigabyte transfer costs the same to simulate as a cache line.
#include "arch/memory/dram.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "arch/registry.h"
#include "sim/int_math.h"

namespace xpusim::arch {
namespace {


/// floor(total * part / whole) without overflowing 64 bits (part <= whole).
std::int64_t scaled(std::int64_t total, std::int64_t part, std::int64_t whole) {
  return (total / whole) * part + ((total % whole) * part) / whole;
}

Time div_ceil(Time t, std::int64_t k) { return Time(ceil_div(t.ps(), k)); }

}  // namespace

const Schema<DramParams>& DramParams::schema() {
  static const Schema<DramParams> s = [] {
    Schema<DramParams> sc(
        "DRAM (HBM2e/HBM3/HBM3e, GDDR6, LPDDR5): requests striped over channels, each timed from its data "
        "bus, row activations (tRRD, tFAW, tRAS+tRP over the banks), refresh and read/write turnaround");
    sc.add("capacity", &DramParams::capacity, "total capacity of all devices").required().positive();
    sc.add("channels", &DramParams::channels, "independent channels (HBM pseudo-channels) over all devices")
        .required().positive();
    sc.add("bus_width_bits", &DramParams::bus_width_bits, "data pins per channel").required().positive();
    sc.add("data_rate", &DramParams::data_rate, "transfers per second per pin, e.g. 6.4 GT/s").required().positive();
    sc.add("banks", &DramParams::banks, "banks per channel").required().positive();
    sc.add("row_size", &DramParams::row_size, "page opened by one activation, per channel").required().positive();
    sc.add("burst_length", &DramParams::burst_length, "beats per column access (BL)").required().positive();
    sc.add("interleave", &DramParams::interleave, "bytes mapped to one channel before the next").positive();
    sc.add("t_rcd", &DramParams::t_rcd, "ACT to column command (tRCD)").required().positive();
    sc.add("t_rp", &DramParams::t_rp, "precharge (tRP)").required().positive();
    sc.add("t_cl", &DramParams::t_cl, "column command to data (CAS latency)").required().positive();
    sc.add("t_ras", &DramParams::t_ras, "ACT to precharge, minimum (tRAS)").required().positive();
    sc.add("t_rrd", &DramParams::t_rrd, "ACT to ACT, different banks (tRRD_S)").required().positive();
    sc.add("t_faw", &DramParams::t_faw, "window holding at most four ACTs (tFAW)").required().at_least(0);
    sc.add("t_rfc", &DramParams::t_rfc, "all-bank refresh duration (tRFC)").required().at_least(0);
    sc.add("t_refi", &DramParams::t_refi, "average refresh interval (tREFI)").required().positive();
    sc.add("t_wtr", &DramParams::t_wtr, "write-to-read turnaround (tWTR_S)").required().at_least(0);
    sc.add("t_rtw", &DramParams::t_rtw, "read-to-write turnaround").required().at_least(0);
    sc.add("read_energy", &DramParams::read_energy, "energy per bit or byte read, I/O included").required().at_least(0);
    sc.add("write_energy", &DramParams::write_energy, "energy per bit or byte written").required().at_least(0);
    sc.add("act_energy", &DramParams::act_energy, "energy of one row activation + precharge").required().at_least(0);
    sc.add("background_power", &DramParams::background_power, "standby power of all devices").required().at_least(0);
    return sc;
  }();
  return s;
}

void DramParams::check(const std::string& context, const SourceMark& mark, Diagnostics& diag) const {
  if ((bus_width_bits * burst_length) % 8 != 0) {
    diag.error(mark, context + ": 'bus_width_bits' x 'burst_length' must be whole bytes");
  }
  const Bytes burst{bus_width_bits * burst_length / 8};
  if (row_size < burst) {
    diag.error(mark, context + ": 'row_size' (" + format(row_size) + ") is smaller than one burst (" + format(burst) + ")");
  }
  if (!(t_rfc < t_refi)) {
    diag.error(mark, context + ": 't_rfc' must be shorter than 't_refi', or the device would only refresh");
  }
}

Dram::Dram(ComponentContext ctx, const DramParams& p)
    : MemoryModel(std::move(ctx)),
      p_(p),
      burst_bytes_(p.bus_width_bits * p.burst_length / 8),
      burst_seconds_(static_cast<double>(p.burst_length) / p.data_rate.hz()),
      row_bursts_(ceil_div(p.row_size.count(), burst_bytes_.count())),
      row_data_time_(data_time(row_bursts_)),
      runs_{Run{p.channels, Channel{}}} {}

Bandwidth Dram::peak_bandwidth() const {
  return Bandwidth(static_cast<double>(p_.channels * p_.bus_width_bits) * p_.data_rate.hz() / 8.0);
}

EnergyPerByte Dram::streaming_energy(bool write) const {
  const EnergyPerByte per_byte = write ? p_.write_energy : p_.read_energy;
  return EnergyPerByte(per_byte.joules_per_byte() + p_.act_energy.joules() / static_cast<double>(p_.row_size.count()));
}

Time Dram::data_time(std::int64_t bursts) const {
  // One rounding for the whole transfer, so long streams do not accumulate per-burst rounding.
  return Time::from_seconds_ceil(static_cast<double>(bursts) * burst_seconds_);
}

void Dram::split_sequential(const MemRequest& req) {
  const std::int64_t g = p_.interleave.count(), nch = p_.channels, row = p_.row_size.count();
  const auto a = static_cast<std::int64_t>(req.address);
  const std::int64_t last = a + req.bytes.count() - 1;
  const std::int64_t k0 = a / g, k1 = last / g;
  // Chunk k lives on channel k % nch at channel-local offset (k / nch) * g, so each channel's share
  // of a contiguous range is itself contiguous: its first and last chunk bound the rows it opens.
  // In round q channel c holds chunk q * nch + c; the range covers rounds q0..q1, partly at the ends.
  const std::int64_t q0 = k0 / nch, c0 = k0 % nch, q1 = k1 / nch, c1 = k1 % nch;
  const std::int64_t head = a % g, tail = g - 1 - last % g;
  const std::int64_t bb = burst_bytes_.count();
  // A channel's share depends only on whether the first and last rounds reach it and whether it holds
  // the partial first or last chunk, so it is constant between these channel numbers.
  std::array<std::int64_t, 6> cuts{0, c0, c0 + 1, c1, c1 + 1, nch};
  std::sort(cuts.begin(), cuts.end());
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const std::int64_t c = cuts[i];
    if (c == cuts[i + 1]) continue;
    const bool first_chunk = c == c0, last_chunk = c == c1;
    const std::int64_t q_first = c >= c0 ? q0 : q0 + 1;
    const std::int64_t q_last = c <= c1 ? q1 : q1 - 1;
    if (q_first > q_last) continue;
    Share s;
    s.begin = c;
    s.end = cuts[i + 1];
    const std::int64_t bytes = (q_last - q_first + 1) * g - (first_chunk ? head : 0) - (last_chunk ? tail : 0);
    s.bursts = (bytes + bb - 1) / bb;
    s.row_first = (q_first * g + (first_chunk ? head : 0)) / row;
    s.row_last = (q_last * g + (last_chunk ? g - 1 - tail : g - 1)) / row;
    s.rows = s.row_last - s.row_first + 1;
    s.data_per_activation = s.bursts >= row_bursts_ ? row_data_time_ : data_time(s.bursts);
    shares_.push_back(s);
  }
}

void Dram::split_random(const MemRequest& req) {
  const std::int64_t g = p_.interleave.count(), nch = p_.channels, bb = burst_bytes_.count();
  const std::int64_t size = std::max<std::int64_t>(req.access_size.count(), 1);
  const std::int64_t accesses = ceil_div(req.bytes.count(), size);
  // An access wider than the interleave spans several channels; each piece opens its own row there.
  const std::int64_t per_access = ceil_div(size, g);
  const std::int64_t piece = std::min(size, g);
  const std::int64_t tail = size - (per_access - 1) * g;
  const std::int64_t access_bursts = (per_access - 1) * ceil_div(g, bb) + ceil_div(tail, bb);
  const std::int64_t pieces = accesses * per_access;
  const std::int64_t total_bursts = accesses * access_bursts;
  const std::int64_t rows_per_piece = ceil_div(piece, p_.row_size.count());
  const Time per_activation = data_time(std::max<std::int64_t>(1, ceil_div(piece, bb) / rows_per_piece));
  // Unrelated addresses spread evenly; a rotating start keeps a stream of small requests balanced.
  const std::int64_t base = pieces / nch, extra = pieces % nch;
  for (std::int64_t c = 0; c < nch; ++c) {
    const std::int64_t j = ((c - random_cursor_) % nch + nch) % nch;
    const std::int64_t mine = base + (j < extra ? 1 : 0);
    if (mine == 0) continue;
    const std::int64_t before = j * base + std::min(j, extra);
    const std::int64_t bursts = scaled(total_bursts, before + mine, pieces) - scaled(total_bursts, before, pieces);
    const std::int64_t rows = mine * rows_per_piece;
    if (!shares_.empty() && shares_.back().end == c && shares_.back().bursts == bursts && shares_.back().rows == rows) {
      ++shares_.back().end;
    } else {
      Share& s = shares_.emplace_back();
      s.begin = c;
      s.end = c + 1;
      s.bursts = bursts;
      s.rows = rows;
      s.data_per_activation = per_activation;
    }
  }
  random_cursor_ = (random_cursor_ + pieces) % nch;
}

Time Dram::occupancy(std::int64_t bursts, std::int64_t activations, Time data_per_activation) const {
  const Time data = data_time(bursts);
  if (activations == 0) return data;
  // Rows open in other banks while this one streams, so activation cost is hidden up to the rate the
  // device allows: tRRD between ACTs, four per tFAW, and each bank busy tRAS (or longer, while its row
  // is read) plus tRP, with `banks` such cycles overlapping.
  const Time bank_cycle = std::max(p_.t_ras, p_.t_rcd + data_per_activation) + p_.t_rp;
  const Time per_act = std::max({p_.t_rrd, div_ceil(p_.t_faw, 4), div_ceil(bank_cycle, p_.banks)});
  return std::max(data, per_act * activations);
}

Time Dram::with_refresh(Time start, Time work, Time& stolen) const {
  if (work == Time(0) || p_.t_rfc == Time(0)) return start + work;
  // All-bank refresh k occupies [k*tREFI, k*tREFI + tRFC) on every channel; work pauses across it.
  const std::int64_t refi = p_.t_refi.ps(), rfc = p_.t_rfc.ps();
  std::int64_t t = start.ps();
  const std::int64_t k = t / refi;
  if (k >= 1 && t < k * refi + rfc) {
    stolen += Time(k * refi + rfc - t);
    t = k * refi + rfc;
  }
  std::int64_t end = t + work.ps(), n = 0;
  for (;;) {
    const std::int64_t windows = (end - 1) / refi - t / refi;
    const std::int64_t next = t + work.ps() + windows * rfc;
    n = windows;
    if (next == end) break;
    end = next;
  }
  stolen += Time(n * rfc);
  return Time(end);
}

Completion Dram::access(const MemRequest& req, Time now) {
  if (req.bytes.count() <= 0) return Completion{now, now, Energy(0)};
  shares_.clear();
  if (req.pattern == AccessPattern::kSequential) {
    split_sequential(req);
  } else {
    split_random(req);
  }
  const Direction dir = req.write ? Direction::kWrite : Direction::kRead;
  Time first_start = Time::max(), done = now;
  std::int64_t bursts = 0, acts = 0;
  // Runs that start the same work at the same time (most of them, on a long stream) meet the same
  // refresh windows: remember the last answer.
  std::optional<std::pair<Time, Time>> refresh_query;
  Time refresh_end{0}, refresh_stolen{0};
  // The state of `n` alike channels after they serve `s`.
  auto serve = [&](const Channel& ch, Share& s, std::int64_t n) {
    const Time start = std::max(now, ch.busy_until);
    Time turn{0};
    if (ch.last != Direction::kNone && ch.last != dir) {
      turn = req.write ? p_.t_rtw : p_.t_wtr;
      turnarounds_ += n;
    }
    const bool first_hit = s.row_first >= 0 && ch.open_row == s.row_first;
    const std::int64_t activations = s.rows - (first_hit ? 1 : 0);
    std::optional<Time>& occ = s.occupancy[first_hit ? 1 : 0];
    if (!occ) occ = occupancy(s.bursts, activations, s.data_per_activation);
    const std::pair<Time, Time> query{start, *occ + turn};
    if (refresh_query != query) {
      refresh_query = query;
      refresh_stolen = Time(0);
      refresh_end = with_refresh(start, query.second, refresh_stolen);
    }
    const Time end = refresh_end;
    busy_time_ += (end - start) * n;
    refresh_time_ += refresh_stolen * n;
    // The first data waits for precharge (if a row may be open), activation and CAS latency; later
    // rows are activated under the data of earlier ones, so only this lead shows in the completion.
    Time lead = p_.t_cl;
    if (!first_hit) lead += p_.t_rcd + (ch.touched ? p_.t_rp : Time(0));
    done = std::max(done, end + lead);
    first_start = std::min(first_start, start);
    bursts += s.bursts * n;
    acts += activations * n;
    return Channel{.busy_until = end, .open_row = s.row_last, .touched = true, .last = dir};
  };
  // Walk the runs and the shares together, cutting runs where shares begin and end, and join
  // neighbours left in the same state.
  next_runs_.clear();
  auto emit = [&](std::int64_t end, const Channel& state) {
    if (!next_runs_.empty() && next_runs_.back().state == state) {
      next_runs_.back().end = end;
    } else {
      next_runs_.push_back(Run{end, state});
    }
  };
  std::size_t r = 0;
  std::int64_t pos = 0;
  auto walk_to = [&](std::int64_t stop, Share* s) {
    while (pos < stop) {
      const std::int64_t piece_end = std::min(runs_[r].end, stop);
      const Channel& state = runs_[r].state;
      emit(piece_end, s != nullptr ? serve(state, *s, piece_end - pos) : state);
      pos = piece_end;
      if (runs_[r].end == piece_end) ++r;
    }
  };
  for (Share& s : shares_) {
    walk_to(s.begin, nullptr);
    walk_to(s.end, s.bursts > 0 ? &s : nullptr);
  }
  walk_to(p_.channels, nullptr);
  runs_.swap(next_runs_);
  (req.write ? bytes_written_ : bytes_read_) += req.bytes;
  activations_ += acts;
  row_misses_ += acts;
  row_hits_ += std::max<std::int64_t>(0, bursts - acts);
  const EnergyPerByte per_byte = req.write ? p_.write_energy : p_.read_energy;
  const Energy energy = per_byte * Bytes(bursts * burst_bytes_.count()) + p_.act_energy * static_cast<double>(acts);
  dynamic_energy_ += energy;
  return Completion{first_start, done, energy};
}

std::vector<Stat> Dram::stats() const {
  const double mean_busy = busy_time_.seconds() / static_cast<double>(p_.channels);
  return {
      {"bytes_read", static_cast<double>(bytes_read_.count()), "B", "bytes read"},
      {"bytes_written", static_cast<double>(bytes_written_.count()), "B", "bytes written"},
      {"activations", static_cast<double>(activations_), "count", "row activations (ACT commands)"},
      {"row_hits", static_cast<double>(row_hits_), "count", "bursts served from an open row"},
      {"row_misses", static_cast<double>(row_misses_), "count", "bursts that needed an activation"},
      {"turnarounds", static_cast<double>(turnarounds_), "count", "read/write direction changes per channel"},
      {"refresh_time", refresh_time_.seconds(), "s", "time requests waited for refresh, summed over channels"},
      {"busy_time", mean_busy, "s", "mean time a channel was reserved"},
      {"dynamic_energy", dynamic_energy_.joules(), "J", "read, write and activation energy"},
  };
}

void Dram::reset() {
  runs_.assign(1, Run{p_.channels, Channel{}});
  random_cursor_ = 0;
  bytes_read_ = bytes_written_ = Bytes(0);
  activations_ = row_hits_ = row_misses_ = turnarounds_ = 0;
  refresh_time_ = busy_time_ = Time(0);
  dynamic_energy_ = Energy(0);
}

XPUSIM_REGISTER_MODEL("memory/dram", Dram, DramParams);

}  // namespace xpusim::arch
