#include "server/protobuf_module.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace kong::server {
namespace {

constexpr const char* kModuleFile = "libkong_pdk_protobuf.so";

// The directories the dynamic loader searches for the plugin's libraries:
// its RUNPATH, LD_LIBRARY_PATH, the system's. Asked of the loader rather than
// left to dlopen(name): a sanitizer's dlopen interceptor calls the loader on
// behalf of its own library, whose RUNPATH is not the plugin's.
std::vector<std::string> loader_search_path() {
  std::vector<std::string> dirs;
  void* self = ::dlopen(nullptr, RTLD_NOW);
  if (self == nullptr)
    return dirs;
  Dl_serinfo size{};
  if (::dlinfo(self, RTLD_DI_SERINFOSIZE, &size) == 0 && size.dls_size > 0) {
    std::vector<std::max_align_t> storage(size.dls_size / sizeof(std::max_align_t) + 1);
    auto* info = reinterpret_cast<Dl_serinfo*>(storage.data());
    *info = size;  // dls_size and dls_cnt, as dlinfo wants them
    if (::dlinfo(self, RTLD_DI_SERINFO, info) == 0) {
      for (unsigned i = 0; i < info->dls_cnt; ++i)
        dirs.emplace_back(info->dls_serpath[i].dls_name);
    }
  }
  ::dlclose(self);
  return dirs;
}

}  // namespace

std::vector<std::string> protobuf_module_paths() {
  std::vector<std::string> paths;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    paths.push_back((exe.parent_path() / kModuleFile).string());
  for (const auto& dir : loader_search_path()) {
    std::string path = (std::filesystem::path(dir) / kModuleFile).string();
    if (std::find(paths.begin(), paths.end(), path) == paths.end())
      paths.push_back(std::move(path));
  }
  return paths;
}

NewProtobufConnection load_protobuf_module(const std::vector<std::string>& paths) {
  std::string tried;
  for (const std::string& path : paths) {
    if (!std::filesystem::exists(path)) {
      tried += fmt::format("\n  {}: no such file", path);
      continue;
    }
    // RTLD_NOW: a symbol the plugin does not export fails here, with its name.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      std::string why = ::dlerror();
      if (why.starts_with(path + ": "))  // the loader names the file itself
        why.erase(0, path.size() + 2);
      tried += fmt::format("\n  {}: {}", path, why);
      continue;
    }
    const auto* abi = static_cast<const char*>(::dlsym(module, KONG_PDK_PROTOBUF_ABI_SYMBOL));
    if (abi == nullptr || std::strcmp(abi, KONG_PDK_PROTOBUF_ABI) != 0) {
      tried += fmt::format("\n  {}: built with {}, the plugin with {}", path,
                           abi != nullptr ? abi : "(not a KongPDK module)", KONG_PDK_PROTOBUF_ABI);
      ::dlclose(module);
      continue;
    }
    // The module stays loaded for the process's life: its code serves every
    // ProtoBuf:1 connection.
    if (void* entry = ::dlsym(module, KONG_PDK_PROTOBUF_ENTRY))
      return reinterpret_cast<NewProtobufConnection>(entry);
    tried += fmt::format("\n  {}: no {}", path, KONG_PDK_PROTOBUF_ENTRY);
    ::dlclose(module);
  }
  throw std::runtime_error(fmt::format(
      "ProtoBuf:1 needs the PDK's module {} next to the plugin executable, and a plugin linked "
      "with --export-dynamic (kong::pdk asks for it), whose symbols the module uses; tried:{}",
      kModuleFile, tried));
}

}  // namespace kong::server
