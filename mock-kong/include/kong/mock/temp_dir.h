#pragma once

#include <string>

#include "kong/result.h"

namespace kong::mock {

/// A private directory, removed with everything in it on destruction.
class TempDir {
 public:
  /// Makes `<dir>/<prefix>-XXXXXX` (mode 0700), `<dir>` being $TMPDIR, or
  /// /tmp when that is unset or too long to leave room for socket paths.
  static Result<TempDir> create(const std::string& prefix = "mock-kong");
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  explicit TempDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace kong::mock
