// kong.vault, kong.cluster, kong.plugin and kong.telemetry.
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

KongState WithSecrets() {
  return CaseState([](Case& c) {
    own_copy(c.kong).vault = {
        {"env", {{"MY_SECRET", "s1"}, {"SSL_CERT", "pem"}, {"MY_SECRET_PREVIOUS", "s0"}}},
        {"store", {{"db", R"({"user":"u","port":5432})"}, {"token", "t"}}}};
  });
}

TEST(Vault, IsReferenceChecksTheShapeOnly) {
  KongState s = CaseState();
  EXPECT_EQ(Call(s, MethodId::vault_is_reference, {Value("{vault://env/x}")}), Value(true));
  EXPECT_EQ(Call(s, MethodId::vault_is_reference, {Value("{vault://}")}), Value(true));
  EXPECT_EQ(Call(s, MethodId::vault_is_reference, {Value("vault://env/x")}), Value(false));
  EXPECT_EQ(Call(s, MethodId::vault_is_reference, {Value(1)}), Value(false));
}

TEST(Vault, ParseReferenceSplitsNameResourceKeyConfigAndVersion) {
  KongState s = CaseState();
  EXPECT_EQ(
      Call(s, MethodId::vault_parse_reference, {Value("{vault://env/cert/key?prefix=SSL_#1}")}),
      MapOf({{"name", Value("env")},
             {"resource", Value("cert")},
             {"key", Value("key")},
             {"config", MapOf({{"prefix", Value("SSL_")}})},
             {"version", Value(1)}}));
  EXPECT_EQ(Call(s, MethodId::vault_parse_reference, {Value("{vault://aws/a/b/c}")}),
            MapOf({{"name", Value("aws")}, {"resource", Value("a/b")}, {"key", Value("c")}}));
}

TEST(Vault, ParseReferenceGivesKongsErrorsAsNil) {
  const std::pair<const char*, const char*> cases[] = {
      {"env/x", "not a reference [env/x]"},
      {"{vault:///x}", "reference url is missing host [{vault:///x}]"},
      {"{vault://env}", "reference url is missing path [{vault://env}]"},
      {"{vault://env/}", "reference url has empty path [{vault://env/}]"},
      {"{vault://env/x#v2}", "reference url has invalid version [{vault://env/x#v2}]"},
  };
  for (const auto& [reference, error] : cases) {
    KongState s = CaseState();
    EXPECT_EQ(Call(s, MethodId::vault_parse_reference, {Value(reference)}), Value()) << reference;
    EXPECT_EQ(s.soft_error, error);
  }
}

TEST(Vault, GetReadsEnvVariablesAsTheEnvVaultNamesThem) {
  KongState s = WithSecrets();
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://env/my-secret}")}), Value("s1"));
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://env/cert?prefix=ssl_}")}), Value("pem"));
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://env/my-secret#2}")}), Value("s0"));
}

TEST(Vault, GetReadsAKeyOfAJsonSecret) {
  KongState s = WithSecrets();
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://store/db/user}")}), Value("u"));
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://store/db/port}")}), Value());
  EXPECT_EQ(s.soft_error,
            "could not get value from external vault (could not get subfield value: unexpected "
            "number value in JSON secret for subfield port)");
}

TEST(Vault, GetIsNilWithKongsErrorWhenTheSecretOrVaultIsMissing) {
  KongState s = WithSecrets();
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://env/absent}")}), Value());
  EXPECT_EQ(s.soft_error, "could not get value from external vault (no value found)");
  EXPECT_EQ(Call(s, MethodId::vault_get, {Value("{vault://nowhere/x}")}), Value());
  EXPECT_EQ(s.soft_error, "could not find vault (nowhere)");
}

TEST(Vault, UpdateReplacesTheFieldsNamedInRefs) {
  KongState s = WithSecrets();
  const Value options =
      MapOf({{"password", Value("old")},
             {"nested", MapOf({{"token", Value("")},
                               {"$refs", MapOf({{"token", Value("{vault://store/token}")}})}})},
             {"hosts", Value(Array{Value("h1"), Value("h2")})},
             {"$refs", MapOf({{"password", Value("{vault://env/my-secret}")},
                              {"hosts", Value(Array{Value(), Value("{vault://env/absent}")})}})}});
  const Value updated = Call(s, MethodId::vault_update, {options});
  EXPECT_EQ(*updated.find("password"), Value("s1"));
  EXPECT_EQ(*updated.find("nested")->find("token"), Value("t"));
  EXPECT_EQ(updated.find("hosts")->as_array()[1], Value(""));
  ASSERT_EQ(s.log.size(), 1u);
  EXPECT_EQ(s.log[0].message,
            "error updating secret reference {vault://env/absent}: could not find cached value");
  EXPECT_EQ(Call(s, MethodId::vault_update, {Value("x")}), Value("x"));
}

TEST(Vault, WarmupNeedsATableAndFlushAndInitWorkerDoNothing) {
  KongState s = CaseState();
  EXPECT_EQ(RaisedBy(s, MethodId::vault_warmup, {Value()}),
            "bad argument #1 to 'pairs' (table expected, got nil)");
  EXPECT_EQ(RaisedBy(s, MethodId::vault_warmup, {MapOf({{"a", Value("{vault://env/x}")}})}),
            "(no error)");
  EXPECT_EQ(Call(s, MethodId::vault_flush), Value());
  EXPECT_EQ(Call(s, MethodId::vault_init_worker), Value());
}

TEST(Cluster, GetIdIsTheFixturesOrNil) {
  KongState s = CaseState();
  EXPECT_EQ(Call(s, MethodId::cluster_get_id), Value("0f0e0d0c-0b0a-4090-8070-605040302010"));
  own_copy(s.kong).cluster_id.reset();
  EXPECT_EQ(Call(s, MethodId::cluster_get_id), Value());
}

TEST(Plugin, GetIdIsTheConfigurationsPluginId) {
  KongState s = CaseState();
  s.plugin_id = "p-1";
  EXPECT_EQ(Call(s, MethodId::plugin_get_id), Value("p-1"));
}

TEST(Telemetry, LogChecksItsArgumentsAndIsDisabledWithoutOpenTelemetry) {
  const std::pair<Array, const char*> cases[] = {
      {{Value(1)}, "plugin_name must be a string"},
      {{Value("p"), Value("conf")}, "plugin_config must be a table"},
      {{Value("p"), MapOf({}), Value()}, "message_type must be a string"},
      {{Value("p"), MapOf({}), Value("t"), Value(5)}, "message must be a string"},
      {{Value("p"), MapOf({}), Value("t"), Value("m"), Value("a")}, "attributes must be a table"},
      {{Value("p"), MapOf({}), Value("t")},
       "Telemetry logging is disabled: log entry will not be recorded. Ensure the OpenTelemetry "
       "plugin is correctly configured to report logs in order to use this feature."},
  };
  for (const auto& [args, error] : cases) {
    KongState s = CaseState();
    EXPECT_EQ(Call(s, MethodId::telemetry_log, args), Value());
    EXPECT_EQ(s.soft_error, error);
  }
}

}  // namespace
}  // namespace kong::mock
