// kong.client and kong.client.tls: Kong's values and error texts.
#include <gtest/gtest.h>

#include "emulation_support.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::MethodId;
using protocol::Value;
using test::Call;
using test::CaseState;
using test::MapOf;
using test::RaisedBy;

KongState Behind(std::vector<std::string> trusted, HeaderList headers, bool recursive = false) {
  return CaseState([&](Case& c) {
    c.client.ip = "10.0.0.2";
    c.client.port = 51000;
    c.request.headers = std::move(headers);
    KongSettings& kong = own_copy(c.kong);
    kong.trusted_ips = std::move(trusted);
    kong.real_ip_recursive = recursive;
  });
}

TEST(Client, GetIpAndPortAreThePeersEvenWhenItForwards) {
  KongState s = Behind({"10.0.0.0/8"}, {{"X-Real-IP", "203.0.113.5"}});
  EXPECT_EQ(Call(s, MethodId::client_get_ip), Value("10.0.0.2"));
  EXPECT_EQ(Call(s, MethodId::client_get_port), Value(51000));
}

TEST(Client, ForwardedIpIsTheRealIpHeaderOfATrustedPeer) {
  KongState s = Behind({"10.0.0.0/8"}, {{"X-Real-IP", "203.0.113.5"}});
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_ip), Value("203.0.113.5"));
  // The header names no port: nginx's $remote_port is empty, tonumber gives nil.
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_port), Value());
}

TEST(Client, ForwardedPortIsTheOneTheHeaderNames) {
  KongState s = Behind({"10.0.0.0/8"}, {{"X-Real-IP", "[2001:db8::5]:4433"}});
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_ip), Value("2001:db8::5"));
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_port), Value(4433));
}

TEST(Client, ForwardedIpIgnoresHeadersOfAnUntrustedPeer) {
  KongState s = Behind({"192.168.0.0/16"}, {{"X-Real-IP", "203.0.113.5"}});
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_ip), Value("10.0.0.2"));
  EXPECT_EQ(Call(s, MethodId::client_get_forwarded_port), Value(51000));
}

TEST(Client, XForwardedForGivesTheLastEntryOrTheFirstUntrustedWhenRecursive) {
  const HeaderList xff = {{"X-Forwarded-For", "198.51.100.1, 203.0.113.5"},
                          {"X-Forwarded-For", "10.0.0.9"}};
  KongState plain = Behind({"10.0.0.0/8"}, xff);
  own_copy(plain.kong).real_ip_header = "X-Forwarded-For";
  EXPECT_EQ(Call(plain, MethodId::client_get_forwarded_ip), Value("10.0.0.9"));
  KongState recursive = Behind({"10.0.0.0/8"}, xff, true);
  own_copy(recursive.kong).real_ip_header = "X-Forwarded-For";
  EXPECT_EQ(Call(recursive, MethodId::client_get_forwarded_ip), Value("203.0.113.5"));
}

TEST(Client, ConnectionGettersRaiseApiDisabledInTheLogTimer) {
  KongState s = CaseState();
  s.phase = Phase::log;
  for (auto id : {MethodId::client_get_ip, MethodId::client_get_port,
                  MethodId::client_get_forwarded_ip, MethodId::client_get_forwarded_port}) {
    EXPECT_EQ(RaisedBy(s, id), "API disabled in the current context");
  }
}

TEST(Client, AuthenticateMakesConsumerAndCredentialVisibleAndNilClears) {
  KongState s = CaseState();
  const Value consumer = MapOf({{"id", Value("c1")}, {"username", Value("ann")}});
  const Value credential = MapOf({{"id", Value("k1")}});
  Call(s, MethodId::client_authenticate, {consumer, credential});
  EXPECT_EQ(Call(s, MethodId::client_get_consumer), consumer);
  EXPECT_EQ(Call(s, MethodId::client_get_credential), credential);
  Call(s, MethodId::client_authenticate, {Value(), credential});
  EXPECT_EQ(Call(s, MethodId::client_get_consumer), Value());
}

TEST(Client, AuthenticateRaisesKongsTextsForBadArguments) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::client_authenticate, {Value("x"), Value()}),
            "consumer must be a table or nil");
  EXPECT_EQ(RaisedBy(s, MethodId::client_authenticate, {Value(), Value(1)}),
            "credential must be a table or nil");
  EXPECT_EQ(RaisedBy(s, MethodId::client_authenticate, {}),
            "either credential or consumer must be provided");
}

TEST(Client, ACaseMayStartAuthenticated) {
  KongState s = CaseState([](Case& c) { c.consumer = {{"id", "c9"}}; });
  EXPECT_EQ(Call(s, MethodId::client_get_consumer), MapOf({{"id", Value("c9")}}));
  EXPECT_EQ(Call(s, MethodId::client_get_credential), Value());
}

constexpr const char* kAnnId = "4f6b1c2d-0a9e-4b8f-9c7d-1e2f3a4b5c6d";

KongState WithConsumers() {
  return CaseState([](Case& c) {
    own_copy(c.kong).consumers = {{{"id", kAnnId}, {"username", "ann"}}};
  });
}

