#include "kong/mock/temp_dir.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace kong::mock {
namespace {

namespace fs = std::filesystem;

// Sets $TMPDIR for one test and puts the old value back.
class ScopedTmpdir {
 public:
  explicit ScopedTmpdir(const std::string& value) {
    if (const char* old = std::getenv("TMPDIR"))
      old_ = old;
    ::setenv("TMPDIR", value.c_str(), 1);
  }
  ~ScopedTmpdir() {
    if (old_) {
      ::setenv("TMPDIR", old_->c_str(), 1);
    } else {
      ::unsetenv("TMPDIR");
    }
  }

 private:
  std::optional<std::string> old_;
};

TEST(TempDir, CreatesAPrivateDirectoryUnderTmpdir) {
  test::ScratchDir base;
  ScopedTmpdir tmpdir(base.path());
  Result<TempDir> dir = TempDir::create("kong-prefix");
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_TRUE(dir->path().starts_with(base.path() + "/kong-prefix-")) << dir->path();
  EXPECT_EQ(fs::status(dir->path()).permissions(), fs::perms::owner_all);
}

TEST(TempDir, FallsBackToTmpWhenTmpdirWouldMakeSocketPathsTooLong) {
  ScopedTmpdir tmpdir("/" + std::string(100, 'd'));
  Result<TempDir> dir = TempDir::create();
  ASSERT_TRUE(dir.ok()) << dir.error().message;
  EXPECT_TRUE(dir->path().starts_with("/tmp/mock-kong-")) << dir->path();
}

TEST(TempDir, RemovesTheDirectoryAndEverythingInItWhenDestroyed) {
  std::string path;
  {
    Result<TempDir> dir = TempDir::create();
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    path = dir->path();
    fs::create_directories(path + "/a/b");
    std::ofstream(path + "/a/b/file") << "content";
    fs::create_symlink("/etc", path + "/link");
  }
  EXPECT_FALSE(fs::exists(path)) << path;
  EXPECT_TRUE(fs::exists("/etc"));
}

TEST(TempDir, LeavesTheDirectoryToTheTempDirItWasMovedTo) {
  std::string path;
  std::optional<TempDir> owner;
  {
    Result<TempDir> dir = TempDir::create();
    ASSERT_TRUE(dir.ok()) << dir.error().message;
    path = dir->path();
    owner.emplace(std::move(*dir));
  }  // the moved-from TempDir ends here
  EXPECT_TRUE(fs::exists(path)) << path;
  EXPECT_EQ(owner->path(), path);
  owner.reset();
  EXPECT_FALSE(fs::exists(path)) << path;
}

}  // namespace
}  // namespace kong::mock
