#include "server/protobuf_module.h"

#include <dlfcn.h>

#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

namespace kong::server {
namespace {

constexpr const char* kModuleFile = "libkong_pdk_protobuf.so";

}  // namespace

std::vector<std::string> protobuf_module_paths() {
  std::vector<std::string> paths;
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec)
    paths.push_back((exe.parent_path() / kModuleFile).string());
  paths.emplace_back(kModuleFile);
  return paths;
}

NewProtobufConnection load_protobuf_module(const std::vector<std::string>& paths) {
  std::string tried;
  for (const std::string& path : paths) {
    // A bare name is for the loader to find; a path must be there.
    const bool bare_name = path.find('/') == std::string::npos;
    if (!bare_name && !std::filesystem::exists(path)) {
      tried += fmt::format("\n  {}: no such file", path);
      continue;
    }
    // RTLD_NOW: a symbol the plugin does not export fails here, with its name.
    void* module = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (module == nullptr) {
      std::string why = ::dlerror();
      if (why.starts_with(path + ": "))  // the loader names the file itself
        why.erase(0, path.size() + 2);
      tried +=
          fmt::format("\n  {}{}: {}", path,
                      bare_name ? " (the RUNPATH, LD_LIBRARY_PATH, system directories)" : "", why);
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
