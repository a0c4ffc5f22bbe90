// kong.nginx and kong.node: variables, ngx.ctx and the node's figures.
#include <gtest/gtest.h>

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

Value Var(KongState& s, const char* name) {
  return Call(s, MethodId::nginx_get_var, {Value(name)});
}

KongState Request() {
  return CaseState([](Case& c) {
    c.request.method = "PUT";
    c.request.url = "https://Example.com:8443/a%20b?x=1&Y=two%21&flag";
    c.request.headers = {
        {"Host", "Example.com:8443"}, {"X-Tag", "a"}, {"x-tag", "b"}, {"Cookie", "s=1; t=2"}};
    c.client.ip = "10.0.0.5";
    c.client.port = 40123;
  });
}

TEST(NginxGetVar, ComputesRequestVariablesFromTheCase) {
  KongState s = Request();
  EXPECT_EQ(Var(s, "request_method"), Value("PUT"));
  EXPECT_EQ(Var(s, "scheme"), Value("https"));
  EXPECT_EQ(Var(s, "host"), Value("example.com"));
  EXPECT_EQ(Var(s, "server_port"), Value("8443"));
  EXPECT_EQ(Var(s, "request_uri"), Value("/a%20b?x=1&Y=two%21&flag"));
  EXPECT_EQ(Var(s, "uri"), Value("/a b"));
  EXPECT_EQ(Var(s, "args"), Value("x=1&Y=two%21&flag"));
  EXPECT_EQ(Var(s, "is_args"), Value("?"));
  EXPECT_EQ(Var(s, "remote_addr"), Value("10.0.0.5"));
  EXPECT_EQ(Var(s, "remote_port"), Value("40123"));
  EXPECT_EQ(Var(s, "server_protocol"), Value("HTTP/1.1"));
  EXPECT_EQ(Var(s, "https"), Value("on"));
  EXPECT_EQ(Var(s, "ssl_protocol"), Value("TLSv1.3"));
  EXPECT_EQ(Var(s, "no_such_variable"), Value());
}

TEST(NginxGetVar, ReadsHeadersArgumentsAndCookiesAsNginxDoes) {
  KongState s = Request();
  EXPECT_EQ(Var(s, "http_x_tag"), Value("a, b"));
  EXPECT_EQ(Var(s, "arg_y"), Value("two%21"));
  EXPECT_EQ(Var(s, "arg_flag"), Value());  // nginx's $arg_ needs "name="
  EXPECT_EQ(Var(s, "arg_none"), Value());
  EXPECT_EQ(Var(s, "cookie_t"), Value("2"));
}

TEST(NginxGetVar, UpstreamVariablesAreEmptyUntilTheRouterAndAccessAfterFillThem) {
  KongState s = Request();
  EXPECT_EQ(Var(s, "upstream_uri"), Value(""));
  EXPECT_EQ(Var(s, "upstream_status"), Value());
  access_before(s);
  EXPECT_EQ(Var(s, "upstream_uri"), Value("/a%20b"));
  Call(s, MethodId::service_request_set_path, {Value("/b")});
  access_after(s);
  s.upstream_response = FixtureUpstream{502, {}, ""};
  s.phase = Phase::response;
  EXPECT_EQ(Var(s, "upstream_uri"), Value("/b?x=1&Y=two%21&flag"));
  EXPECT_EQ(Var(s, "upstream_status"), Value("502"));
}

TEST(NginxGetVar, CaseOverridesSetAndUnsetVariables) {
  KongState s = CaseState([](Case& c) {
    c.nginx_vars = {{"ssl_client_s_dn", "CN=me"}, {"scheme", std::nullopt}};
  });
  EXPECT_EQ(Var(s, "ssl_client_s_dn"), Value("CN=me"));
  EXPECT_EQ(Var(s, "scheme"), Value());
}

TEST(NginxGetVar, RaisesApiDisabledInTheLogTimer) {
  KongState s = Request();
  s.phase = Phase::log;
  EXPECT_EQ(RaisedBy(s, MethodId::nginx_get_var, {Value("host")}),
            "API disabled in the current context");
  EXPECT_EQ(RaisedBy(s, MethodId::nginx_get_tls1_version_str), "no request found");
  EXPECT_EQ(RaisedBy(s, MethodId::nginx_req_start_time), "(no error)");
}

