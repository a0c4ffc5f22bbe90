// mock-kong new: a plugin repository whose ctest passes at once.
#include "modes/new_repository.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "modes/replay.h"

namespace kong::mock {
namespace {

namespace fs = std::filesystem;

// Kong's plugin names: lower-case letters, digits, "-" and "_", starting
// with a letter; it names the executable, the socket and kong.conf keys.
bool valid_plugin_name(const std::string& name) {
  if (name.empty() || name.size() > 64 || name[0] < 'a' || name[0] > 'z')
    return false;
  return name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string, std::string>>& vars) {
  std::string out(text);
  for (const auto& [key, value] : vars) {
    const std::string token = "{{" + key + "}}";
    for (auto at = out.find(token); at != std::string::npos;
         at = out.find(token, at + value.size()))
      out.replace(at, token.size(), value);
  }
  return out;
}

// Where the KongPDK this mock-kong belongs to keeps its docs: next to an
// installed mock-kong (<prefix>/share/kong-pdk/docs), else its sources'.
std::string docs_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  const fs::path installed = exe.parent_path().parent_path() / "share/kong-pdk/docs";
  if (!ec && fs::is_directory(installed, ec))
    return installed.string();
  return "the docs/ folder of the KongPDK sources";
}

// The prefix of an installed mock-kong, when CMake would not find the
// package there by itself (not /usr or /usr/local, and its bin/ not on PATH).
std::string prefix_hint() {
  std::error_code ec;
  const fs::path bin = fs::read_symlink("/proc/self/exe", ec).parent_path();
  const fs::path prefix = bin.parent_path();
  if (ec || !fs::exists(prefix / "share/kong-pdk", ec) || prefix == "/usr" ||
      prefix == "/usr/local")
    return "";
  if (const char* path = std::getenv("PATH")) {
    for (std::string_view rest = path; !rest.empty();) {
      const auto colon = rest.find(':');
      if (fs::path(rest.substr(0, colon)) == bin)
        return "";
      rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    }
  }
  return " -DCMAKE_PREFIX_PATH=" + prefix.string();
}

}  // namespace

int new_repository(const std::string& dir, const std::string& given_name) {
  const std::string name =
      given_name.empty() ? fs::path(dir).lexically_normal().filename().string() : given_name;
  if (!valid_plugin_name(name)) {
    std::fprintf(stderr,
                 "mock-kong new: \"%s\" is not a Kong plugin name: lower-case letters, digits, "
                 "- and _, starting with a letter (give one with --name)\n",
                 name.c_str());
    return kCannotRun;
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    std::fprintf(stderr, "mock-kong new: %s already exists and is not empty\n", dir.c_str());
    return kCannotRun;
  }
  std::string id = name;
  std::replace(id.begin(), id.end(), '-', '_');
  const std::vector<std::pair<std::string, std::string>> vars = {
      {"name", name}, {"id", id}, {"pdk_version", KONG_PDK_VERSION}, {"docs", docs_dir()}};

  for (const auto& t : repository_templates()) {
    const fs::path path = fs::path(dir) / fill(t.path, vars);
    fs::create_directories(path.parent_path(), ec);
    std::ofstream out(path);
    out << fill(t.text, vars);
    out.close();
    if (!out) {
      std::fprintf(stderr, "mock-kong new: cannot write %s\n", path.c_str());
      return kCannotRun;
    }
  }
  std::printf(
      "mock-kong new: wrote the Kong plugin %s into %s\n"
      "  src/plugin.h and src/main.cc: the plugin and its server\n"
      "  fixtures/%s.json: request lifecycles and their expectations\n"
      "  tests/%s_test.cc: unit tests (kong::testing)\n"
      "  CMakeLists.txt, README.md, .gitignore\n"
      "Next:\n"
      "  cd %s && cmake -B build%s && cmake --build build && ctest --test-dir build\n",
      name.c_str(), dir.c_str(), name.c_str(), id.c_str(), dir.c_str(), prefix_hint().c_str());
  return kAllPassed;
}

}  // namespace kong::mock
