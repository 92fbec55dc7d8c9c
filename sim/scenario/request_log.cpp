// SPDX-License-Identifier: MIT
#include "sim/scenario/request_log.h"

#include <charconv>
#include <cmath>
#include <cctype>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/config/config_error.h"
#include "sim/config/input_limits.h"
#include "sim/config/csv_row.h"

namespace xpusim {
namespace {

constexpr std::size_t kMaxRows = 10'000'000;
constexpr std::int64_t kMaxSpanSeconds = 1'000'000;  // picoseconds of Time reach 106 days; a log spans at most 11.6
constexpr std::int64_t kPsPerSecond = 1'000'000'000'000;

/// A point in time as whole seconds and the picoseconds after them: seconds since 1970 in picoseconds
/// would overflow 64 bits.
struct Instant {
  std::int64_t s = 0, ps = 0;
  bool operator<(const Instant& o) const { return s < o.s || (s == o.s && ps < o.ps); }
};
constexpr std::int64_t kMaxTokens = std::int64_t{1} << 31;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<std::int64_t> whole(std::string_view t) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

/// "YYYY-MM-DD HH:MM:SS[.fraction]" since 1970; nullopt when malformed.
std::optional<Instant> timestamp(const std::string& t) {
  if (t.size() < 19 || t[4] != '-' || t[7] != '-' || (t[10] != ' ' && t[10] != 'T') || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  const auto y = whole(std::string_view(t).substr(0, 4)), mo = whole(std::string_view(t).substr(5, 2)),
             d = whole(std::string_view(t).substr(8, 2)), h = whole(std::string_view(t).substr(11, 2)),
             mi = whole(std::string_view(t).substr(14, 2)), s = whole(std::string_view(t).substr(17, 2));
  if (!y || !mo || !d || !h || !mi || !s || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 || *h > 23 || *mi > 59 || *s > 60) {
    return std::nullopt;
  }
  std::int64_t frac_ps = 0;
  if (t.size() > 19) {
    if (t[19] != '.' || t.size() == 20) return std::nullopt;
    std::int64_t scale = 100'000'000'000;  // the first fractional digit is 0.1 s
    for (std::size_t i = 20; i < t.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return std::nullopt;
      frac_ps += (t[i] - '0') * scale;
      scale /= 10;
    }
  }
  return Instant{days_from_civil(*y, *mo, *d) * 86400 + *h * 3600 + *mi * 60 + *s, frac_ps};
}

}  // namespace

std::vector<LoggedRequest> read_request_log(const std::string& path) {
  std::istringstream in(limits::read_file(path, SourceMark{path, 0, 0}));
  Diagnostics diag;
  std::string line;
  int line_no = 0;
  std::vector<std::string> header;
  int arrival = -1, prompt = -1, output = -1;
  bool datetime = false;
  std::vector<LoggedRequest> out;
  std::optional<Instant> first, last;
  int errors = 0;
  auto fail = [&](const SourceMark& where, const std::string& message) {
    diag.error(where, message);
    ++errors;
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // UTF-8 byte-order mark
    const std::vector<CsvField> f = split_csv_row(line);
    if (f.empty()) continue;
    if (header.empty()) {
      for (std::size_t i = 0; i < f.size(); ++i) {
        const std::string name = lower(f[i].text);
        if (name == "arrival_s" || name == "timestamp") arrival = static_cast<int>(i), datetime = name == "timestamp";
        if (name == "prompt_tokens" || name == "contexttokens") prompt = static_cast<int>(i);
        if (name == "output_tokens" || name == "generatedtokens") output = static_cast<int>(i);
        header.push_back(f[i].text);
      }
      if (arrival < 0) {
        throw ConfigError(SourceMark{path, line_no, 1}, "request log: the header names no arrival column (arrival_s, in "
                                                        "seconds, or TIMESTAMP, a date and time as in the Azure LLM traces)");
      }
      continue;
    }
    if (out.size() >= kMaxRows) {
      throw ConfigError(SourceMark{path, line_no, 1}, "request log: more than " + std::to_string(kMaxRows) + " requests");
    }
    auto at = [&](int i) { return SourceMark{path, line_no, i < static_cast<int>(f.size()) ? f[static_cast<std::size_t>(i)].column : 1}; };
    auto cell = [&](int i) -> const std::string* {
      if (i < 0) return nullptr;
      if (i >= static_cast<int>(f.size()) || f[static_cast<std::size_t>(i)].text.empty()) {
        fail(at(i), "request log: missing value in column '" + header[static_cast<std::size_t>(i)] + "'");
        return nullptr;
      }
      return &f[static_cast<std::size_t>(i)].text;
    };
    LoggedRequest r;
    std::optional<Instant> when;
    if (const std::string* t = cell(arrival)) {
      if (datetime) {
        when = timestamp(*t);
      } else {
        char* end = nullptr;
        const double sec = std::strtod(t->c_str(), &end);
        if (end == t->c_str() + t->size() && std::isfinite(sec) && sec >= 0 && sec < static_cast<double>(kMaxSpanSeconds)) {
          const double whole_s = std::floor(sec);
          when = Instant{static_cast<std::int64_t>(whole_s), std::llround((sec - whole_s) * 1e12)};
        }
      }
      if (!when) {
        fail(at(arrival), "request log: '" + header[static_cast<std::size_t>(arrival)] + "' expects " +
                                    (datetime ? "a date and time (2023-11-16 18:15:46.68)" : "seconds, at least 0 and below 1e6") +
                                    ", got \"" + *t + "\"");
      }
    }
    for (auto [col, dest] : {std::pair{prompt, &r.prompt}, std::pair{output, &r.output}}) {
      if (const std::string* t = cell(col)) {
        const auto v = whole(*t);
        if (!v || *v < 1 || *v > kMaxTokens) {
          fail(at(col), "request log: '" + header[static_cast<std::size_t>(col)] + "' expects a whole number of tokens "
                                                                                          "from 1 to 2^31, got \"" + *t + "\"");
        } else {
          *dest = *v;
        }
      }
    }
    if (when) {
      if (!first) first = *when;
      if (last && *when < *last) {
        fail(at(arrival), "request log: arrivals must not decrease (this row arrives before the one above it)");
      } else if (when->s - first->s >= kMaxSpanSeconds) {
        fail(at(arrival), "request log: the log spans more than " + std::to_string(kMaxSpanSeconds) + " s");
      } else {
        last = *when;
        r.arrival = Time((when->s - first->s) * kPsPerSecond + (when->ps - first->ps));
      }
    }
    out.push_back(r);
    if (errors >= 20) break;  // enough to fix a broken log by; no million lines for a million bad rows
  }
  diag.throw_if_any();
  if (out.empty()) throw ConfigError(SourceMark{path, line_no, 0}, "request log: no requests after the header");
  return out;
}

}  // namespace xpusim
