#include "kong/mock/temp_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "session/group_reaper.h"

namespace kong::mock {
namespace {

// The private Kong prefix holds the plugin's unix socket, whose path may not
// exceed 107 bytes; a long $TMPDIR (as on some CI runners) would eat that up.
constexpr std::size_t kMaxBaseBytes = 64;

std::string temp_base() {
  const char* env = std::getenv("TMPDIR");
  std::string base = env != nullptr ? env : "";
  while (base.size() > 1 && base.back() == '/')
    base.pop_back();
  if (base.empty() || base.size() > kMaxBaseBytes)
    return "/tmp";
  return base;
}

}  // namespace

Result<TempDir> TempDir::create(const std::string& prefix) {
  const std::string base = temp_base();
  std::string templ = fmt::format("{}/{}-XXXXXX", base == "/" ? "" : base, prefix);
  if (::mkdtemp(templ.data()) == nullptr) {
    return Error{
        fmt::format("creating a temporary directory in {}: {}", base, std::strerror(errno))};
  }
  // Removed by the reaper should mock-kong die without a chance to.
  reaper_watch_dir(templ);
  return TempDir(std::move(templ));
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir::~TempDir() {
  if (path_.empty())
    return;
  // Best effort: a destructor has nobody to report to, and a leftover
  // directory under /tmp harms nothing.
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
  reaper_forget_dir(path_);
}

}  // namespace kong::mock
