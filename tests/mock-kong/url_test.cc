#include "kong/mock/url.h"

#include <gtest/gtest.h>

namespace kong::mock {
namespace {

TEST(ParseUrl, SplitsSchemeHostPortPathAndQuery) {
  auto url = parse_url("HTTPS://Api.Example.com:8443/v1/x?a=1&b#frag");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->scheme, "https");
  EXPECT_EQ(url->host, "api.example.com");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->path, "/v1/x");
  EXPECT_EQ(url->raw_query, "a=1&b");
}

TEST(ParseUrl, UsesTheSchemesDefaultPortAndSlashForAnEmptyPath) {
  auto http = parse_url("http://a");
  auto https = parse_url("https://a?x");
  ASSERT_TRUE(http.ok() && https.ok());
  EXPECT_EQ(http->port, 80);
  EXPECT_EQ(http->path, "/");
  EXPECT_EQ(https->port, 443);
  EXPECT_EQ(https->path, "/");
  EXPECT_EQ(https->raw_query, "x");
}

TEST(ParseUrl, ReadsBracketedIpv6Hosts) {
  auto url = parse_url("http://[::1]:8000/p");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8000);
}

TEST(ParseUrl, RejectsWhatIsNotAnAbsoluteHttpUrlSayingWhy) {
  EXPECT_EQ(parse_url("/relative").error().message,
            "expected an absolute URL like http://host/path, got \"/relative\"");
  EXPECT_EQ(parse_url("ftp://a/").error().message, "expected scheme http or https, got \"ftp\"");
  EXPECT_EQ(parse_url("http://a:99999/").error().message,
            "expected a port between 1 and 65535, got \"99999\"");
  EXPECT_EQ(parse_url("http:///x").error().message, "URL \"http:///x\" has no host");
}

TEST(ParseQuery, DecodesPlusAndPercentKeepsOrderAndTellsFlagsFromEmptyValues) {
  const auto args = parse_query("a=1&&b=x+y%2Fz&flag&e=&=skipped&a=2");
  ASSERT_EQ(args.size(), 5u);
  EXPECT_EQ(args[0].name, "a");
  EXPECT_EQ(args[0].value, "1");
  EXPECT_EQ(args[1].value, "x y/z");
  EXPECT_EQ(args[2].name, "flag");
  EXPECT_FALSE(args[2].value.has_value());
  EXPECT_EQ(args[3].value, "");
  EXPECT_EQ(args[4].value, "2");
}

TEST(UrlDecode, LeavesMalformedEscapesAlone) {
  EXPECT_EQ(url_decode("100%ZZ%4", false), "100%ZZ%4");
}

}  // namespace
}  // namespace kong::mock
