// SPDX-License-Identifier: MIT
// All-or-nothing output files: write to a temporary in the same directory, rename when all are done.
// Same directory, because rename() is atomic only within one file system.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "sim/cli/cli.h"

namespace xpusim::cli {
namespace {

namespace fs = std::filesystem;

std::string system_error(const std::string& what, const std::string& path, int err) {
  return "cannot write " + what + " '" + path + "': " + std::strerror(err);
}

fs::path directory_of(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// Creates a fresh temporary beside `target` (O_EXCL: never reuses an existing file) and writes
// `content` to it in full. Returns its path; throws UsageError after removing it on any failure.
std::string write_temporary(const std::string& target, const std::string& content) {
  static unsigned counter = 0;
  const fs::path dir = directory_of(target);
  const std::string base = "." + fs::path(target).filename().string() + ".tmp-" + std::to_string(::getpid()) + "-";
  for (int attempt = 0; attempt < 100; ++attempt) {
    const std::string tmp = (dir / (base + std::to_string(counter++))).string();
    // 0666 before the umask: the same permissions a plain fopen() would give the target.
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      throw UsageError(system_error("file", target, errno));
    }
    std::size_t done = 0;
    int err = 0;
    while (done < content.size()) {
      ssize_t n = ::write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        err = n < 0 ? errno : EIO;
        break;
      }
      done += static_cast<std::size_t>(n);
    }
    // close() can report a delayed write error (NFS, full disk), so it is checked too.
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
      ::unlink(tmp.c_str());
      throw UsageError(system_error("file", target, err));
    }
    return tmp;
  }
  throw UsageError("cannot write file '" + target + "': no free temporary name in " + dir.string());
}

// "out.json" and "./out.json" are one file; the target need not exist yet.
bool same_file(const std::string& a, const std::string& b) {
  std::error_code ec1, ec2;
  return a == b || fs::weakly_canonical(a, ec1) == fs::weakly_canonical(b, ec2);
}

}  // namespace

void OutputFiles::check_writable(const std::vector<std::pair<std::string, std::string>>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const auto& [option, path] = outputs[i];
    std::error_code ec;
    if (path.empty()) throw UsageError(option + " needs a file name");
    const fs::path dir = directory_of(path);
    if (!fs::is_directory(dir, ec)) {
      throw UsageError(option + " '" + path + "': directory '" + dir.string() + "' does not exist");
    }
    if (fs::is_directory(path, ec)) throw UsageError(option + " '" + path + "' is a directory");
    if (::access(dir.c_str(), W_OK) != 0) throw UsageError(system_error("to", dir.string(), errno));
    for (std::size_t j = 0; j < i; ++j) {
      if (same_file(outputs[j].second, path)) {
        throw UsageError(outputs[j].first + " and " + option + " would go to the same file '" + path + "'");
      }
    }
  }
}

void OutputFiles::add(const std::string& path, std::string content) {
  for (const auto& f : files_) {
    if (same_file(f.first, path)) throw UsageError("two outputs would go to the same file '" + path + "'");
  }
  files_.emplace_back(path, std::move(content));
}

void OutputFiles::commit() {
  std::vector<std::string> temporaries;
  try {
    for (const auto& [path, content] : files_) temporaries.push_back(write_temporary(path, content));
  } catch (...) {
    for (const auto& t : temporaries) ::unlink(t.c_str());
    throw;
  }
  for (std::size_t i = 0; i < files_.size(); ++i) {
    if (::rename(temporaries[i].c_str(), files_[i].first.c_str()) != 0) {
      int err = errno;
      for (std::size_t j = i; j < temporaries.size(); ++j) ::unlink(temporaries[j].c_str());
      throw UsageError(system_error("file", files_[i].first, err));
    }
  }
  files_.clear();
}

}  // namespace xpusim::cli
