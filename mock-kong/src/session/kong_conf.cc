// kong.conf as Kong's configuration loader reads it: Penlight's config
// reader (not "smart", keys "variabilized"), Kong's comment stripping, the
// environment over the file, and the plugin servers' defaults. Penlight
// also reads a value that looks like a number as one (0x10 as 16), which is
// not reproduced: none of the settings read here is a number.
#include "kong/mock/kong_conf.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "kong/mock/url.h"

extern char** environ;

namespace kong::mock {
namespace {

namespace fs = std::filesystem;

// Lua's %s, which Penlight strips: space, \t, \n, \v, \f, \r.
bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

// A value's trailing comment: from the first `#` not escaped by a
// backslash, with the spaces before it; then `\#` stands for `#`.
std::string strip_comment(std::string_view value) {
  std::size_t hash = 0;
  while ((hash = value.find('#', hash)) != std::string_view::npos) {
    if (hash == 0 || value[hash - 1] != '\\')
      break;
    ++hash;
  }
  if (hash != std::string_view::npos) {
    value = value.substr(0, hash);
    while (!value.empty() && is_space(value.back()))
      value.remove_suffix(1);
  }
  std::string out;
  out.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size() && value[i + 1] == '#')
      continue;
    out += value[i];
  }
  return out;
}

// Keys as Penlight "variabilizes" them: any character but a letter or a
// digit becomes `_` (so `pluginserver_my-plugin_socket` is read as
// `pluginserver_my_plugin_socket`). Not lowercased.
std::string variabilize(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0)
      c = '_';
  }
  return out;
}

std::string uppercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

// The file's keys and values, comments stripped, the last of a key kept.
using FileConf = std::map<std::string, std::string>;

Result<FileConf> read_lines(std::string_view text, std::string_view source) {
  FileConf conf;
  std::string logical;  // a line and its continuations
  std::size_t logical_line = 0;
  std::size_t number = 0;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r')
      line.remove_suffix(1);
    const std::string_view content = trim(line);
    // Blank and comment lines are skipped, inside a continuation too.
    if (content.empty() || content.front() == '#' || content.front() == ';')
      continue;
    if (logical.empty())
      logical_line = number;
    // A backslash ending a line (spaces after it allowed) joins the next
    // to it, as it stands.
    const std::string_view kept = line.substr(0, line.find_last_not_of(" \t\f\v") + 1);
    if (!kept.empty() && kept.back() == '\\') {
      logical += kept.substr(0, kept.size() - 1);
      continue;
    }
    logical += line;
    std::string_view entry = logical;
    if (entry.front() == '[') {
      return Error{
          fmt::format("{}:{}: a section ({}): Kong's configuration has none, and "
                      "would lose the keys after it",
                      source, logical_line, trim(entry))};
    }
    entry = trim(entry);
    // A line without `=` is no setting; Kong passes over it.
    if (const auto equals = entry.find('='); equals != std::string_view::npos) {
      const std::string key = variabilize(trim(entry.substr(0, equals)));
      conf[key] = strip_comment(trim(entry.substr(equals + 1)));
    }
    logical.clear();
  }
  return conf;
}

// A setting as Kong resolves it: KONG_<KEY> in the environment, else the
// file; none when unset or empty.
class Settings {
 public:
  Settings(FileConf file, const std::map<std::string, std::string>& environment)
      : file_(std::move(file)), environment_(environment) {}

  std::optional<std::string> get(const std::string& key) const {
    std::string value;
    if (auto env = environment_.find("KONG_" + uppercase(key)); env != environment_.end())
      value = trim(env->second);
    else if (auto it = file_.find(key); it != file_.end())
      value = it->second;
    if (value.empty())
      return std::nullopt;
    return value;
  }

  // Comma-separated, each element trimmed, empty ones dropped.
  std::vector<std::string> list(const std::string& key, std::vector<std::string> fallback) const {
    auto value = get(key);
    if (!value)
      return fallback;
    std::vector<std::string> out;
    std::string_view rest = *value;
    while (true) {
      const auto comma = rest.find(',');
      const std::string_view item = trim(rest.substr(0, comma));
      if (!item.empty())
        out.emplace_back(item);
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
    return out;
  }

 private:
  FileConf file_;
  const std::map<std::string, std::string>& environment_;
};

// Kong's prefix made absolute and normal, one trailing slash dropped.
std::string absolute_prefix(const std::string& prefix, const std::string& current_directory) {
  fs::path path(prefix);
  if (path.is_relative())
    path = fs::path(current_directory) / path;
  std::string normal = path.lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/')
    normal.pop_back();
  return normal;
}

}  // namespace

KongConfContext KongConfContext::of_this_process() {
  KongConfContext context;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view pair(*entry);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos)
      context.environment.emplace(pair.substr(0, equals), pair.substr(equals + 1));
  }
  std::error_code ec;
  context.current_directory = fs::current_path(ec).string();
  return context;
}

Result<KongConf> parse_kong_conf(std::string_view text, std::string_view source,
                                 const KongConfContext& context) {
  auto file = read_lines(text, source);
  if (!file)
    return file.error();
  const Settings settings(std::move(file).value(), context.environment);

  KongConf conf;
  conf.prefix = absolute_prefix(settings.get("prefix").value_or("/usr/local/kong/"),
                                context.current_directory);
  conf.plugins = settings.list("plugins", {"bundled"});
  for (const std::string& listed : settings.list("pluginserver_names", {})) {
    PluginServerConf server;
    server.name = lower(listed);
    // Only dashes become underscores here, as in Kong: a name with other
    // punctuation has keys Kong never finds.
    std::string key = "pluginserver_" + server.name;
    std::replace(key.begin() + static_cast<std::ptrdiff_t>(std::strlen("pluginserver_")), key.end(),
                 '-', '_');
    server.socket =
        settings.get(key + "_socket").value_or(conf.prefix + "/" + server.name + ".socket");
    server.start_command = settings.get(key + "_start_cmd");
    auto query = settings.get(key + "_query_cmd");
    const std::string default_path = context.default_server_directory + "/" + server.name;
    std::error_code ec;
    if (fs::exists(default_path, ec)) {
      if (!server.start_command)
        server.start_command = default_path;
      if (!query)
        query = default_path + " -dump";
    }
    if (!query) {
      return Error{
          fmt::format("{}: query_command undefined for pluginserver {} (set {}_query_cmd, "
                      "or install {})",
                      source, server.name, key, default_path)};
    }
    server.query_command = std::move(*query);
    conf.plugin_servers.push_back(std::move(server));
  }
  return conf;
}

Result<KongConf> load_kong_conf(const std::string& path, const KongConfContext& context) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Error{fmt::format("{}: cannot read: {}", path, std::strerror(errno))};
  std::ostringstream text;
  text << in.rdbuf();
  return parse_kong_conf(text.str(), path, context);
}

}  // namespace kong::mock
