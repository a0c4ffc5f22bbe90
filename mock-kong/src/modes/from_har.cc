// mock-kong --from-har: a HAR capture as a fixture (docs/fixtures.md).
#include "modes/from_har.h"

#include "fixture/fixture_writer.h"
#include "fixture/har_import.h"
#include "fixture/read_file.h"

namespace kong::mock {

int from_har(const FromHarOptions& options, std::FILE* out) {
  HarImportOptions import;
  import.expect_upstream = options.expect_upstream;
  if (!options.config.empty()) {
    import.config = nlohmann::json::parse(options.config, nullptr, false);
    if (import.config.is_discarded() || !import.config.is_object())
      return cannot_run("--config: expected a JSON object, got " + options.config);
  }
  auto text = read_file(options.har_file);
  if (!text)
    return cannot_run(text.error().message);
  auto har = import_har(*text, options.har_file, import);
  if (!har)
    return cannot_run(har.error().message);
  for (const auto& why : har->skipped)
    std::fprintf(stderr, "mock-kong: %s: left out: %s\n", options.har_file.c_str(), why.c_str());
  const std::string fixture =
      fixture_to_json(har->fixture).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fprintf(out, "%s\n", fixture.c_str());
  std::fprintf(stderr, "mock-kong: %zu case(s) from %s\n", har->fixture.cases.size(),
               options.har_file.c_str());
  return kAllPassed;
}

}  // namespace kong::mock
