#pragma once

// A plugin session over a scripted MsgPack:1 server: each phase's handler
// answers HandleEvent and each Step from a script, and the test sees every
// Step Kong sent. What the lifecycle tests drive.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "kong/mock/lifecycle.h"
#include "kong/mock/session.h"

#include "client/msgpack_plugin_client.h"
#include "scripted_server.h"
#include "support/test_support.h"

namespace kong::mock {

using kong::test::EventAnswer;
using kong::test::PdkCall;
using kong::test::ScriptedServer;
using nlohmann::json;
using protocol::Array;
using protocol::Map;
using protocol::Value;

// What each phase's handler does: the Data it answers with, one per message
// of the event (HandleEvent, then each Step).
using Script = std::map<std::string, std::vector<Value>>;

class LifecycleTest : public ::testing::Test {
 protected:
  void Start(Script script, std::vector<Phase> phases) {
    script_ = std::move(script);
    server_ = std::make_unique<ScriptedServer>(
        dir_.file("plugin.socket"),
        [this](const ScriptedServer::Request& r) { return Respond(r); });
    PluginInfo info;
    info.name = "scripted";
    for (Phase p : phases)
      info.phases.emplace_back(to_string(p));
    info.schema = {{"name", "scripted"},
                   {"fields",
                    {{{"config",
                       {{"type", "record"},
                        {"fields", json::array({{{"message", {{"type", "string"}}}}})}}}}}}};
    session_ = PluginSession::attach(std::move(info),
                                     std::make_unique<MsgpackPluginClient>(MsgpackClient::Options{
                                         dir_.file("plugin.socket"), 2, std::chrono::seconds(10)}));
    ASSERT_TRUE(session_->configure(json::object(), "scripted.json").ok());
  }

  ScriptedServer::Response Respond(const ScriptedServer::Request& r) {
    if (r.method == "plugin.StartInstance") {
      ++instances_started_;
      return {Value(Map{{Value("Id"), Value(next_instance_id_)}}), ""};
    }
    if (r.method == "plugin.CloseInstance")
      return {Value(Map{{Value("Id"), r.params[0]}}), ""};
    if (r.method == "plugin.HandleEvent") {
      if (fail_next_event_with_) {
        auto error = *fail_next_event_with_;
        fail_next_event_with_.reset();
        return {Value(), error};
      }
      const std::string phase(r.params[0].find("EventName")->text());
      const std::int64_t id = next_event_++;
      event_phase_[id] = phase;
      step_[id] = 0;
      return {EventAnswer(id, script_[phase][0]), ""};
    }
    const std::int64_t id = r.params[0].find("EventId")->as_int();
    const auto& steps = script_[event_phase_[id]];
    const std::size_t i = ++step_[id];
    if (i >= steps.size())
      return {Value(), "script ran out"};
    return {EventAnswer(id, steps[i]), ""};
  }

  CaseRun Run(Case c = {}) {
    if (c.request.url.empty())
      c.request.url = "http://example.com/";
    c.path = "cases[0]";
    auto run = run_case(c, *session_);
    EXPECT_TRUE(run.ok()) << (run.ok() ? "" : run.error().message);
    return std::move(run).value();
  }

  std::vector<ScriptedServer::Request> Steps() {
    std::vector<ScriptedServer::Request> steps;
    for (auto& r : server_->requests()) {
      if (r.method.starts_with("plugin.Step"))
        steps.push_back(r);
    }
    return steps;
  }

  kong::test::ScratchDir dir_;
  Script script_;
  std::unique_ptr<ScriptedServer> server_;
  std::unique_ptr<PluginSession> session_;
  int instances_started_ = 0;
  std::int64_t next_instance_id_ = 1;
  std::int64_t next_event_ = 1;
  std::map<std::int64_t, std::string> event_phase_;
  std::map<std::int64_t, std::size_t> step_;
  std::optional<std::string> fail_next_event_with_;
};

}  // namespace kong::mock
