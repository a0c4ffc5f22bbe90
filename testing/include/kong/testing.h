#pragma once

// kong::testing: unit tests for Kong plugins with GoogleTest and GoogleMock
// (docs/testing.md).
//   - Plugin<Config>: a C++ plugin run in process through Kong's lifecycle;
//   - Case and Fixture: what to run, built in C++ or read from a fixture;
//   - matchers on the result (HasStatus, HasHeader, HasLogLine, Passes, ...);
//   - MockPdk: GoogleMock for the PDK calls, Kong's emulation by default;
//   - replay(): a fixture over the socket, for a plugin in any language.
#include "kong/testing/case.h"
#include "kong/testing/fixture.h"
#include "kong/testing/matchers.h"
#include "kong/testing/mock_pdk.h"
#include "kong/testing/plugin.h"
#include "kong/testing/replay.h"
