// The PDK emulation: Kong's behaviour and Kong's error texts, per function.
#include "emulation/emulation.h"

#include <string>

#include <gtest/gtest.h>

#include "kong/protocol/method_table.h"

#include "emulation_support.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::MethodId;
using protocol::Value;
using test::Call;
using test::RaisedBy;
using test::StateFor;

TEST(Emulation, HasAHandlerForEveryMethodOfTheTable) {
  for (const auto& m : protocol::kMethods) {
    EXPECT_NE(Emulation::get().find(m.id), nullptr) << m.name << " has no emulation";
  }
}

TEST(Emulation, RequestGettersReadTheUrlOfTheCase) {
  KongState s = StateFor("https://Example.COM:8443/v1/items?a=1&b=%20x");
  EXPECT_EQ(Call(s, MethodId::request_get_scheme), Value("https"));
  EXPECT_EQ(Call(s, MethodId::request_get_host), Value("example.com"));
  EXPECT_EQ(Call(s, MethodId::request_get_port), Value(8443));
  EXPECT_EQ(Call(s, MethodId::request_get_path), Value("/v1/items"));
  EXPECT_EQ(Call(s, MethodId::request_get_raw_query), Value("a=1&b=%20x"));
  EXPECT_EQ(Call(s, MethodId::request_get_method), Value("GET"));
}

TEST(Emulation, GetHeaderIgnoresCaseMatchesUnderscoreToDashAndReturnsTheFirstValue) {
  KongState s = StateFor("http://a/", {{"X-Request-Id", "1"}, {"x-request-id", "2"}});
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value("x_request_id")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value("X-REQUEST-ID")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value("absent")}), Value());
}

TEST(Emulation, GetHeaderRaisesKongsTextForANonStringName) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_header, {Value(3)}), "header name must be a string");
}

TEST(Emulation, GetHeadersIsKongsLuaTableWithLowerCaseNamesAStringOrAnArrayOfEveryValue) {
  KongState s = StateFor("http://a/", {{"Host", "a"}, {"X-Id", "1"}, {"x-id", "2"}});
  const Value expected(
      Map{{Value("host"), Value("a")}, {Value("x-id"), Value(Array{Value("1"), Value("2")})}});
  EXPECT_EQ(Call(s, MethodId::request_get_headers), expected);
}

TEST(Emulation, GetHeadersChecksMaxHeadersAsKongDoes) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_headers, {Value("x")}),
            "max_headers must be a number");
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_headers, {Value(0)}), "max_headers must be >= 1");
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_headers, {Value(1001)}),
            "max_headers must be <= 1000");
}

TEST(Emulation, GetQueryIsKongsLuaTableWithRepeatsAsArraysAndAFlagAsTrue) {
  KongState s = StateFor("http://a/?a=1&a=2&debug&e=&sp=x+y%21&m=1&m");
  const Value expected(Map{{Value("a"), Value(Array{Value("1"), Value("2")})},
                           {Value("debug"), Value(true)},
                           {Value("e"), Value("")},
                           {Value("sp"), Value("x y!")},
                           {Value("m"), Value(Array{Value("1"), Value(true)})}});
  EXPECT_EQ(Call(s, MethodId::request_get_query), expected);
}

TEST(Emulation, GetQueryArgAnswersTrueForAFlagAndTheFirstValueOtherwise) {
  KongState s = StateFor("http://a/?a=1&a=2&debug");
  EXPECT_EQ(Call(s, MethodId::request_get_query_arg, {Value("a")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::request_get_query_arg, {Value("debug")}), Value(true));
  EXPECT_EQ(Call(s, MethodId::request_get_query_arg, {Value("none")}), Value());
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_query_arg, {Value()}),
            "query argument name must be a string");
}

TEST(Emulation, GetRawBodyAnswersBytes) {
  KongState s = StateFor("http://a/");
  s.request.body = "{\"x\":1}";
  EXPECT_EQ(Call(s, MethodId::request_get_raw_body), Value(Bytes{"{\"x\":1}"}));
}

TEST(Emulation, ResponseSetHeaderReplacesAndAddHeaderAppends) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_set_header, {Value("X-A"), Value("1")});
  Call(s, MethodId::response_add_header, {Value("x-a"), Value("2")});
  EXPECT_EQ(s.response.headers.all("x-a"), (std::vector<std::string>{"1", "2"}));
  Call(s, MethodId::response_set_header, {Value("x-a"), Value(Array{Value("3"), Value("")})});
  EXPECT_EQ(s.response.headers.all("X-A"), (std::vector<std::string>{"3", " "}));
  Call(s, MethodId::response_set_header, {Value("x-n"), Value(42)});
  EXPECT_EQ(s.response.headers.first("x-n"), "42");
  Call(s, MethodId::response_clear_header, {Value("X-A")});
  EXPECT_FALSE(s.response.headers.contains("x-a"));
}

TEST(Emulation, ResponseHeaderWithAMapValueIsClearedAsKongChecksTablesWithIpairs) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_set_header, {Value("X-A"), Value("1")});
  Call(s, MethodId::response_set_header, {Value("X-A"), Value(Map{{Value("k"), Value("v")}})});
  EXPECT_FALSE(s.response.headers.contains("x-a"));
  Call(s, MethodId::response_add_header, {Value("X-B"), Value(Map{{Value("k"), Value("v")}})});
  EXPECT_FALSE(s.response.headers.contains("x-b"));
}

