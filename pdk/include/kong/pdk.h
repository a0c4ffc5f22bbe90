#pragma once

/// Everything a plugin author needs: the PDK handed to phase handlers, the
/// config mapping, and kong::start_server for main().
#include "kong/pdk/config.h"
#include "kong/pdk/error.h"
#include "kong/pdk/pdk.h"
#include "kong/pdk/plugin.h"
