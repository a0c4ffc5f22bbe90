// kong.ip.is_trusted against the fixture's trusted_ips.
#include <gtest/gtest.h>

#include "emulation_support.h"
#include "state/cidr.h"

namespace kong::mock {
namespace {

using protocol::MethodId;
using protocol::Value;
using test::Call;
using test::CaseState;

Value Trusted(std::vector<std::string> trusted_ips, Value address) {
  KongState s = CaseState([&](Case& c) { own_copy(c.kong).trusted_ips = trusted_ips; });
  return Call(s, MethodId::ip_is_trusted, {std::move(address)});
}

TEST(IpIsTrusted, IsFalseWhenNothingIsTrusted) {
  EXPECT_EQ(Trusted({}, Value("127.0.0.1")), Value(false));
}

TEST(IpIsTrusted, TrustsEverythingWhenBothFamiliesAreTrusted) {
  EXPECT_EQ(Trusted({"0.0.0.0/0", "::/0"}, Value("203.0.113.9")), Value(true));
  EXPECT_EQ(Trusted({"0.0.0.0/0", "::/0"}, Value("not an address")), Value(true));
}

TEST(IpIsTrusted, MatchesIpv4Blocks) {
  const std::vector<std::string> trusted = {"10.0.0.0/8", "192.168.1.7"};
  EXPECT_EQ(Trusted(trusted, Value("10.200.3.4")), Value(true));
  EXPECT_EQ(Trusted(trusted, Value("11.0.0.1")), Value(false));
  EXPECT_EQ(Trusted(trusted, Value("192.168.1.7")), Value(true));
  EXPECT_EQ(Trusted(trusted, Value("192.168.1.8")), Value(false));
}

TEST(IpIsTrusted, MatchesIpv6BlocksAndNeverAcrossFamilies) {
  const std::vector<std::string> trusted = {"2001:db8::/32", "10.0.0.0/8"};
  EXPECT_EQ(Trusted(trusted, Value("2001:db8:ffff::1")), Value(true));
  EXPECT_EQ(Trusted(trusted, Value("2001:db9::1")), Value(false));
  EXPECT_EQ(Trusted(trusted, Value("::ffff:10.0.0.1")), Value(false));
}

TEST(IpIsTrusted, IsFalseForAnUnparsableAddress) {
  EXPECT_EQ(Trusted({"0.0.0.0/0"}, Value("10.0.0.256")), Value(false));
  EXPECT_EQ(Trusted({"0.0.0.0/0"}, Value(3)), Value(false));
}

TEST(IpIsTrusted, OnlyAllIpv4TrustsNoIpv6) {
  EXPECT_EQ(Trusted({"0.0.0.0/0"}, Value("1.2.3.4")), Value(true));
  EXPECT_EQ(Trusted({"0.0.0.0/0"}, Value("::1")), Value(false));
}

TEST(Cidr, RejectsPrefixesLongerThanTheAddress) {
  EXPECT_TRUE(parse_cidr("10.0.0.0/32"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/33"));
  EXPECT_TRUE(parse_cidr("::/128"));
  EXPECT_FALSE(parse_cidr("::/129"));
  EXPECT_FALSE(parse_cidr("10.0.0.0/"));
  EXPECT_FALSE(parse_cidr("example.com"));
}

}  // namespace
}  // namespace kong::mock
