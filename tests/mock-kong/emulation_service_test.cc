// kong.service, kong.service.request, kong.service.response and kong.router:
// values, recorded state and Kong's error texts.
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

TEST(EmulationService, SettersRecordTheBalancerChoicesInTheState) {
  KongState s = StateFor("http://a/");
  s.routed = true;  // access: the router prepared the balancer
  Call(s, MethodId::service_set_target, {Value("10.0.0.9"), Value(8080)});
  Call(s, MethodId::service_set_retries, {Value(3)});
  Call(s, MethodId::service_set_timeouts, {Value(100), Value(200), Value(300.0)});
  EXPECT_EQ(Call(s, MethodId::service_set_tls_verify, {Value(false)}), Value(true));
  EXPECT_EQ(Call(s, MethodId::service_set_tls_verify_depth, {Value(2)}), Value(true));
  EXPECT_EQ(s.balancer.host, "10.0.0.9");
  EXPECT_EQ(s.balancer.port, 8080);
  EXPECT_EQ(s.upstream_vars.host, "10.0.0.9");
  EXPECT_EQ(s.balancer.retries, 3);
  EXPECT_EQ(s.balancer.read_timeout, 300);
  EXPECT_EQ(s.balancer.tls_verify, false);
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_tls_verify_depth, {Value(-1)}),
            "depth expects a non-negative integer but found -1");
  EXPECT_EQ(s.balancer.tls_verify_depth, 2);
}

TEST(EmulationService, SettersRaiseKongsTexts) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_target, {Value(1), Value(80)}),
            "host must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_target, {Value("h"), Value(80.5)}),
            "port must be an integer");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_target, {Value("h"), Value(70000)}),
            "port must be an integer between 0 and 65535: given 70000");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_retries, {Value(-1)}),
            "retries must be an integer between 0 and 32767: given -1");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_timeouts, {Value(1), Value(0), Value(1)}),
            "write_timeout must be an integer between 1 and 2147483646: given 0");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_timeouts, {Value("1"), Value(1), Value(1)}),
            "connect_timeout must be an integer");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_tls_verify, {Value(1)}),
            "argument must be a boolean");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_tls_verify_depth, {Value("1")}),
            "argument must be a number");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_target_retry_callback, {Value("f")}),
            "retry_callback must be a function");
  EXPECT_EQ(RaisedBy(s, MethodId::service_set_upstream, {Value()}), "host must be a string");
}

TEST(EmulationService, SetUpstreamSucceedsOnlyForAnUpstreamKongKnows) {
  KongState s = StateFor("http://a/");
  own_copy(s.kong).upstreams = {{"backend", {}, std::nullopt}};
  EXPECT_EQ(Call(s, MethodId::service_set_upstream, {Value("nope")}), Value());
  EXPECT_EQ(s.soft_error, "could not find an Upstream named 'nope'");
  EXPECT_FALSE(s.balancer.host);
  EXPECT_EQ(Call(s, MethodId::service_set_upstream, {Value("backend")}), Value(true));
  EXPECT_EQ(s.soft_error, "");
  EXPECT_EQ(s.balancer.host, "backend");
}

TEST(EmulationServiceRequest, SetBodyEncodesByMimeTypeAndSetsContentType) {
  KongState s = StateFor("http://a/");
  const Value args(
      Map{{Value("b"), Value("x y")}, {Value("a"), Value(Array{Value("1"), Value(true)})}});
  EXPECT_EQ(Call(s, MethodId::service_request_set_body,
                 {args, Value("application/x-www-form-urlencoded")}),
            Value(true));
  EXPECT_EQ(upstream_request(s).body, "a=1&a&b=x%20y");
  EXPECT_EQ(upstream_request(s).headers.first("content-type"), "application/x-www-form-urlencoded");
  EXPECT_EQ(upstream_request(s).headers.first("content-length"), "13");

  Call(s, MethodId::service_request_set_body,
       {Value(Map{{Value("k"), Value(1)}}), Value("application/json")});
  EXPECT_EQ(upstream_request(s).body, R"({"k":1})");

  Call(s, MethodId::service_request_set_body,
       {Value(Map{{Value("z"), Value(2)}, {Value("a"), Value("x")}}),
        Value("multipart/form-data; boundary=B")});
  EXPECT_EQ(upstream_request(s).body,
            "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n"
            "--B\r\nContent-Disposition: form-data; name=\"z\"\r\n\r\n2\r\n--B--\r\n");
  // string.buffer's put refuses a boolean after Kong's own check let it by.
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body,
                     {Value(Map{{Value("a"), Value(true)}}), Value("multipart/form-data")}),
            "bad argument #1 to 'put' (string/number/__tostring expected, got boolean)");
  EXPECT_EQ(upstream_request(s).headers.first("content-type"), "multipart/form-data; boundary=B");
}

