// kong.request: values and Kong's error texts, per function.
#include <gtest/gtest.h>

#include "emulation_support.h"
#include "runner/runloop.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::MethodId;
using protocol::Value;
using test::Call;
using test::RaisedBy;
using test::StateFor;

TEST(EmulationRequest, GetPathNormalizesWhileGetRawPathKeepsTheUrlAsSent) {
  KongState s = StateFor("http://a/t/Abc%20123%2f/parent/..//test/./?movie=foo");
  EXPECT_EQ(Call(s, MethodId::request_get_raw_path), Value("/t/Abc%20123%2f/parent/..//test/./"));
  EXPECT_EQ(Call(s, MethodId::request_get_path), Value("/t/Abc 123%2F/test/"));
  EXPECT_EQ(Call(s, MethodId::request_get_path_with_query),
            Value("/t/Abc%20123%2f/parent/..//test/./?movie=foo"));
}

TEST(EmulationRequest, GetHttpVersionIsANumberAndWholeVersionsTravelAsIntegers) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(Call(s, MethodId::request_get_http_version), Value(1.1));
  s.http_version = "2";
  EXPECT_EQ(Call(s, MethodId::request_get_http_version), Value(2));
  s.http_version = "1.0";
  EXPECT_EQ(Call(s, MethodId::request_get_http_version), Value(1));
}

TEST(EmulationRequest, ForwardedGettersIgnoreXForwardedHeadersFromAnUntrustedClient) {
  KongState s = StateFor("http://api.local:8000/v1", {{"X-Forwarded-Proto", "HTTPS"},
                                                      {"X-Forwarded-Host", "Public.example:443"},
                                                      {"X-Forwarded-Path", "/raw"},
                                                      {"X-Forwarded-Prefix", "/pre"}});
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_scheme), Value("http"));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_host), Value("api.local"));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_port), Value(8000));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_path), Value("/v1"));
  // $upstream_x_forwarded_prefix: declared "" until the router runs.
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_prefix), Value(""));
}

TEST(EmulationRequest, ForwardedGettersHonourXForwardedHeadersFromATrustedClient) {
  KongState s = StateFor("http://api.local:8000/v1", {{"X-Forwarded-Proto", "HTTPS"},
                                                      {"X-Forwarded-Host", "u@Public.example:8443"},
                                                      {"X-Forwarded-Path", "/raw"},
                                                      {"X-Forwarded-Prefix", "/pre"}});
  own_copy(s.kong).trusted_ips = {"127.0.0.0/8"};
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_scheme), Value("https"));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_host), Value("public.example"));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_port), Value(8443));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_path), Value("/raw"));
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_prefix), Value("/pre"));
}

TEST(EmulationRequest, ForwardedPortPrefersAValidXForwardedPort) {
  KongState s =
      StateFor("http://a/", {{"X-Forwarded-Port", "70000"}, {"X-Forwarded-Host", "h:9000"}});
  own_copy(s.kong).trusted_ips = {"127.0.0.1"};
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_port), Value(9000));
  s.request.headers.set("X-Forwarded-Port", {"444"});
  EXPECT_EQ(Call(s, MethodId::request_get_forwarded_port), Value(444));
}

TEST(EmulationRequest, ForwardedPrefixIsThePathTheRouterStrippedOnceRouted) {
  Case c;
  c.request.url = "http://a/api/v1/items";
  c.route = {{"paths", {"/api", "/api/v1"}}};
  auto s = initial_state(c);
  ASSERT_TRUE(s.ok());
  // rewrite: nginx_kong.lua declares the variable empty
  EXPECT_EQ(Call(*s, MethodId::request_get_forwarded_prefix), Value(""));
  access_before(*s);
  EXPECT_EQ(Call(*s, MethodId::request_get_forwarded_prefix), Value("/api/v1"));
  c.route["strip_path"] = false;
  auto kept = initial_state(c);
  access_before(*kept);
  EXPECT_EQ(Call(*kept, MethodId::request_get_forwarded_prefix), Value());
}

TEST(EmulationRequest, GetUriCapturesSendsUnnamedAsAMapFromIndexZeroAndEmptyTablesAsArrays) {
  KongState s = StateFor("http://a/users/7");
  EXPECT_EQ(Call(s, MethodId::request_get_uri_captures),
            Value(Map{{Value("unnamed"), Value(Array{})}, {Value("named"), Value(Array{})}}));
  s.uri_captures = {{"unnamed", {"/users/7", "7"}}, {"named", {{"id", "7"}}}};
  EXPECT_EQ(Call(s, MethodId::request_get_uri_captures),
            Value(Map{{Value("unnamed"),
                       Value(Map{{Value(0), Value("/users/7")}, {Value(1), Value("7")}})},
                      {Value("named"), Value(Map{{Value("id"), Value("7")}})}}));
}

TEST(EmulationRequest, GetStartTimeIsTheRequestStartInMilliseconds) {
  KongState s = StateFor("http://a/");
  s.started_at_ms = 1712345678901;
  EXPECT_EQ(Call(s, MethodId::request_get_start_time), Value(1712345678901));
}

