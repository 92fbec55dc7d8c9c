// SPDX-License-Identifier: MIT
#include "sim/config/input_limits.h"

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace xpusim::limits {
namespace {

/// The value of environment variable `name` when it is a positive whole number, else `fallback`.
std::uint64_t from_env(const char* name, std::uint64_t fallback) {
  const char* text = std::getenv(name);
  if (!text) return fallback;
  const std::string_view t(text);
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  return ec == std::errc() && p == t.data() + t.size() && v > 0 ? v : fallback;
}

}  // namespace

std::uint64_t input_bytes() {
  static const std::uint64_t v = from_env("XPUSIM_MAX_INPUT_BYTES", std::uint64_t{256} << 20);
  return v;
}
std::uint64_t config_nodes() {
  static const std::uint64_t v = from_env("XPUSIM_MAX_CONFIG_NODES", 5'000'000);
  return v;
}
std::uint64_t tiles() {
  static const std::uint64_t v = from_env("XPUSIM_MAX_TILES", 100'000'000);
  return v;
}
std::uint64_t ops() {
  static const std::uint64_t v = from_env("XPUSIM_MAX_OPS", 2'000'000);
  return v;
}

std::string raise_hint(const char* variable) { return std::string(" (the environment variable ") + variable + "=N raises the limit)"; }

std::string read_file(const std::string& path, const SourceMark& where) {
  namespace fs = std::filesystem;
  // The mark names the file when the file itself is read; a reference to it (`base:`) names it here.
  const std::string what = where.file == path ? std::string("cannot read file") : "cannot read file '" + path + "'";
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw ConfigError(where, what + ": no such file");
  if (!fs::is_regular_file(st)) throw ConfigError(where, what + ": not a regular file (a FIFO, device or directory)");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > input_bytes()) {
    throw ConfigError(where, what + ": " + std::to_string(size) + " bytes, more than the " + std::to_string(input_bytes()) +
                                 " an input file may have" + raise_hint("XPUSIM_MAX_INPUT_BYTES"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(where, what);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace xpusim::limits