TEST(NginxCtx, SetCtxIsReadBackAndAuthenticatedConsumerIsKongs) {
  KongState s = CaseState();
  Call(s, MethodId::nginx_set_ctx, {Value("mine"), Value(42)});
  EXPECT_EQ(Call(s, MethodId::nginx_get_ctx, {Value("mine")}), Value(42));
  Call(s, MethodId::nginx_set_ctx, {Value("mine"), Value()});
  EXPECT_EQ(Call(s, MethodId::nginx_get_ctx, {Value("mine")}), Value());
  Call(s, MethodId::nginx_set_ctx, {Value("authenticated_consumer"), MapOf({{"id", Value("c")}})});
  EXPECT_EQ(Call(s, MethodId::client_get_consumer), MapOf({{"id", Value("c")}}));
  EXPECT_EQ(Call(s, MethodId::nginx_get_ctx, {Value("KONG_PHASE")}), Value(0x20));
}

TEST(Nginx, SubsystemTlsVersionAndStartTimeComeFromTheCase) {
  KongState plain = CaseState([](Case& c) { c.subsystem = "stream"; });
  EXPECT_EQ(Call(plain, MethodId::nginx_get_subsystem), Value("stream"));
  EXPECT_EQ(Call(plain, MethodId::nginx_get_tls1_version_str), Value());
  KongState tls = CaseState([](Case& c) {
    c.request.url = "https://a/";
    c.client.tls.version = "TLSv1.2";
  });
  EXPECT_EQ(Call(tls, MethodId::nginx_get_tls1_version_str), Value("TLSv1.2"));
  EXPECT_EQ(Call(tls, MethodId::nginx_req_start_time), Value(1700000000.0));
}

TEST(Nginx, StatisticsHaveStubStatusFields) {
  KongState s = CaseState();
  const Value stats = Call(s, MethodId::nginx_get_statistics);
  for (const char* k :
       {"connections_active", "connections_reading", "connections_writing", "connections_waiting",
        "connections_accepted", "connections_handled", "total_requests"}) {
    EXPECT_NE(stats.find(k), nullptr) << k;
  }
}

TEST(Node, IdAndHostnameComeFromTheFixture) {
  KongState s = CaseState([](Case& c) {
    KongSettings& kong = own_copy(c.kong);
    kong.node_id = "n-1";
    kong.node_hostname = "edge-7";
  });
  EXPECT_EQ(Call(s, MethodId::node_get_id), Value("n-1"));
  EXPECT_EQ(Call(s, MethodId::node_get_hostname), Value("edge-7"));
}

TEST(Node, MemoryStatsAreBytesByDefaultAndStringsInOtherUnits) {
  KongState s = CaseState();
  const Value bytes = Call(s, MethodId::node_get_memory_stats);
  const Value* kong = bytes.find("lua_shared_dicts")->find("kong");
  ASSERT_NE(kong, nullptr);
  EXPECT_EQ(*kong->find("capacity"), Value(5 * 1024 * 1024));
  ASSERT_NE(bytes.find("lua_shared_dicts")->find("kong_db_cache"), nullptr);
  EXPECT_EQ(*bytes.find("workers_lua_vms")->as_array()[0].find("pid"), Value(18004));
  const Value mib = Call(s, MethodId::node_get_memory_stats, {Value("M"), Value(1)});
  EXPECT_EQ(*mib.find("lua_shared_dicts")->find("kong")->find("capacity"), Value("5.0 MiB"));
}

TEST(Node, MemoryStatsRaiseKongsTextsForBadUnitOrScale) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::node_get_memory_stats, {Value("t")}),
            "invalid unit 't' (expected 'k/K', 'm/M', or 'g/G')");
  EXPECT_EQ(RaisedBy(s, MethodId::node_get_memory_stats, {Value("k"), Value(-1)}),
            "scale must be equal or greater than 0");
  // With bytes the scale is never looked at.
  EXPECT_EQ(RaisedBy(s, MethodId::node_get_memory_stats, {Value("b"), Value(-1)}), "(no error)");
}

}  // namespace
}  // namespace kong::mock
