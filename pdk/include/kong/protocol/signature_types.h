#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

/// The PDK's C++ types as the method table names them in its signatures
/// (methods.def). Declared, not defined: the table only needs their names, so
/// kong::protocol stands without the PDK's headers (kong/pdk/types.h and
/// kong/pdk/entities.h define them).
namespace kong {

/// Headers and query arguments: every name with all its values, in order.
/// Kong lower-cases header names in these maps; query names keep their case.
/// A query flag without a value (`?debug`) has no values.
using MultiMap = std::map<std::string, std::vector<std::string>, std::less<>>;

class HeaderValue;
class Body;
struct UriCaptures;
struct NoReturn;

namespace entity {
struct Consumer;
struct Credential;
struct Route;
struct Service;
struct MemoryStats;
}  // namespace entity

}  // namespace kong
