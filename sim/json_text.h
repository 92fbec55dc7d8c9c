// SPDX-License-Identifier: MIT
// JSON literals written by hand, so every JSON xpusim writes (results, workload traces, describe) is
// byte-stable and locale-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xpusim {

/// A JSON string literal. Names come from user files, so quotes, control characters and invalid
/// UTF-8 (replaced by U+FFFD) must not break the document.
std::string json_string(std::string_view s);

/// The shortest text that parses back to exactly `v`; JSON has no NaN or infinity, so those are null.
std::string json_number(double v);
std::string json_number(std::int64_t v);

}  // namespace xpusim
