// A line-by-line port of lua-multipart 0.5.9's decode (src/multipart.lua):
// the body is split at each CR or LF, a line starting with "--<boundary>"
// ends a part, a Content-Disposition line names it.
#include "emulation/multipart.h"

#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kong/mock/url.h"

#include "emulation/emulation.h"
#include "emulation/lua_table.h"

namespace kong::mock {
namespace {

using protocol::Array;
using protocol::Map;
using protocol::Value;

// match(value, "%S:%s*%S"): somewhere a non-space, a colon, optional
// spaces, then a non-space.
bool is_header(std::string_view v) {
  for (std::size_t colon = v.find(':'); colon != std::string_view::npos;
       colon = v.find(':', colon + 1)) {
    if (colon == 0 || lua_isspace(v[colon - 1]))
      continue;
    std::size_t after = colon + 1;
    while (after < v.size() && lua_isspace(v[after]))
      ++after;
    if (after < v.size())
      return true;
  }
  return false;
}

// MultipartData.new: match(content_type, ";%s*boundary=(%S+)"), one pair of
// quotes removed; nullopt when absent or empty.
std::optional<std::string> boundary_of(std::string_view content_type) {
  for (std::size_t semi = content_type.find(';'); semi != std::string_view::npos;
       semi = content_type.find(';', semi + 1)) {
    std::size_t at = semi + 1;
    while (at < content_type.size() && lua_isspace(content_type[at]))
      ++at;
    if (content_type.substr(at, 9) != "boundary=")
      continue;
    at += 9;
    std::size_t end = at;
    while (end < content_type.size() && !lua_isspace(content_type[end]))
      ++end;
    if (end == at)
      continue;  // %S+ needs one character: the match goes on to a later ';'
    std::string boundary(content_type.substr(at, end - at));
    if (boundary.size() >= 2 && (boundary.front() == '"' || boundary.front() == '\'') &&
        boundary.back() == boundary.front())
      boundary = boundary.substr(1, boundary.size() - 2);
    if (boundary.empty())
      return std::nullopt;
    return boundary;
  }
  return std::nullopt;
}

// The part name a Content-Disposition line gives: for each ';' piece that is
// not itself header-like, `^%s*name=` (any case), then the text up to an '='
// with trailing spaces removed, less its first and last characters.
std::optional<std::string> part_name_of(std::string_view line, std::optional<std::string> name) {
  std::size_t start = 0;
  while (start < line.size()) {
    std::size_t end = line.find(';', start);
    if (end == std::string_view::npos)
      end = line.size();
    const std::string_view piece = line.substr(start, end - start);
    start = end + 1;
    if (piece.empty() || is_header(piece))
      continue;
    std::size_t at = 0;
    while (at < piece.size() && lua_isspace(piece[at]))
      ++at;
    if (lower(piece.substr(at, 5)) != "name=")
      continue;
    at += 5;
    while (at < piece.size() && lua_isspace(piece[at]))
      ++at;
    std::string value(piece.substr(at, piece.find('=', at) - at));
    while (!value.empty() && lua_isspace(value.back()))
      value.pop_back();
    // sub(v, 2, #v - 1)
    name = value.size() >= 2 ? value.substr(1, value.size() - 2) : std::string();
  }
  return name;
}

struct Part {
  std::string name;
  std::string value;
};

}  // namespace

Value decode_multipart(std::string_view body, std::string_view content_type) {
  const auto boundary = boundary_of(content_type);
  std::vector<Part> parts;
  // indexes: name -> positions in `parts`, in Lua's table order (first seen).
  std::vector<std::pair<std::string, std::vector<std::size_t>>> indexes;
  auto index_of = [&](const std::string& name) -> std::vector<std::size_t>& {
    for (auto& [n, list] : indexes) {
      if (n == name)
        return list;
    }
    return indexes.emplace_back(name, std::vector<std::size_t>()).second;
  };

  if (boundary) {
    std::optional<std::string> part_name;
    std::vector<std::optional<std::string>> value;  // lines and line ends; nullopt: removed
    bool in_value = false;
    std::size_t position = 0;
    for (bool done = false; !done;) {
      const std::size_t s = body.find_first_of("\r\n", position);
      std::string_view line;
      if (s != std::string_view::npos) {
        line = body.substr(position, s - position);
        position = s + 1;
      } else {
        line = body.substr(position);
        done = true;
      }
      const bool found = s != std::string_view::npos;
      auto headers_end_here = [&] {
        if (found && body.substr(s, 4) == "\r\n\r\n") {
          in_value = true;
          position = s + 4;
        }
      };
      if (line.empty()) {
        if (found && in_value)
          value.emplace_back(std::string(1, body[s]));
      } else if (line.starts_with("--") && line.substr(2, boundary->size()) == *boundary) {
        in_value = false;
        if (part_name) {
          // The line end before the boundary is not part of the value.
          const std::size_t n = value.size();
          if (n >= 1 && value[n - 1] == "\n")
            value[n - 1].reset();
          if (n >= 2 && value[n - 2] == "\r")
            value[n - 2].reset();
          std::string text;
          for (const auto& piece : value)
            text += piece.value_or("");
          index_of(*part_name).push_back(parts.size());
          parts.push_back({*part_name, std::move(text)});
          value.clear();
          part_name.reset();
        }
      } else if (!in_value && lower(line.substr(0, 19)) == "content-disposition") {
        part_name = part_name_of(line, std::move(part_name));
        headers_end_here();
      } else if (!in_value && is_header(line)) {
        headers_end_here();
      } else {
        in_value = true;
        value.emplace_back(std::string(line));
        if (found)
          value.emplace_back(std::string(1, body[s]));
      }
    }
    if (part_name) {
      // No closing boundary: the part is kept, and its name's list of parts
      // is replaced by it alone.
      std::string text;
      for (const auto& piece : value)
        text += piece.value_or("");
      index_of(*part_name) = {parts.size()};
      parts.push_back({*part_name, std::move(text)});
    }
  }

  // get_all_with_arrays: a name with one part is its value, several an array.
  Map table;
  for (const auto& [name, list] : indexes) {
    if (list.size() == 1) {
      table.emplace_back(Value(name), Value(parts[list[0]].value));
      continue;
    }
    Array values;
    for (const std::size_t i : list)
      values.push_back(Value(parts[i].value));
    table.emplace_back(Value(name), Value(std::move(values)));
  }
  if (table.empty())
    return Value(Array{});  // Kong's MessagePack packs an empty table as an array
  return Value(std::move(table));
}

}  // namespace kong::mock
