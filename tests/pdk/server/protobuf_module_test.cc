// Finding and loading the ProtoBuf:1 module a plugin server needs to speak
// ProtoBuf:1.
#include "server/protobuf_module.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace kong::test {
namespace {

using ::testing::HasSubstr;

std::string load_error(const std::vector<std::string>& paths) {
  try {
    server::load_protobuf_module(paths);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "loaded";
}

TEST(ProtobufModule, LooksNextToThePluginFirstThenInTheRunpathKongPdkGivesIt) {
  const auto paths = server::protobuf_module_paths();
  ASSERT_GE(paths.size(), 2u);
  const auto exe = std::filesystem::read_symlink("/proc/self/exe");
  EXPECT_EQ(paths[0], (exe.parent_path() / "libkong_pdk_protobuf.so").string());
  // kong::pdk's RUNPATH: where this build made the module.
  EXPECT_EQ(paths[1], KONG_PDK_PROTOBUF_MODULE);
}

TEST(ProtobufModule, FindsTheModuleOnItsOwn) {
  EXPECT_NE(server::load_protobuf_module(), nullptr);
}

TEST(ProtobufModule, LoadsTheModuleThePdkBuilt) {
  EXPECT_NE(server::load_protobuf_module({KONG_PDK_PROTOBUF_MODULE}), nullptr);
}

TEST(ProtobufModule, SkipsPathsThatFailAndTakesTheFirstThatLoads) {
  EXPECT_NE(server::load_protobuf_module(
                {"/nonexistent/libkong_pdk_protobuf.so", KONG_PDK_PROTOBUF_MODULE}),
            nullptr);
}

TEST(ProtobufModule, NamesEveryPathTriedAndWhyItFailed) {
  char dir[] = "/tmp/kong-module-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string not_elf = std::string(dir) + "/libkong_pdk_protobuf.so";
  std::ofstream(not_elf) << std::string(4096, 'x');  // not a shared object

  const std::string error = load_error({"/nonexistent/libkong_pdk_protobuf.so", not_elf});
  EXPECT_THAT(error,
              HasSubstr("ProtoBuf:1 needs the PDK's module libkong_pdk_protobuf.so next to"));
  EXPECT_THAT(error, HasSubstr("/nonexistent/libkong_pdk_protobuf.so: no such file"));
  EXPECT_THAT(error, HasSubstr(not_elf + ": invalid ELF header"));  // the loader's words

  ::unlink(not_elf.c_str());
  ::rmdir(dir);
}

TEST(ProtobufModule, RefusesAModuleOfAnotherBuildOfThePdk) {
  const std::string error = load_error({KONG_FOREIGN_PROTOBUF_MODULE});
  EXPECT_THAT(error, HasSubstr(std::string(KONG_FOREIGN_PROTOBUF_MODULE) +
                               ": built with KongPDK 0.0.1, GCC 99.0.0, the plugin with KongPDK "));
}

TEST(ProtobufModule, RefusesASharedObjectThatIsNotTheModule) {
  // libc is a shared object without the module's version export.
  const std::string error = load_error({"/lib/x86_64-linux-gnu/libc.so.6"});
  EXPECT_THAT(
      error,
      HasSubstr("/lib/x86_64-linux-gnu/libc.so.6: built with (not a KongPDK module), the plugin "
                "with KongPDK "));
}

}  // namespace
}  // namespace kong::test
