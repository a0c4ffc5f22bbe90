#include "runner/transcript_player.h"

#include <fmt/format.h>

#include "fixture/transcript_value.h"

namespace kong::mock {

std::string describe_call(std::string_view phase, std::string_view method,
                          const nlohmann::json& args) {
  std::string list = args.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // The array's brackets become the call's parentheses.
  if (list.size() >= 2)
    list = list.substr(1, list.size() - 2);
  return fmt::format("{} {}({})", phase, method, list);
}

const TranscriptCall* TranscriptPlayer::next(Phase phase, std::string_view method,
                                             const protocol::Array& args) {
  const std::size_t index = made_++;
  if (divergence_)
    return nullptr;
  const std::string_view phase_name = to_string(phase);
  const nlohmann::json actual_args = transcript_json(protocol::Value(args));
  const std::string actual = describe_call(phase_name, method, actual_args);
  if (index >= calls_.size()) {
    divergence_ = TranscriptDivergence{
        index, fmt::format("no call: the transcript ends after {} call(s)", calls_.size()), actual};
    return nullptr;
  }
  const TranscriptCall& expected = calls_[index];
  if (expected.phase != phase_name || expected.method != method ||
      !transcript_matches(expected.args, actual_args)) {
    divergence_ = TranscriptDivergence{
        index, describe_call(expected.phase, expected.method, expected.args), actual};
    return nullptr;
  }
  return &expected;
}

void TranscriptPlayer::finish() {
  if (divergence_ || made_ >= calls_.size())
    return;
  const TranscriptCall& missing = calls_[made_];
  divergence_ = TranscriptDivergence{
      made_, describe_call(missing.phase, missing.method, missing.args),
      fmt::format("no call: the plugin made {} call(s) in the whole lifecycle", made_)};
}

}  // namespace kong::mock
