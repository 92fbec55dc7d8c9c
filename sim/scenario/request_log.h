// SPDX-License-Identifier: MIT
// A request log that drives a server scenario instead of Poisson arrivals: one CSV row per query with
// its arrival time and, for an LLM, its prompt and output lengths. Production logs replay as they were;
// the Azure LLM inference traces (github.com/Azure/AzurePublicDataset: TIMESTAMP, ContextTokens,
// GeneratedTokens) read unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sim/units.h"

namespace xpusim {

struct LoggedRequest {
  Time arrival{0};                         // after the first row's arrival
  std::int64_t prompt = 0, output = 0;     // tokens; 0 when the log has no such column
};

/// Reads `path`. The header names the columns, in any order and case: the arrival as `arrival_s`
/// (seconds) or `TIMESTAMP` (a date and time, "2023-11-16 18:15:46.6805900"); optionally the lengths as
/// `prompt_tokens` / `ContextTokens` and `output_tokens` / `GeneratedTokens`. Arrivals count from the
/// first row and must not decrease. Throws ConfigError naming file, line and column for a missing
/// column, a bad or negative value, a decreasing arrival, an empty log or more than 10^7 rows.
std::vector<LoggedRequest> read_request_log(const std::string& path);

}  // namespace xpusim
