// kong.response: values and Kong's error texts, per function.
#include <gtest/gtest.h>

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

TEST(EmulationResponse, ErrorSendsKongsJsonBodyWithTheDefaultMessageOfTheStatus) {
  KongState s = StateFor("http://a/");
  s.request_id = "abc123";
  Call(s, MethodId::response_error, {Value(404)});
  EXPECT_TRUE(s.exited);
  EXPECT_EQ(s.response.status, 404);
  EXPECT_EQ(s.response.body, "{\n  \"message\":\"Not found\",\n  \"request_id\":\"abc123\"\n}");
  EXPECT_EQ(s.response.headers.first("content-type"), "application/json; charset=utf-8");
  EXPECT_EQ(s.response.headers.first("content-length"), std::to_string(s.response.body.size()));
  // Kong marks it KONG_EXITED, like exit: get_source answers "exit".
  EXPECT_EQ(s.response.source, "exit");
}

TEST(EmulationResponse, ErrorUsesTheMessageAndFallsBackToTheUpstreamTextForUnnamedStatuses) {
  KongState s = StateFor("http://a/");
  s.request_id = "r";
  Call(s, MethodId::response_error, {Value(403), Value("Go away")});
  EXPECT_EQ(s.response.body, "{\n  \"message\":\"Go away\",\n  \"request_id\":\"r\"\n}");
  KongState t = StateFor("http://a/");
  t.request_id = "r";
  Call(t, MethodId::response_error, {Value(499)});
  EXPECT_EQ(
      t.response.body,
      "{\n  \"message\":\"The upstream server responded with 499\",\n  \"request_id\":\"r\"\n}");
}

TEST(EmulationResponse, ErrorChoosesTheFormatFromTheAcceptHeader) {
  KongState s = StateFor("http://a/", {{"Accept", "application/json;q=0.5, text/plain;q=0.9"}});
  s.request_id = "r";
  Call(s, MethodId::response_error, {Value(401)});
  EXPECT_EQ(s.response.body, "Unauthorized\nrequest_id: r\n");
  EXPECT_EQ(s.response.headers.first("content-type"), "text/plain; charset=utf-8");

  KongState h = StateFor("http://a/", {{"Accept", "text/html"}});
  Call(h, MethodId::response_error, {Value(500)});
  EXPECT_NE(h.response.body.find("<p>An unexpected error occurred.</p>"), std::string::npos);
  EXPECT_EQ(h.response.headers.first("content-type"), "text/html; charset=utf-8");
}

TEST(EmulationResponse, ErrorTakesAContentTypeGivenInItsHeaders) {
  KongState s = StateFor("http://a/", {{"Accept", "text/html"}});
  s.request_id = "r";
  Call(s, MethodId::response_error,
       {Value(400), Value("bad"), Value(Map{{Value("Content-Type"), Value("application/xml")}})});
  EXPECT_EQ(s.response.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>bad</message>\n  "
            "<requestid>r</requestid>\n</error>\n");
  EXPECT_EQ(s.response.headers.first("content-type"), "application/xml");
}

TEST(EmulationResponse, ErrorRaisesKongsTexts) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::response_error, {Value(302)}),
            "code must be a number between 400 and 599");
  EXPECT_EQ(RaisedBy(s, MethodId::response_error, {Value("500")}), "code must be a number");
  EXPECT_EQ(RaisedBy(s, MethodId::response_error, {Value(500), Value(true)}),
            "message must be a nil, a string or a table");
  EXPECT_EQ(RaisedBy(s, MethodId::response_error, {Value(500), Value(), Value(1)}),
            "headers must be a nil or table");
  EXPECT_EQ(RaisedBy(s, MethodId::response_error,
                     {Value(500), Value(), Value(Map{{Value("x"), Value(Array{Value(1)})}})}),
            "invalid header value in array \"x\": got number, expected string");
  EXPECT_FALSE(s.exited);
}

TEST(EmulationResponse, ExitEncodesATableBodyAsCjsonDoes) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_exit,
       {Value(200),
        Value(Map{{Value("url"), Value("http://x/y")}, {Value("list"), Value(Array{})}})});
  EXPECT_EQ(s.response.body, R"({"url":"http:\/\/x\/y","list":{}})");
}

TEST(EmulationResponse, SetHeaderIgnoresTransferEncodingWithKongsWarning) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::response_set_header, {Value("Transfer-Encoding"), Value("chunked")});
  EXPECT_FALSE(s.response.headers.contains("transfer-encoding"));
  ASSERT_EQ(s.log.size(), 1u);
  EXPECT_EQ(s.log[0].level, "warn");
  EXPECT_EQ(s.log[0].message, "manually setting Transfer-Encoding. Ignored.");
}

TEST(EmulationResponse, SetHeadersReplacesTheNamedHeadersAndRaisesForANonTable) {
  KongState s = StateFor("http://a/");
  s.response.headers.add("X-A", "old");
  s.response.headers.add("X-B", "kept");
  Call(s, MethodId::response_set_headers,
       {Value(Map{{Value("x-a"), Value(Array{Value("1"), Value("2")})}})});
  EXPECT_EQ(s.response.headers.all("x-a"), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(s.response.headers.first("x-b"), "kept");
  EXPECT_EQ(RaisedBy(s, MethodId::response_set_headers, {Value("x")}), "headers must be a table");
}

TEST(EmulationResponse, GetSourceFollowsHowTheResponseCameAbout) {
  KongState s = StateFor("http://a/");
  s.response.source = "service";
  EXPECT_EQ(Call(s, MethodId::response_get_source), Value("service"));
  Call(s, MethodId::response_exit, {Value(204)});
  EXPECT_EQ(Call(s, MethodId::response_get_source), Value("exit"));
}

TEST(EmulationResponse, LogPhaseGettersReadTheSavedResponse) {
  KongState s = StateFor("http://a/");
  s.response.status = 418;
  s.response.headers.add("X-A", "1");
  s.phase = Phase::log;
  EXPECT_EQ(Call(s, MethodId::response_get_status), Value(418));
  EXPECT_EQ(Call(s, MethodId::response_get_header, {Value("x_a")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::response_get_header, {Value(1)}), Value());
  // ngx.resp.get_headers lists nginx's Connection header too.
  EXPECT_EQ(Call(s, MethodId::response_get_headers, {Value(0)}),
            Value(Map{{Value("connection"), Value("keep-alive")}, {Value("x-a"), Value("1")}}));
}

}  // namespace
}  // namespace kong::mock
