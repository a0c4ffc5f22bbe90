#pragma once

#include <string>
#include <vector>

namespace kong::mock {

/// `s` as one word for /bin/sh: as it is when it holds only characters the
/// shell leaves alone, else in single quotes.
std::string shell_quote(const std::string& s);

/// `argv` as a /bin/sh command line, each word quoted as needed.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace kong::mock