TEST(Emulation, ResponseHeaderNamesAreSentWithDashesForUnderscores) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_set_header, {Value("X_Foo"), Value("1")});
  EXPECT_EQ(s.response.headers.lines().back().first, "X-Foo");
  EXPECT_EQ(Call(s, MethodId::response_get_header, {Value("x_foo")}), Value("1"));
}

TEST(Emulation, ResponseSetHeaderRaisesKongsTextsForBadNamesAndValues) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_header, {Value(1), Value("v")}),
            "invalid header name \"1\": got number, expected string");
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_header, {Value("x"), Value()}),
            "invalid header value for \"x\": got nil, expected array of string, string, number "
            "or boolean");
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_header, {Value("x"), Value(Array{Value(1)})}),
            "invalid header value in array \"x\": got number, expected string");
}

TEST(Emulation, SetStatusAcceptsOnly100To599) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_set_status, {Value(418)});
  EXPECT_EQ(s.response.status, 418);
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_status, {Value(600)}),
            "code must be a number between 100 and 599");
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_status, {Value("200")}), "code must be a number");
}

TEST(Emulation, ExitWithATableBodySendsJsonWithContentTypeAndLength) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_exit,
       {Value(401), Value(Map{{Value("message"), Value("Unauthorized")}}),
        Value(Map{{Value("WWW-Authenticate"), Value("Key")}})});
  EXPECT_TRUE(s.exited);
  EXPECT_EQ(s.response.status, 401);
  EXPECT_EQ(s.response.body, R"({"message":"Unauthorized"})");
  EXPECT_EQ(s.response.headers.first("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(s.response.headers.first("content-length"), std::to_string(s.response.body.size()));
  EXPECT_EQ(s.response.headers.first("www-authenticate"), "Key");
  EXPECT_EQ(s.response.source, "exit");
}

TEST(Emulation, ExitWithABytesBodyKeepsItAsIsWithoutAContentType) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_exit, {Value(403), Value(Bytes{"no"})});
  EXPECT_EQ(s.response.body, "no");
  EXPECT_FALSE(s.response.headers.contains("content-type"));
  EXPECT_EQ(s.response.headers.first("content-length"), "2");
}

TEST(Emulation, ExitRaisesKongsTextsForABadBodyOrHeaders) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::response_exit, {Value(200), Value(true)}),
            "body must be a nil, string or table");
  EXPECT_EQ(RaisedBy(s, MethodId::response_exit, {Value(200), Value(), Value("h")}),
            "headers must be a nil or table");
  EXPECT_EQ(RaisedBy(s, MethodId::response_exit, {Value(99)}),
            "code must be a number between 100 and 599");
  EXPECT_FALSE(s.exited);
}

TEST(Emulation, ServiceRequestSettersChangeNginxsRequestWhichKongRequestReadsBack) {
  KongState s = StateFor("http://a/v1?x=1");
  Call(s, MethodId::service_request_set_path, {Value("/v2")});
  Call(s, MethodId::service_request_set_method, {Value("POST")});
  Call(s, MethodId::service_request_set_raw_query, {Value("y=2")});
  Call(s, MethodId::service_request_set_header, {Value("X-Up"), Value("1")});
  EXPECT_EQ(upstream_request(s).path, "/v2");
  EXPECT_EQ(upstream_request(s).method, "POST");
  EXPECT_EQ(upstream_request(s).raw_query, "y=2");
  EXPECT_EQ(upstream_request(s).headers.first("x-up"), "1");
  // One request: kong.request sees the changes, except the path ($upstream_uri).
  EXPECT_EQ(Call(s, MethodId::request_get_method, {}), Value("POST"));
  EXPECT_EQ(Call(s, MethodId::request_get_raw_query, {}), Value("y=2"));
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value("X-Up")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::request_get_path, {}), Value("/v1"));
  EXPECT_FALSE(s.received_headers.contains("x-up"));
}

TEST(Emulation, ServiceRequestSettersRaiseKongsTexts) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_path, {Value("v2")}),
            "path must start with /");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_path, {Value(2)}), "path must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_method, {Value("get")}),
            "invalid method: get");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_raw_query, {Value()}),
            "query must be a string");
}

TEST(Emulation, CtxSharedKeepsValuesAcrossCallsAndNilRemovesThem) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::ctx_shared_set, {Value("user"), Value(Map{{Value("id"), Value(7)}})});
  EXPECT_EQ(Call(s, MethodId::ctx_shared_get, {Value("user")}),
            Value(Map{{Value("id"), Value(7)}}));
  Call(s, MethodId::ctx_shared_set, {Value("user"), Value()});
  EXPECT_EQ(Call(s, MethodId::ctx_shared_get, {Value("user")}), Value());
}

TEST(Emulation, LogJoinsArgumentsAsLuasTostringWouldAtItsLevel) {
  KongState s = StateFor("http://a/");
  s.phase = Phase::access;
  Call(s, MethodId::log_warn,
       {Value("took "), Value(12), Value(" ms, ok="), Value(true), Value(0.5)});
  ASSERT_EQ(s.log.size(), 1u);
  EXPECT_EQ(s.log[0].level, "warn");
  EXPECT_EQ(s.log[0].message, "took 12 ms, ok=true0.5");
  EXPECT_EQ(s.log[0].phase, Phase::access);
}

TEST(Emulation, ClientGetIpIsTheCasesClientAddress) {
  Case c;
  c.client.ip = "10.0.0.5";
  auto s = initial_state(c);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Call(*s, MethodId::client_get_ip), Value("10.0.0.5"));
}

}  // namespace
}  // namespace kong::mock