TEST(EmulationServiceRequest, SetBodyFallsBackToTheRequestContentTypeOrAnswersNil) {
  KongState s = StateFor("http://a/", {{"Content-Type", "application/json"}});
  EXPECT_EQ(Call(s, MethodId::service_request_set_body, {Value(Map{{Value("a"), Value("/")}})}),
            Value(true));
  EXPECT_EQ(upstream_request(s).body, R"({"a":"\/"})");
  KongState bare = StateFor("http://a/");
  EXPECT_EQ(Call(bare, MethodId::service_request_set_body, {Value(Map{})}), Value());
}

TEST(EmulationServiceRequest, SetBodyRaisesKongsTexts) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body, {Value("x")}), "args must be a table");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body, {Value(Map{}), Value(1)}),
            "mime must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body, {Value(Map{}), Value("text/csv; x")}),
            "unsupported content type text/csv; x");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body,
                     {Value(Array{Value("a")}), Value("application/x-www-form-urlencoded")}),
            "arg keys must be strings");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_body,
                     {Value(Map{{Value("k"), Value(Map{{Value("x"), Value(1)}})}}),
                      Value("multipart/form-data")}),
            "invalid value \"k\": got table, expected string, number or boolean");
}

TEST(EmulationServiceRequest, SetQuerySortsKeysAndEscapesValues) {
  KongState s = StateFor("http://a/?old=1");
  Call(s, MethodId::service_request_set_query,
       {Value(Map{{Value("foo"), Value("hello world")},
                  {Value("bar"), Value(Array{Value("baz"), Value("bla"), Value(true)})},
                  {Value("zzz"), Value(true)},
                  {Value("blo"), Value("")}})});
  EXPECT_EQ(upstream_request(s).raw_query, "bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_query, {Value("a=1")}),
            "args must be a table");
}

TEST(EmulationServiceRequest, SetQueryKeepsTheEmptyPieceOfANameWithNothingToSend) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::service_request_set_query,
       {Value(Map{{Value("a"), Value(Array{})}, {Value("b"), Value("1")}})});
  EXPECT_EQ(upstream_request(s).raw_query, "&b=1");
}

TEST(EmulationServiceRequest, HeaderSettersTrackTheUpstreamHostAndAuthorityNeedsGrpc) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::service_request_set_header, {Value("Host"), Value("up.internal")});
  EXPECT_EQ(s.upstream_vars.host, "up.internal");
  Call(s, MethodId::service_request_add_header, {Value("X-A"), Value("1")});
  Call(s, MethodId::service_request_add_header, {Value("x-a"), Value(2)});
  EXPECT_EQ(upstream_request(s).headers.all("x-a"), (std::vector<std::string>{"1", "2"}));
  Call(s, MethodId::service_request_clear_header, {Value("X-A")});
  EXPECT_FALSE(upstream_request(s).headers.contains("x-a"));
  EXPECT_EQ(Call(s, MethodId::service_request_set_header, {Value(":authority"), Value("x")}),
            Value());
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_clear_header, {Value(1)}),
            "header must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_headers, {Value(1)}),
            "headers must be a table");
}

