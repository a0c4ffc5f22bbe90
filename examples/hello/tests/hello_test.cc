// hello's unit tests: the plugin in this process, through Kong's lifecycle
// as mock-kong emulates it (kong::testing).
#include "../hello.h"

#include "kong/testing.h"

namespace {

using kong::testing::Case;
using kong::testing::HasHeader;
using kong::testing::HasNoErrors;
using kong::testing::Plugin;
using ::testing::Return;

TEST(Hello, GreetsTheHostOfTheRequest) {
  Plugin<hello::Config> plugin({{"message", "hi"}});
  auto result = plugin.run(Case("GET", "http://a.test/").header("Host", "a.test"));
  EXPECT_THAT(result, HasHeader("x-hello-from-cpp", "C++ says hi to a.test"));
  EXPECT_THAT(result, HasNoErrors());
}

TEST(Hello, GreetsWhateverHostKongReports) {
  Plugin<hello::Config> plugin(hello::Config{.message = "hello"});
  // Kong answers every other PDK call; this one is the test's.
  ::testing::NiceMock<kong::testing::MockPdk> kong;
  EXPECT_CALL(kong, request_get_header("host")).WillOnce(Return("b.test"));
  auto result = plugin.run(Case("GET", "http://a.test/"), kong);
  EXPECT_THAT(result, HasHeader("x-hello-from-cpp", "C++ says hello to b.test"));
}

TEST(Hello, PassesEveryCaseOfItsFixture) {
  const auto fixture = kong::testing::Fixture::load(FIXTURES_DIR "/hello.json");
  Plugin<hello::Config> plugin(fixture.config());
  for (const auto& name : fixture.case_names())
    EXPECT_THAT(plugin.run(fixture.case_named(name)), kong::testing::Passes()) << name;
}

}  // namespace
