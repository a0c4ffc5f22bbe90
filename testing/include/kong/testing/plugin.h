#pragma once

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "kong/mock/case_runner.h"
#include "kong/mock/plugin_info.h"
#include "kong/pdk/plugin.h"

namespace kong::mock {
class PluginSession;
}

namespace kong::testing {

class MockPdk;  // kong/testing/mock_pdk.h

/// How Kong knows the plugin run in process.
struct PluginOptions {
  /// The plugin's name; Kong's error texts start with it ("hello access
  /// handler failed: ..."). A plugin server takes its executable's name.
  std::string name = "plugin";
  std::string version = "0.1.0";
  int priority = 0;
};

/// A plugin type run in this test's process, through the plugin server's
/// own event handling and mock-kong's lifecycle and emulation: no socket and
/// no child process, and the same phase rules, answers, Kong error texts and
/// expectation checks as `mock-kong --replay`.
class InProcessPlugin {
 public:
  /// Starts an instance with `config`, checked against the plugin's schema
  /// with its defaults filled in, as Kong does. Throws std::invalid_argument
  /// with mock-kong's message ("config.rejct_status: unknown field").
  InProcessPlugin(const PluginType& type, const nlohmann::json& config,
                  const PluginOptions& options);
  InProcessPlugin(InProcessPlugin&&) noexcept;
  InProcessPlugin& operator=(InProcessPlugin&&) noexcept;
  ~InProcessPlugin();

  /// Plays `c` through Kong's lifecycle and checks its expectations (a
  /// fixture case's; a Case built in C++ has none, so a result passes when
  /// Kong logged no error).
  mock::CaseResult run(const mock::Case& c);
  /// The same, with `kong` answering the PDK calls it was told to (MockPdk).
  mock::CaseResult run(const mock::Case& c, MockPdk& kong);

  /// The plugin as its -dump presents it to Kong.
  const mock::PluginInfo& info() const;

 private:
  std::unique_ptr<mock::PluginSession> session_;
};

/// A plugin config struct (with its phase handlers) run in process:
///
///     kong::testing::Plugin<Config> plugin({{"message", "hi"}});
///     auto result = plugin.run(kong::testing::Case("GET", "http://a.test/"));
///     EXPECT_THAT(result, kong::testing::HasHeader("x-hello-from-cpp", "C++ says hi to a.test"));
template <class Config>
class Plugin : public InProcessPlugin {
 public:
  /// From the configuration as Kong's Admin API takes it (JSON).
  explicit Plugin(const nlohmann::json& config = nlohmann::json::object(),
                  const PluginOptions& options = {})
      : InProcessPlugin(plugin_type<Config>(options.version, options.priority), config, options) {}
  /// From JSON written in place: `Plugin<Config>({{"message", "hi"}})`.
  Plugin(nlohmann::json::initializer_list_t config, const PluginOptions& options = {})
      : Plugin(nlohmann::json(config), options) {}
  /// From a config object: `Plugin<Config>(Config{.message = "hi"})`.
  template <class C>
  requires std::is_same_v<std::remove_cvref_t<C>, Config>
  explicit Plugin(C&& config, const PluginOptions& options = {})
      : Plugin(config_to_json(config), options) {}
};

}  // namespace kong::testing