TEST(EmulationRequest, GetBodyParsesJsonByContentType) {
  KongState s = StateFor("http://a/", {{"Content-Type", "application/json; charset=utf-8"}});
  s.request.body = R"({"name":"x","n":2,"f":1.5,"list":[1,"a"],"empty":{}})";
  EXPECT_EQ(Call(s, MethodId::request_get_body),
            Value(Map{{Value("empty"), Value(Array{})},
                      {Value("f"), Value(1.5)},
                      {Value("list"), Value(Array{Value(1), Value("a")})},
                      {Value("n"), Value(2)},
                      {Value("name"), Value("x")}}));
}

TEST(EmulationRequest, GetBodyParsesAFormWithRepeatsAndFlags) {
  KongState s = StateFor("http://a/", {{"Content-Type", "application/x-www-form-urlencoded"}});
  s.request.body = "a=1&a=2&flag&sp=x+y%21";
  EXPECT_EQ(Call(s, MethodId::request_get_body),
            Value(Map{{Value("a"), Value(Array{Value("1"), Value("2")})},
                      {Value("flag"), Value(true)},
                      {Value("sp"), Value("x y!")}}));
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value(), Value(1)}),
            Value(Map{{Value("a"), Value("1")}}));
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_body, {Value(), Value(0)}), "max_args must be >= 1");
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_body, {Value(), Value("1")}),
            "max_args must be a number");
}

TEST(EmulationRequest, GetHostIsNginxsHostVariable) {
  KongState v6 = StateFor("http://a/", {{"Host", "[::1]:8080"}});
  EXPECT_EQ(Call(v6, MethodId::request_get_host), Value("[::1]"));
  KongState overridden = StateFor("http://a/", {{"Host", "a.example"}});
  overridden.nginx_vars["host"] = "b.example";
  EXPECT_EQ(Call(overridden, MethodId::request_get_host), Value("b.example"));
}

TEST(EmulationRequest, GetBodyParsesMultipartFields) {
  KongState s = StateFor("http://a/", {{"Content-Type", "multipart/form-data; boundary=XyZ"}});
  s.request.body =
      "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\none\r\n"
      "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.txt\"\r\n"
      "Content-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ--\r\n";
  EXPECT_EQ(Call(s, MethodId::request_get_body),
            Value(Map{{Value("a"), Value("one")}, {Value("f"), Value("line1\r\nline2")}}));
}

TEST(EmulationRequest, GetBodyAnswersNilForKongsSoftErrors) {
  KongState s = StateFor("http://a/");
  s.request.body = "{}";
  EXPECT_EQ(Call(s, MethodId::request_get_body), Value());  // missing content type
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("text/plain")}), Value());
  s.request.body = "\"just a string\"";
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("application/json")}), Value());
}

TEST(EmulationRequest, MultipartBodiesReadAsLuaMultipartReadsThem) {
  KongState s = StateFor("http://a/");
  s.request.body =
      "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
      "--B\r\nContent-Disposition: form-data; name=field1\r\n\r\n2\r\n--B--\r\n";
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("multipart/form-data; boundary=B")}),
            Value(Map{{Value("a"), Value("1")}, {Value("ield"), Value("2")}}));
  // No boundary, or one the ";" after it spoils: an empty table.
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("multipart/form-data")}), Value(Array{}));
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("multipart/form-data; boundary=B; x=y")}),
            Value(Array{}));
}

TEST(EmulationRequest, GetBodyLetsTheMimetypeArgumentWinOverContentType) {
  KongState s = StateFor("http://a/", {{"Content-Type", "text/plain"}});
  s.request.body = "k=v";
  EXPECT_EQ(Call(s, MethodId::request_get_body, {Value("application/x-www-form-urlencoded")}),
            Value(Map{{Value("k"), Value("v")}}));
}

TEST(EmulationRequest, LiveRequestGettersAreDisabledInTheLogTimer) {
  KongState s = StateFor("http://a/x?q=1");
  s.phase = Phase::log;
  for (auto id :
       {MethodId::request_get_scheme, MethodId::request_get_host, MethodId::request_get_port,
        MethodId::request_get_method, MethodId::request_get_path, MethodId::request_get_raw_query,
        MethodId::request_get_query, MethodId::request_get_forwarded_host,
        MethodId::request_get_http_version}) {
    EXPECT_EQ(RaisedBy(s, id), "API disabled in the current context") << protocol::info(id).name;
  }
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_query_arg, {Value("q")}),
            "API disabled in the current context");
}

TEST(EmulationRequest, LogPhaseHeaderGettersReadTheSavedHeadersWithoutArgumentChecks) {
  KongState s = StateFor("http://a/", {{"X-Id", "1"}, {"x-id", "2"}});
  s.phase = Phase::log;
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value("x_id")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::request_get_header, {Value(3)}), Value());
  const Value all = Call(s, MethodId::request_get_headers, {Value("ignored")});
  EXPECT_EQ(*all.find("x-id"), Value(Array{Value("1"), Value("2")}));
  s.phase = Phase::access;
  EXPECT_EQ(RaisedBy(s, MethodId::request_get_headers, {Value("ignored")}),
            "max_headers must be a number");
}

}  // namespace
}  // namespace kong::mock
