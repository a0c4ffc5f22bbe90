#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kong/mock/fixture.h"
#include "kong/mock/lifecycle.h"
#include "kong/protocol/phase.h"
#include "kong/protocol/value.h"

namespace kong::mock {

/// A strict replay: each PDK call of the lifecycle is held against the next
/// call of the case's transcript, in order. The first that differs (another
/// phase, method or arguments, or a call past the end) is the divergence;
/// from there on no call matches.
class TranscriptPlayer {
 public:
  explicit TranscriptPlayer(const std::vector<TranscriptCall>& calls) : calls_(calls) {}

  /// The entry the plugin's call matches, to answer it from; nullptr once
  /// the replay has diverged, at this call or before.
  const TranscriptCall* next(Phase phase, std::string_view method, const protocol::Array& args);
  /// At the end of the lifecycle: a call the transcript lists that the
  /// plugin never made is a divergence too.
  void finish();

  const std::optional<TranscriptDivergence>& divergence() const { return divergence_; }

 private:
  const std::vector<TranscriptCall>& calls_;
  std::size_t made_ = 0;
  std::optional<TranscriptDivergence> divergence_;
};

/// `access kong.request.get_header("host")`: a call as the divergence shows it.
std::string describe_call(std::string_view phase, std::string_view method,
                          const nlohmann::json& args);

}  // namespace kong::mock
