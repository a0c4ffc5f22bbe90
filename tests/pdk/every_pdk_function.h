#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kong/pdk/pdk.h"

#include "pdk/fake_channel.h"

// One call of each PDK function through the typed API, with the exact name
// and arguments it must send and an answer of the type it wants.
namespace kong::test {

struct CallCase {
  const char* what;
  Phase phase;  // one Kong allows the call in, if any does
  std::function<void(Pdk&)> call;
  FakeChannel::Call expected;
  protocol::Value answer;  // Kong's answer, of the type the call wants
};

/// A consumer with this id and username.
inline entity::Consumer AConsumer(std::string id,
                                  std::optional<std::string> username = std::nullopt) {
  entity::Consumer c;
  c.id = std::move(id);
  c.username = std::move(username);
  return c;
}

/// A case per table entry, some entries with optional arguments given and left out.
std::vector<CallCase> EveryPdkFunction();

}  // namespace kong::test
