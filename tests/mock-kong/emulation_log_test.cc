// kong.log: deprecation lines, set_serialize_value and serialize().
#include <gtest/gtest.h>

#include "emulation/serialize.h"
#include "emulation_support.h"
#include "runner/runloop.h"

namespace kong::mock {
namespace {

using protocol::MethodId;
using protocol::Value;
using test::Call;
using test::CaseState;
using test::MapOf;
using test::RaisedBy;

TEST(LogDeprecation, WritesAWarningWithTheVersionsOfATrailingTable) {
  KongState s = CaseState();
  Call(s, MethodId::log_deprecation,
       {Value("old "), Value(2), MapOf({{"after", Value("2.5.0")}, {"removal", Value("3.0")}})});
  Call(s, MethodId::log_deprecation, {Value("gone"), MapOf({{"removal", Value("4.0")}})});
  Call(s, MethodId::log_deprecation, {Value("plain")});
  ASSERT_EQ(s.log.size(), 3u);
  EXPECT_EQ(s.log[0].level, "warn");
  EXPECT_EQ(s.log[0].message, "old 2 (deprecated after 2.5.0, scheduled for removal in 3.0)");
  EXPECT_EQ(s.log[1].message, "gone (scheduled for removal in 4.0)");
  EXPECT_EQ(s.log[2].message, "plain");
}

TEST(LogDeprecation, RaisesLuasTextsForWhatTableConcatRefuses) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::log_deprecation, {Value("a"), Value(true)}),
            "invalid value (at index 2) in table for 'concat'");
  EXPECT_EQ(RaisedBy(s, MethodId::log_deprecation, {}),
            "bad argument #1 to 'select' (index out of range)");
}

TEST(LogSetSerializeValue, RaisesKongsTextsForBadArguments) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::log_set_serialize_value, {Value(1), Value("v")}),
            "key must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::log_set_serialize_value,
                     {Value("k"), Value("v"), MapOf({{"mode", Value("merge")}})}),
            "mode must be 'set', 'add' or 'replace'");
  EXPECT_EQ(RaisedBy(s, MethodId::log_set_serialize_value, {Value("k"), Value("v"), Value(3)}),
            "attempt to index local 'options' (a number value)");
  EXPECT_TRUE(s.serialize_edits.empty());
}

KongState Proxied() {
  KongState s = CaseState([](Case& c) {
    c.request.method = "POST";
    c.request.url = "https://api.example.com:8443/v1/items?a=1&a=2&debug";
    c.request.headers = {{"Authorization", "Bearer t"}, {"X-Id", "7"}};
    c.client.ip = "10.0.0.5";
    c.route = {{"name", "r1"}};
    c.service = {{"name", "s1"}, {"host", "10.1.1.1"}, {"port", 8080}};
    c.credential = {{"id", "k1"}, {"consumer_id", "c1"}};
  });
  access_before(s);
  access_after(s);
  s.upstream_response = FixtureUpstream{201, {{"Content-Type", "text/plain"}}, "ok"};
  s.response.status = 201;
  s.response.headers = Headers(HeaderList{{"Content-Type", "text/plain"}});
  s.response.body = "ok";
  s.phase = Phase::log;
  return s;
}

