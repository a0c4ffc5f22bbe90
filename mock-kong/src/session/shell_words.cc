#include "session/shell_words.h"

namespace kong::mock {

std::string shell_quote(const std::string& s) {
  if (!s.empty() &&
      s.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@+") ==
          std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_join(const std::vector<std::string>& argv) {
  std::string cmd;
  for (const auto& a : argv)
    cmd += (cmd.empty() ? "" : " ") + shell_quote(a);
  return cmd;
}

}  // namespace kong::mock