TEST(EmulationServiceRequest, OtherSettersChangeSchemePathBodyAndBuffering) {
  KongState s = StateFor("http://a/");
  Call(s, MethodId::service_request_set_scheme, {Value("https")});
  Call(s, MethodId::service_request_set_path, {Value("/a b/ü")});
  Call(s, MethodId::service_request_set_raw_body, {Value(Bytes{"raw"})});
  Call(s, MethodId::service_request_enable_buffering);
  EXPECT_EQ(Call(s, MethodId::service_request_disable_tls), Value(true));
  EXPECT_EQ(upstream_request(s).scheme, "https");
  EXPECT_EQ(upstream_request(s).path, "/a%20b/%C3%BC");
  EXPECT_EQ(upstream_request(s).body, "raw");
  EXPECT_EQ(upstream_request(s).headers.first("content-length"), "3");
  EXPECT_TRUE(s.buffered_proxying);
  EXPECT_TRUE(s.balancer.tls_disabled);
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_scheme, {Value("grpc")}),
            "invalid scheme: grpc");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_scheme, {Value()}),
            "scheme must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::service_request_set_raw_body, {Value(1)}),
            "body must be a string");
}

KongState Proxied(bool buffered) {
  KongState s = StateFor("http://a/");
  s.upstream_response =
      FixtureUpstream{201, {{"Content-Type", "application/json"}, {"X-Up", "1"}}, R"({"ok":true})"};
  s.response.headers = Headers(s.upstream_response->headers);
  s.buffered_proxying = buffered;
  s.phase = Phase::response;
  return s;
}

TEST(EmulationServiceResponse, BufferedModeReadsTheUpstreamAnswer) {
  KongState s = Proxied(true);
  EXPECT_EQ(Call(s, MethodId::service_response_get_status), Value(201));
  EXPECT_EQ(Call(s, MethodId::service_response_get_header, {Value("x_up")}), Value("1"));
  EXPECT_EQ(Call(s, MethodId::service_response_get_raw_body), Value(Bytes{R"({"ok":true})"}));
  EXPECT_EQ(Call(s, MethodId::service_response_get_body), Value(Map{{Value("ok"), Value(true)}}));
  // A lookup-only proxy: it travels as an empty map.
  EXPECT_EQ(Call(s, MethodId::service_response_get_headers), Value(Map{}));
  EXPECT_EQ(RaisedBy(s, MethodId::service_response_get_header, {Value(1)}),
            "name must be a string");
}

TEST(EmulationServiceResponse, WithoutBufferingTheBodyRaisesAndTheLogTimerCannotReadVariables) {
  KongState s = Proxied(false);
  const std::string only_buffered =
      "service body is only available with buffered proxying (see: "
      "kong.service.request.enable_buffering function)";
  EXPECT_EQ(RaisedBy(s, MethodId::service_response_get_raw_body), only_buffered);
  EXPECT_EQ(RaisedBy(s, MethodId::service_response_get_body), only_buffered);
  s.phase = Phase::log;
  EXPECT_EQ(RaisedBy(s, MethodId::service_response_get_status),
            "API disabled in the current context");
  EXPECT_EQ(RaisedBy(s, MethodId::service_response_get_headers),
            "API disabled in the current context");
  KongState buffered = Proxied(true);
  buffered.phase = Phase::log;
  EXPECT_EQ(Call(buffered, MethodId::service_response_get_status), Value(201));
}

TEST(EmulationRouter, GetRouteAndServiceCompleteTheFixtureEntitiesWithKongsDefaults) {
  KongState s = StateFor("http://a/");
  EXPECT_EQ(Call(s, MethodId::router_get_route), Value());
  EXPECT_EQ(Call(s, MethodId::router_get_service), Value());
  s.route = {{"name", "r1"}, {"paths", {"/v1"}}};
  s.service = {{"id", "svc-1"}, {"host", "up.local"}};
  const Value route = Call(s, MethodId::router_get_route);
  EXPECT_EQ(*route.find("name"), Value("r1"));
  EXPECT_EQ(*route.find("strip_path"), Value(true));
  EXPECT_EQ(*route.find("protocols"), Value(Array{Value("http"), Value("https")}));
  EXPECT_EQ(*route.find("service"), Value(Map{{Value("id"), Value("svc-1")}}));
  const Value service = Call(s, MethodId::router_get_service);
  EXPECT_EQ(*service.find("host"), Value("up.local"));
  EXPECT_EQ(*service.find("port"), Value(80));
  EXPECT_EQ(*service.find("retries"), Value(5));
}

}  // namespace
}  // namespace kong::mock
