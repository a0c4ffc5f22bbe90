// mock-kong --record's model: the messages that pass become request
// lifecycles, each a fixture case with its transcript, in a file that is a
// whole fixture after every update.
#include "record/recording.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kong/mock/fixture.h"
#include "kong/protocol/rpc_message.h"

#include "fixture/transcript_value.h"
#include "record/recording_file.h"
#include "record/wire_tap.h"
#include "support/test_support.h"

namespace kong::mock {
namespace {

using nlohmann::json;
using protocol::Array;
using protocol::Map;
using protocol::Value;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace rpc = protocol::rpc;

// Keeps what the recording gives it.
struct Kept final : RecordingSink {
  std::vector<RecordedLifecycle> finished;
  std::vector<RecordedLifecycle> open;
  void update(std::vector<RecordedLifecycle> done,
              const std::vector<const RecordedLifecycle*>& still) override {
    for (auto& l : done)
      finished.push_back(std::move(l));
    open.clear();
    for (const auto* l : still)
      open.push_back(*l);
  }
};

std::vector<std::string> Methods(const RecordedLifecycle& l) {
  std::vector<std::string> out;
  for (const auto& c : l.calls)
    out.push_back(c.method);
  return out;
}

TEST(Recording, GroupsTheEventsOfARequestIntoOneLifecycleThatEndsWithLog) {
  Kept kept;
  Recording r({Phase::access, Phase::log}, kept);
  r.instance_started(1, R"({"message": "hi", "__seq__": 1})");
  r.event_started(10, 1, Phase::access);
  r.call(10, "kong.request.get_header", Value(Array{Value("host")}));
  r.answered(10, Value("example.com"));
  r.event_ended(10);
  r.sync();
  EXPECT_TRUE(kept.finished.empty());
  ASSERT_EQ(kept.open.size(), 1u);  // log may follow: under way
  r.event_started(11, 1, Phase::log);
  r.event_ended(11);
  r.sync();
  ASSERT_EQ(kept.finished.size(), 1u);
  EXPECT_TRUE(kept.open.empty());
  const RecordedLifecycle& l = kept.finished[0];
  EXPECT_EQ(l.number, 1u);
  EXPECT_THAT(l.phases, ElementsAre(Phase::access, Phase::log));
  EXPECT_THAT(Methods(l), ElementsAre("kong.request.get_header"));
  EXPECT_EQ(l.config["message"], "hi");
}

TEST(Recording, AnExitEndsItsEventAndLeavesOnlyLogToFollow) {
  Kept kept;
  Recording r({Phase::access, Phase::response}, kept);
  r.event_started(1, 1, Phase::access);
  r.call(1, "kong.response.exit", Value(Array{Value(403)}));
  // Kong answers no exit: the event is over, and with no log handler and
  // no response phase after an exit, so is the lifecycle.
  r.sync();
  ASSERT_EQ(kept.finished.size(), 1u);
  EXPECT_TRUE(kept.finished[0].exited);
  EXPECT_FALSE(kept.finished[0].calls[0].abandoned);
  EXPECT_EQ(r.events_running(), 0u);
}

TEST(Recording, ACallKongLeftUnansweredRaisedAnErrorOnceTheNextPhaseComes) {
  Kept kept;
  Recording r({Phase::access, Phase::log}, kept);
  r.event_started(1, 1, Phase::access);
  r.call(1, "kong.response.get_status", Value(Array{}));
  r.event_started(2, 1, Phase::log);  // Kong abandoned access
  r.event_ended(2);
  r.sync();
  ASSERT_EQ(kept.finished.size(), 1u);
  const RecordedLifecycle& l = kept.finished[0];
  EXPECT_THAT(l.phases, ElementsAre(Phase::access, Phase::log));
  EXPECT_TRUE(l.calls[0].abandoned);
  EXPECT_THAT(l.errors, ElementsAre("kong.response.get_status: " + std::string(kAbandonedCall)));
}

TEST(Recording, AnAbandonedEventWhoseLifecycleIsOverThenStartsANewOne) {
  Kept kept;
  // A dump naming only access: once its event ends, nothing can follow.
  Recording r({Phase::access}, kept);
  r.event_started(1, 1, Phase::access);
  r.call(1, "kong.response.get_status", Value(Array{}));
  r.event_started(2, 1, Phase::log);
  r.event_ended(2);
  r.finish();
  ASSERT_EQ(kept.finished.size(), 2u);
  EXPECT_THAT(kept.finished[0].phases, ElementsAre(Phase::access));
  EXPECT_TRUE(kept.finished[0].calls[0].abandoned);
  EXPECT_THAT(kept.finished[1].phases, ElementsAre(Phase::log));
}

TEST(Recording, RequestsInFlightTogetherGetALifecycleEachAndAFailureItsPhase) {
  Kept kept;
  Recording r({Phase::access, Phase::log}, kept);
  r.event_started(1, 7, Phase::access);
  r.event_started(2, 7, Phase::access);  // a second request, meanwhile
  r.event_ended(2, "boom");
  r.event_ended(1);
  r.event_started(3, 7, Phase::log);
  r.event_ended(3);
  r.event_started(4, 7, Phase::log);
  r.event_ended(4);
  r.finish();
  ASSERT_EQ(kept.finished.size(), 2u);
  EXPECT_THAT(kept.finished[0].phases, ElementsAre(Phase::access, Phase::log));
  EXPECT_THAT(kept.finished[1].phases, ElementsAre(Phase::access, Phase::log));
  EXPECT_THAT(kept.finished[1].errors, ElementsAre("access handler failed: boom"));
}

RecordedLifecycle Lifecycle(std::vector<RecordedCall> calls, json config = json::object()) {
  RecordedLifecycle l;
  l.number = 3;
  l.config = std::move(config);
  l.phases = {Phase::access};
  l.calls = std::move(calls);
  return l;
}

RecordedCall Answered(std::string method, Array args, Value answer) {
  return RecordedCall{Phase::access, std::move(method), Value(std::move(args)), std::move(answer),
                      false};
}

TEST(RecordedCase, TakesTheRequestKongsAnswersRevealedAndTheScopeFromItsConfig) {
  const Case c = recorded_case(
      Lifecycle({Answered("kong.request.get_method", {}, Value("POST")),
                 Answered("kong.request.get_scheme", {}, Value("https")),
                 Answered("kong.request.get_host", {}, Value("api.test")),
                 Answered("kong.request.get_port", {}, Value(8443)),
                 Answered("kong.request.get_raw_path", {}, Value("/v1/a b")),
                 Answered("kong.request.get_raw_query", {}, Value("x=1")),
                 Answered("kong.request.get_headers", {},
                          Value(Map{{Value("x-id"), Value(Array{Value("1"), Value("2")})}})),
                 Answered("kong.request.get_raw_body", {}, Value(Bytes{"\xff"})),
                 Answered("kong.client.get_ip", {}, Value("10.0.0.9")),
                 Answered("kong.router.get_route", {}, Value(Map{{Value("id"), Value("r1")}})),
                 Answered("kong.service.response.get_status", {}, Value(503))},
                json{{"route_id", "r1"}, {"__key__", "k"}, {"message", "hi"}}),
      {});
  EXPECT_EQ(c.name, "#3 POST /v1/a b");
  EXPECT_EQ(c.request.method, "POST");
  EXPECT_EQ(c.request.url, "https://api.test:8443/v1/a%20b?x=1");
  EXPECT_EQ(c.request.headers, (HeaderList{{"x-id", "1"}, {"x-id", "2"}}));
  EXPECT_EQ(c.request.body, "\xff");
  EXPECT_EQ(c.client.ip, "10.0.0.9");
  EXPECT_EQ(c.scope, "route");
  EXPECT_EQ(c.route, json({{"id", "r1"}}));
  ASSERT_TRUE(c.upstream.has_value());
  EXPECT_EQ(c.upstream->status, 503);
  EXPECT_EQ(c.expect.phases, std::vector<std::string>{"access"});
  ASSERT_TRUE(c.transcript.has_value());
  EXPECT_EQ(c.transcript->size(), 11u);
  EXPECT_EQ(fixture_config(json{{"route_id", "r1"}, {"__key__", "k"}, {"message", "hi"}}),
            json({{"message", "hi"}}));
}

TEST(RecordedCase, HidesARedactedHeadersValueInAnswersArgumentsAndTheRequest) {
  const Case c = recorded_case(
      Lifecycle({Answered("kong.request.get_header", {Value("Authorization")}, Value("Bearer s")),
                 Answered("kong.request.get_headers", {},
                          Value(Map{{Value("authorization"), Value("Bearer s")}})),
                 Answered("kong.service.request.set_header",
                          {Value("authorization"), Value("Bearer s2")}, Value())}),
      {{"authorization"}});
  const std::string text = json(c.transcript->at(0).answer.value()).dump() +
                           c.transcript->at(1).answer->dump() + c.transcript->at(2).args.dump();
  EXPECT_THAT(text, ::testing::Not(HasSubstr("Bearer")));
  EXPECT_EQ(c.transcript->at(0).answer, json(kRedacted));
  EXPECT_EQ(c.request.headers, (HeaderList{{"Authorization", kRedacted}}));
  // A strict replay takes any value where an argument was hidden.
  EXPECT_TRUE(transcript_matches(c.transcript->at(2).args, json::array({"authorization", "x"})));
  EXPECT_FALSE(transcript_matches(c.transcript->at(2).args, json::array({"other", "x"})));
}

TEST(RecordingFile, IsAWholeFixtureAfterEachUpdateAndContinuesAnEarlierRecording) {
  test::ScratchDir dir;
  const std::string path = dir.file("rec.json");
  auto lifecycle = [](std::size_t n) {
    RecordedLifecycle l = Lifecycle({Answered("kong.request.get_path", {}, Value("/p"))},
                                    json{{"message", "hi"}, {"__seq__", 1}});
    l.number = n;
    return l;
  };
  {
    auto file = RecordingFile::open(path, {}, "about it");
    ASSERT_TRUE(file.ok()) << file.error().message;
    RecordedLifecycle open = lifecycle(2);
    (*file)->update({lifecycle(1)}, {&open});
    auto now = load_fixture(path);
    ASSERT_TRUE(now.ok()) << now.error().message;
    EXPECT_EQ(now->cases.size(), 2u);
    EXPECT_EQ(now->config, json({{"message", "hi"}}));
    EXPECT_EQ(now->description, "about it");
    (*file)->update({}, {});  // the open one ended with nothing new
    EXPECT_EQ(load_fixture(path)->cases.size(), 1u);
  }
  auto file = RecordingFile::open(path, {}, "another");
  ASSERT_TRUE(file.ok()) << file.error().message;
  EXPECT_EQ((*file)->cases_before(), 1u);
  (*file)->update({lifecycle(2)}, {});
  auto both = load_fixture(path);
  ASSERT_TRUE(both.ok()) << both.error().message;
  ASSERT_EQ(both->cases.size(), 2u);
  EXPECT_EQ(both->cases[0].name, "#1 GET /p");
  EXPECT_EQ(both->cases[1].name, "#2 GET /p");
  EXPECT_EQ(both->description, "about it");

  // An instance configured otherwise: the case carries its configuration.
  {
    auto again = RecordingFile::open(path, {}, "");
    ASSERT_TRUE(again.ok());
    RecordedLifecycle other = lifecycle(3);
    other.config = json{{"message", "bye"}, {"__seq__", 2}};
    (*again)->update({other}, {});
    auto three = load_fixture(path);
    ASSERT_TRUE(three.ok()) << three.error().message;
    EXPECT_FALSE(three->cases[1].config.has_value());
    EXPECT_EQ(three->cases[2].config, json({{"message", "bye"}}));
  }

  test::WriteFile(dir.file("garbage.json"), "{\"cases\": [");
  EXPECT_THAT(RecordingFile::open(dir.file("garbage.json"), {}, "").error().message,
              HasSubstr("garbage.json: not a recording to continue"));
}

// MsgPack:1 as it travels: Kong's calls, the server's answers.
std::string Call(std::int64_t msgid, rpc::Command command, Value param) {
  std::string out;
  rpc::encode(rpc::request(msgid, command, Array{std::move(param)}), out);
  return out;
}

std::string Answer(std::int64_t msgid, Value result) {
  std::string out;
  rpc::encode(rpc::Response{Value(msgid), Value(), std::move(result)}, out);
  return out;
}

Value EventData(std::int64_t event, Value data) {
  return Value(Map{{Value("EventId"), Value(event)}, {Value("Data"), std::move(data)}});
}

TEST(WireTap, FollowsAMsgpackEventWhoseStepsComeOnAnotherPooledConnection) {
  Kept kept;
  Recording r({Phase::access}, kept);
  auto a = make_wire_tap(Protocol::msgpack, r);
  auto b = make_wire_tap(Protocol::msgpack, r);
  std::string pid;
  rpc::encode(rpc::Notification{std::string(rpc::kServerPidLabel), Value(42)}, pid);
  a->from_server(pid);
  a->from_kong(
      Call(1, rpc::Command::start_instance,
           Value(Map{{Value("Name"), Value("p")}, {Value("Config"), Value("{\"m\":1}")}})));
  a->from_server(Answer(1, Value(Map{{Value("Id"), Value(5)}})));
  a->from_kong(
      Call(2, rpc::Command::handle_event,
           Value(Map{{Value("InstanceId"), Value(5)}, {Value("EventName"), Value("access")}})));
  const Value call = Value(
      Map{{Value("Method"), Value("kong.request.get_path")}, {Value("Args"), Value(Array{})}});
  // The answer split across two reads.
  const std::string answer = Answer(2, EventData(9, call));
  a->from_server(answer.substr(0, 5));
  a->from_server(answer.substr(5));
  // The Step on another connection, and its answer in the same read as the
  // serverPid that connection starts with.
  b->from_kong(Call(1, rpc::Command::step, EventData(9, Value("/p"))));
  b->from_server(pid + Answer(1, EventData(9, Value("ret"))));
  r.sync();
  ASSERT_EQ(kept.finished.size(), 1u);
  const RecordedLifecycle& l = kept.finished[0];
  EXPECT_EQ(l.config, json({{"m", 1}}));
  ASSERT_EQ(l.calls.size(), 1u);
  EXPECT_EQ(l.calls[0].method, "kong.request.get_path");
  EXPECT_EQ(l.calls[0].answer, Value("/p"));
  EXPECT_TRUE(a->broken().empty());
}

TEST(WireTap, BytesThatAreNotTheProtocolStopOnlyTheTapNamingTheByte) {
  Kept kept;
  Recording r({Phase::access}, kept);
  auto tap = make_wire_tap(Protocol::msgpack, r);
  tap->from_kong(std::string("\xc1", 1));
  EXPECT_THAT(tap->broken(), HasSubstr("byte 0"));
  tap->from_kong(Call(1, rpc::Command::handle_event, Value()));  // ignored from here on
}

}  // namespace
}  // namespace kong::mock
