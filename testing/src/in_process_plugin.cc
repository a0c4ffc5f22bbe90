#include <stdexcept>

#include "kong/mock/session.h"
#include "kong/testing/mock_pdk.h"
#include "kong/testing/plugin.h"

#include "in_process_server.h"

namespace kong::testing {

InProcessPlugin::InProcessPlugin(const PluginType& type, const nlohmann::json& config,
                                 const PluginOptions& options)
    : session_(in_process_session(options.name, type)) {
  if (auto configured = session_->configure(config, options.name); !configured)
    throw std::invalid_argument(configured.error().message);
}

InProcessPlugin::InProcessPlugin(InProcessPlugin&&) noexcept = default;
InProcessPlugin& InProcessPlugin::operator=(InProcessPlugin&&) noexcept = default;
InProcessPlugin::~InProcessPlugin() = default;

mock::CaseResult InProcessPlugin::run(const mock::Case& c) {
  return mock::run_and_check(c, *session_);
}

mock::CaseResult InProcessPlugin::run(const mock::Case& c, MockPdk& kong) {
  return mock::run_and_check(c, *session_, &kong);
}

const mock::PluginInfo& InProcessPlugin::info() const {
  return session_->info();
}

}  // namespace kong::testing