TEST(Client, LoadConsumerFindsByIdAndByUsernameWhenAsked) {
  KongState s = WithConsumers();
  const Value ann = MapOf({{"id", Value(kAnnId)}, {"username", Value("ann")}});
  EXPECT_EQ(Call(s, MethodId::client_load_consumer, {Value(kAnnId)}), ann);
  EXPECT_EQ(Call(s, MethodId::client_load_consumer, {Value("ann"), Value(true)}), ann);
  EXPECT_EQ(
      Call(s, MethodId::client_load_consumer, {Value("00000000-0000-4000-8000-000000000000")}),
      Value());
}

TEST(Client, LoadConsumerRaisesKongsTexts) {
  KongState s = WithConsumers();
  EXPECT_EQ(RaisedBy(s, MethodId::client_load_consumer, {Value(5)}),
            "consumer_id must be a string");
  EXPECT_EQ(RaisedBy(s, MethodId::client_load_consumer, {Value("ann")}),
            "cannot load a consumer with an id that is not a uuid");
  EXPECT_EQ(RaisedBy(s, MethodId::client_load_consumer, {Value("ann"), Value(false)}),
            "cannot load a consumer with an id that is not a uuid");
}

KongState Routed(const char* url, nlohmann::json route, HeaderList headers = {}) {
  return CaseState([&](Case& c) {
    c.request.url = url;
    c.route = std::move(route);
    c.request.headers = std::move(headers);
    c.client.ip = "10.0.0.2";
    own_copy(c.kong).trusted_ips = {"10.0.0.0/8"};
  });
}

TEST(Client, GetProtocolIsNilWithoutARoute) {
  KongState s = Routed("http://a/", nullptr);
  EXPECT_EQ(Call(s, MethodId::client_get_protocol), Value());
  EXPECT_EQ(s.soft_error, "No active route found");
}

TEST(Client, GetProtocolIsTheRoutesOnlyProtocolElseTheScheme) {
  KongState grpc = Routed("http://a/", {{"protocols", {"grpcs"}}});
  EXPECT_EQ(Call(grpc, MethodId::client_get_protocol), Value("grpcs"));
  KongState https = Routed("https://a/", {{"name", "r"}});
  EXPECT_EQ(Call(https, MethodId::client_get_protocol), Value("https"));
  KongState http = Routed("http://a/", {{"name", "r"}}, {{"X-Forwarded-Proto", "https"}});
  EXPECT_EQ(Call(http, MethodId::client_get_protocol), Value("http"));
}

TEST(Client, GetProtocolTrustsXForwardedProtoOnlyWhenAllowedTerminated) {
  KongState s = Routed("http://a/", {{"name", "r"}}, {{"X-Forwarded-Proto", "HTTPS"}});
  EXPECT_EQ(Call(s, MethodId::client_get_protocol, {Value(true)}), Value("https"));
  KongState two = Routed("http://a/", {{"name", "r"}},
                         {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-Proto", "http"}});
  EXPECT_EQ(Call(two, MethodId::client_get_protocol, {Value(true)}), Value());
  EXPECT_EQ(two.soft_error, "Only one X-Forwarded-Proto header allowed");
}

TEST(ClientTls, SetClientVerifyRaisesKongsTexts) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::client_tls_set_client_verify, {Value(1)}), "assertion failed!");
  EXPECT_EQ(RaisedBy(s, MethodId::client_tls_set_client_verify, {Value("MAYBE")}),
            "unknown client verify value: MAYBE accepted values are: \"SUCCESS\", \"NONE\" or "
            "\"FAILED:<reason>\"");
  EXPECT_EQ(RaisedBy(s, MethodId::client_tls_set_client_verify, {Value("FAILED:bad CA")}),
            "(no error)");
  EXPECT_EQ(s.client_verify_override, "FAILED:bad CA");
}

TEST(ClientTls, CertificateChainNeedsAnHttpsClientThatPresentedOne) {
  KongState plain = CaseState([](Case& c) { c.client.tls.certificate_chain = "PEM"; });
  EXPECT_EQ(Call(plain, MethodId::client_tls_get_full_client_certificate_chain), Value());
  EXPECT_EQ(plain.soft_error, "connection is not TLS or TLS support for Nginx not enabled");
  KongState tls = CaseState([](Case& c) {
    c.request.url = "https://a/";
    c.client.tls.certificate_chain = "PEM";
  });
  EXPECT_EQ(Call(tls, MethodId::client_tls_get_full_client_certificate_chain), Value("PEM"));
  // resty.kong.tls checks the phase first, and log runs in a timer.
  tls.phase = Phase::log;
  EXPECT_EQ(RaisedBy(tls, MethodId::client_tls_get_full_client_certificate_chain),
            "API disabled in the current context");
}

TEST(ClientTls, RequestingAClientCertificateSucceedsWithoutCaCertificates) {
  KongState s = CaseState([](Case& c) { c.request.url = "https://a/"; });
  s.phase = Phase::certificate;
  EXPECT_EQ(Call(s, MethodId::client_tls_request_client_certificate), Value(true));
  // Nothing sent over RPC is the cdata Kong wants: the call fails, nil.
  EXPECT_EQ(Call(s, MethodId::client_tls_request_client_certificate, {Value("pem")}), Value());
  EXPECT_EQ(Call(s, MethodId::client_tls_disable_session_reuse), Value(true));
}

}  // namespace
}  // namespace kong::mock
