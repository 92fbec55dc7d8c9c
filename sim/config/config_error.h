// SPDX-License-Identifier: MIT
// Errors in user input (YAML, CSV, JSON, --set overrides). Every message names where the problem is:
// "chip.yaml:3:5: hbm0 (memory/dram): 'bandwidth' expects a bandwidth like \"3.35 TB/s\", got \"819\"".
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xpusim {

/// A position in an input file; line and column are 1-based, 0 when unknown.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;
  /// "file:line:column", or as much of it as is known.
  std::string str() const;
};

/// Bad user input. Carries every problem found, so the user can fix them all in one go.
/// Front ends map it to exit code 2 (CLI) or xpusim.ConfigError (Python).
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<std::string> messages);
  ConfigError(const SourceMark& where, std::string_view message);
  const std::vector<std::string>& messages() const { return messages_; }

 private:
  std::vector<std::string> messages_;
};

/// Collects problems while a whole config is checked; throw_if_any() raises one ConfigError.
class Diagnostics {
 public:
  void error(const SourceMark& where, std::string_view message);
  /// Takes over the messages of an error raised elsewhere (they already name their place).
  void absorb(const ConfigError& e);
  bool empty() const { return messages_.empty(); }
  void throw_if_any() const;

 private:
  std::vector<std::string> messages_;
};

/// The candidate closest to `word` by edit distance, or "" if none is close enough to be a likely typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
/// " (did you mean 'x'?)" or "", ready to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace xpusim
