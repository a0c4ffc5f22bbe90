// The fixture fields that feed Kong's configuration, database and ngx.ctx.
#include <gtest/gtest.h>

#include "kong/mock/fixture.h"

namespace kong::mock {
namespace {

TEST(FixtureSettings, DefaultsWhenOmitted) {
  auto f = parse_fixture(R"({"cases": [{"name": "a"}]})", "f.json");
  ASSERT_TRUE(f.ok()) << f.error().message;
  const KongSettings& k = *f->cases[0].kong;
  EXPECT_TRUE(k.trusted_ips.empty());
  EXPECT_EQ(k.real_ip_header, "X-Real-IP");
  EXPECT_EQ(k.node_hostname, "mock-kong");
  EXPECT_EQ(k.cluster_id, "0f0e0d0c-0b0a-4090-8070-605040302010");
  EXPECT_TRUE(f->cases[0].consumer.is_null());
  EXPECT_EQ(f->cases[0].client.tls.version, "TLSv1.3");
}

TEST(FixtureSettings, TopLevelSettingsReachEveryCase) {
  auto f = parse_fixture(R"({
    "trusted_ips": ["10.0.0.0/8", "::1", "unix:"],
    "real_ip_header": "X-Forwarded-For", "real_ip_recursive": true,
    "node": {"id": "n1", "hostname": "h1"}, "cluster_id": null,
    "consumers": [{"id": "4f6b1c2d-0a9e-4b8f-9c7d-1e2f3a4b5c6d", "username": "ann"}],
    "vault": {"env": {"A": "1"}},
    "cases": [{"name": "a", "consumer": {"id": "c"}, "credential": {"id": "k"},
               "nginx_vars": {"x": "1", "y": null},
               "client": {"tls": {"version": "TLSv1.2", "certificate_chain": "PEM"}}},
              {"name": "b"}]})",
                         "f.json");
  ASSERT_TRUE(f.ok()) << f.error().message;
  const KongSettings& k = *f->cases[1].kong;
  EXPECT_EQ(k.trusted_ips.size(), 3u);
  EXPECT_TRUE(k.real_ip_recursive);
  EXPECT_EQ(k.node_id, "n1");
  EXPECT_FALSE(k.cluster_id.has_value());
  EXPECT_EQ(k.consumers.at(0)["username"], "ann");
  EXPECT_EQ(k.vault.at("env").at("A"), "1");
  const Case& a = f->cases[0];
  EXPECT_EQ(a.consumer["id"], "c");
  EXPECT_EQ(a.credential["id"], "k");
  EXPECT_EQ(a.nginx_vars.at("x"), "1");
  EXPECT_FALSE(a.nginx_vars.at("y").has_value());
  EXPECT_EQ(a.client.tls.version, "TLSv1.2");
  EXPECT_EQ(a.client.tls.certificate_chain, "PEM");
}

TEST(FixtureSettings, NamesAnInvalidTrustedIp) {
  auto f = parse_fixture(
      R"({"trusted_ips": ["10.0.0.0/8", "10.0.0.300"], "cases": [{"name": "a"}]})", "f.json");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message,
            "f.json: trusted_ips[1]: expected an IPv4 or IPv6 address or CIDR block, got string "
            "\"10.0.0.300\"");
}

TEST(FixtureSettings, ConsumersNeedAnId) {
  auto f =
      parse_fixture(R"({"consumers": [{"username": "ann"}], "cases": [{"name": "a"}]})", "f.json");
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().message, "f.json: consumers[0]: missing required key \"id\"");
}

}  // namespace
}  // namespace kong::mock