TEST(LogSerialize, DescribesTheRequestResponseAndRoutingOfTheCase) {
  const nlohmann::json r = serialized_log(Proxied());
  EXPECT_EQ(r["request"]["uri"], "/v1/items?a=1&a=2&debug");
  EXPECT_EQ(r["request"]["url"], "https://api.example.com:8443/v1/items?a=1&a=2&debug");
  EXPECT_EQ(r["request"]["method"], "POST");
  EXPECT_EQ(r["request"]["querystring"], (nlohmann::json{{"a", {"1", "2"}}, {"debug", true}}));
  EXPECT_EQ(r["request"]["headers"]["x-id"], "7");
  EXPECT_EQ(r["request"]["tls"]["version"], "TLSv1.3");
  EXPECT_EQ(r["request"]["tls"]["client_verify"], "NONE");
  EXPECT_EQ(r["response"]["status"], 201);
  EXPECT_EQ(r["response"]["headers"]["content-type"], "text/plain");
  EXPECT_EQ(r["upstream_uri"], "/v1/items?a=1&a=2&debug");
  EXPECT_EQ(r["upstream_status"], "201");
  EXPECT_EQ(r["route"]["name"], "r1");
  EXPECT_EQ(r["service"]["name"], "s1");
  EXPECT_EQ(r["tries"][0]["ip"], "10.1.1.1");
  EXPECT_EQ(r["authenticated_entity"], (nlohmann::json{{"id", "k1"}, {"consumer_id", "c1"}}));
  EXPECT_EQ(r["client_ip"], "10.0.0.5");
  EXPECT_EQ(r["started_at"], 1700000000000);
  EXPECT_EQ(r["source"], "upstream");
  EXPECT_EQ(r["workspace_name"], "default");
  EXPECT_FALSE(r.contains("consumer"));
}

TEST(LogSerialize, RedactsAuthorizationHeaders) {
  const nlohmann::json r = serialized_log(Proxied());
  EXPECT_EQ(r["request"]["headers"]["authorization"], "REDACTED");
  EXPECT_FALSE(r["request"]["headers"].contains("proxy-authorization"));
}

TEST(LogSerialize, AppliesEditsBeforeTheLogHandlerAndIgnoresThoseMadeInIt) {
  KongState s = Proxied();
  s.phase = Phase::access;
  Call(s, MethodId::log_set_serialize_value, {Value("my.new.value"), Value(4)});
  Call(s, MethodId::log_set_serialize_value,
       {Value("route.name"), Value("x"), MapOf({{"mode", Value("add")}})});
  Call(s, MethodId::log_set_serialize_value,
       {Value("nothing.here"), Value(1), MapOf({{"mode", Value("replace")}})});
  Call(s, MethodId::log_set_serialize_value, {Value("a\\.b"), Value(true)});
  Call(s, MethodId::log_set_serialize_value, {Value("client_ip"), Value()});
  s.phase = Phase::log;
  Call(s, MethodId::log_set_serialize_value, {Value("late"), Value(1)});
  const nlohmann::json r = serialized_log(s);
  EXPECT_EQ(r["my"]["new"]["value"], 4);
  EXPECT_EQ(r["route"]["name"], "r1");
  EXPECT_FALSE(r.contains("nothing"));
  EXPECT_EQ(r["a.b"], true);
  EXPECT_FALSE(r.contains("client_ip"));
  EXPECT_FALSE(r.contains("late"));
}

TEST(LogSerialize, RaisesKongsTextWhenAnEditCrossesANonTable) {
  KongState s = Proxied();
  s.serialize_edits.push_back({"request.method.x", Value(1), "set", false});
  EXPECT_EQ(RaisedBy(s, MethodId::log_serialize),
            "The key 'request.method.x' could not be used as a serialize value. Subkey 'method' "
            "is not a table. It's POST");
}

TEST(LogSerialize, AnswersJsonTextWithSlashesEscapedAsCjsonDoes) {
  KongState s = Proxied();
  const Value text = Call(s, MethodId::log_serialize);
  ASSERT_TRUE(text.is_string());
  EXPECT_NE(text.as_string().find(R"("uri":"\/v1\/items?a=1&a=2&debug")"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(text.as_string())["request"]["uri"], "/v1/items?a=1&a=2&debug");
}

TEST(LogSerialize, StreamRecordsDescribeTheSession) {
  KongState s = CaseState([](Case& c) { c.subsystem = "stream"; });
  const nlohmann::json r = serialized_log(s);
  EXPECT_TRUE(r.contains("session"));
  EXPECT_TRUE(r.contains("upstream"));
  EXPECT_FALSE(r.contains("request"));
}

}  // namespace
}  // namespace kong::mock
