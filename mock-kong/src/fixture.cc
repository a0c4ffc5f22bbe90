#include "kong/mock/fixture.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "cidr.h"
#include "json_schema.h"

namespace kong::mock {
namespace {

// Ordered, so that header maps keep the order they were written in.
using Json = nlohmann::ordered_json;

// nlohmann keeps the last of two equal keys without a word; in a header map
// that silently drops a header, so a repeated key is an error instead. The
// parser callback sees keys but not positions, so the path is tracked here.
class DuplicateKeyFinder {
 public:
  const std::optional<std::string>& found() const { return found_; }

  bool on_event(Json::parse_event_t event, const Json& parsed) {
    using Event = Json::parse_event_t;
    switch (event) {
      case Event::object_start:
      case Event::array_start: {
        Frame frame;
        frame.path = frames_.empty() ? std::string() : child_path(frames_.back());
        frame.array = event == Event::array_start;
        frames_.push_back(std::move(frame));
        break;
      }
      case Event::object_end:
      case Event::array_end:
        frames_.pop_back();
        break;
      case Event::key:
        note_key(parsed.get<std::string>());
        break;
      case Event::value:
        if (!frames_.empty() && frames_.back().array)
          ++frames_.back().next_index;
        break;
    }
    return true;
  }

 private:
  struct Frame {
    std::string path;
    bool array = false;
    std::size_t next_index = 0;
    std::string key;
    std::set<std::string> keys;
  };

  static std::string child_path(Frame& parent) {
    if (parent.array)
      return path_with_index(parent.path, parent.next_index++);
    return path_with_key(parent.path, parent.key);
  }

  void note_key(std::string key) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(key).second && !found_) {
      found_ = (frame.path.empty() ? "" : frame.path + ": ") + "duplicate key " +
               brief_dump(Json(key)) + " (repeated headers are written as an array of values)";
    }
    frame.key = std::move(key);
  }

  std::vector<Frame> frames_;
  std::optional<std::string> found_;
};

// nlohmann's what() reads "[json.exception.parse_error.101] parse error at
// line 2, column 10: syntax error ..."; keep the position and the reason.
std::string describe_parse_error(const Json::parse_error& e) {
  const std::string what = e.what();
  const std::string byte = " (byte " + std::to_string(e.byte) + ")";
  const std::string marker = "parse error at ";
  const auto at = what.find(marker);
  const auto colon = at == std::string::npos ? std::string::npos : what.find(": ", at);
  if (colon == std::string::npos)
    return "invalid JSON" + byte + ": " + what;
  const auto start = at + marker.size();
  return "invalid JSON at " + what.substr(start, colon - start) + byte + what.substr(colon);
}

std::string string_or(const Json& object, const char* key, const std::string& fallback) {
  const auto it = object.find(key);
  return it == object.end() ? fallback : it->get<std::string>();
}

std::optional<std::string> optional_string(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end())
    return std::nullopt;
  return it->get<std::string>();
}

// The fixture's free-form JSON (config, route, json_body) needs no order.
nlohmann::json plain(const Json& value) {
  return nlohmann::json(value);
}

HeaderList header_list(const Json& object) {
  HeaderList headers;
  const auto it = object.find("headers");
  if (it == object.end())
    return headers;
  for (const auto& [name, value] : it->items()) {
    if (value.is_string()) {
      headers.emplace_back(name, value.get<std::string>());
      continue;
    }
    for (const auto& one : value)
      headers.emplace_back(name, one.get<std::string>());
  }
  return headers;
}

std::vector<ExpectedHeader> expected_headers(const Json& object) {
  std::vector<ExpectedHeader> headers;
  const auto it = object.find("headers");
  if (it == object.end())
    return headers;
  for (const auto& [name, value] : it->items()) {
    ExpectedHeader header{name, std::nullopt, value.is_array()};
    if (value.is_string()) {
      header.values = std::vector<std::string>{value.get<std::string>()};
    } else if (value.is_array()) {
      header.values = value.get<std::vector<std::string>>();
    }
    headers.push_back(std::move(header));
  }
  return headers;
}

FixtureRequest read_request(const Json& r) {
  FixtureRequest request;
  request.method = string_or(r, "method", request.method);
  request.url = string_or(r, "url", request.url);
  request.http_version = string_or(r, "http_version", request.http_version);
  request.headers = header_list(r);
  request.body = string_or(r, "body", request.body);
  return request;
}

FixtureTls read_tls(const Json& t) {
  FixtureTls tls;
  tls.version = string_or(t, "version", tls.version);
  tls.cipher = string_or(t, "cipher", tls.cipher);
  tls.certificate_chain = optional_string(t, "certificate_chain");
  tls.client_verify = optional_string(t, "client_verify");
  return tls;
}

FixtureClient read_client(const Json& c) {
  FixtureClient client;
  client.ip = string_or(c, "ip", client.ip);
  client.port = c.value("port", client.port);
  if (const auto it = c.find("tls"); it != c.end())
    client.tls = read_tls(*it);
  return client;
}

// The fixture's top level: Kong's configuration and database for all cases.
KongSettings read_settings(const Json& doc) {
  KongSettings kong;
  if (const auto it = doc.find("trusted_ips"); it != doc.end())
    kong.trusted_ips = it->get<std::vector<std::string>>();
  kong.real_ip_header = string_or(doc, "real_ip_header", kong.real_ip_header);
  kong.real_ip_recursive = doc.value("real_ip_recursive", kong.real_ip_recursive);
  if (const auto it = doc.find("node"); it != doc.end()) {
    kong.node_id = string_or(*it, "id", kong.node_id);
    kong.node_hostname = string_or(*it, "hostname", kong.node_hostname);
  }
  if (const auto it = doc.find("cluster_id"); it != doc.end()) {
    kong.cluster_id =
        it->is_null() ? std::nullopt : std::optional<std::string>(it->get<std::string>());
  }
  if (const auto it = doc.find("consumers"); it != doc.end()) {
    for (const auto& consumer : *it)
      kong.consumers.push_back(plain(consumer));
  }
  if (const auto it = doc.find("vault"); it != doc.end()) {
    for (const auto& [name, secrets] : it->items())
      kong.vault[name] = secrets.get<std::map<std::string, std::string>>();
  }
  if (const auto it = doc.find("upstreams"); it != doc.end())
    kong.upstreams = it->get<std::vector<std::string>>();
  return kong;
}

// What the schema cannot say: every trusted_ips entry is an address or block.
std::optional<std::string> check_settings(const KongSettings& kong) {
  for (std::size_t i = 0; i < kong.trusted_ips.size(); ++i) {
    const std::string& entry = kong.trusted_ips[i];
    if (entry != "unix:" && !parse_cidr(entry)) {
      return path_with_index("trusted_ips", i) +
             ": expected an IPv4 or IPv6 address or CIDR block, got " + describe_value(Json(entry));
    }
  }
  return std::nullopt;
}

FixtureUpstream read_upstream(const Json& u) {
  FixtureUpstream upstream;
  upstream.status = u.value("status", upstream.status);
  upstream.headers = header_list(u);
  upstream.body = string_or(u, "body", upstream.body);
  return upstream;
}

ExpectedResponse read_expected_response(const Json& r) {
  ExpectedResponse response;
  if (const auto it = r.find("status"); it != r.end())
    response.status = it->get<int>();
  response.headers = expected_headers(r);
  response.body = optional_string(r, "body");
  // Present-but-null is a real expectation: the body must be the JSON `null`.
  if (const auto it = r.find("json_body"); it != r.end())
    response.json_body = plain(*it);
  return response;
}

ExpectedServiceRequest read_expected_service_request(const Json& r) {
  ExpectedServiceRequest request;
  request.headers = expected_headers(r);
  request.method = optional_string(r, "method");
  request.path = optional_string(r, "path");
  request.raw_query = optional_string(r, "raw_query");
  request.body = optional_string(r, "body");
  return request;
}

Expectations read_expect(const Json& e) {
  Expectations expect;
  if (const auto it = e.find("response"); it != e.end()) {
    expect.response = read_expected_response(*it);
  }
  if (const auto it = e.find("service_request"); it != e.end()) {
    expect.service_request = read_expected_service_request(*it);
  }
  if (const auto it = e.find("log"); it != e.end()) {
    for (const auto& line : *it) {
      expect.log.push_back(
          {line.at("level").get<std::string>(), line.at("contains").get<std::string>()});
    }
  }
  if (const auto it = e.find("phases"); it != e.end()) {
    expect.phases = it->get<std::vector<std::string>>();
  }
  if (const auto it = e.find("errors"); it != e.end()) {
    expect.errors = it->get<std::vector<std::string>>();
  }
  return expect;
}

Case read_case(const Json& c, std::size_t index) {
  Case out;
  out.name = c.at("name").get<std::string>();
  out.path = path_with_index("cases", index);
  out.subsystem = string_or(c, "subsystem", out.subsystem);
  if (const auto it = c.find("request"); it != c.end())
    out.request = read_request(*it);
  if (const auto it = c.find("client"); it != c.end())
    out.client = read_client(*it);
  if (const auto it = c.find("route"); it != c.end())
    out.route = plain(*it);
  if (const auto it = c.find("service"); it != c.end())
    out.service = plain(*it);
  if (const auto it = c.find("upstream"); it != c.end())
    out.upstream = read_upstream(*it);
  out.scope = string_or(c, "scope", out.scope);
  if (const auto it = c.find("uri_captures"); it != c.end())
    out.uri_captures = plain(*it);
  if (const auto it = c.find("consumer"); it != c.end())
    out.consumer = plain(*it);
  if (const auto it = c.find("credential"); it != c.end())
    out.credential = plain(*it);
  if (const auto it = c.find("nginx_vars"); it != c.end()) {
    for (const auto& [name, value] : it->items()) {
      out.nginx_vars[name] =
          value.is_null() ? std::nullopt : std::optional<std::string>(value.get<std::string>());
    }
  }
  if (const auto it = c.find("expect"); it != c.end())
    out.expect = read_expect(*it);
  return out;
}

const nlohmann::json& compiled_schema() {
  // Parsed once; `discarded` if the shipped file is not JSON, reported below.
  static const nlohmann::json schema = nlohmann::json::parse(fixture_schema_text(), nullptr, false);
  return schema;
}

}  // namespace

Result<Fixture> parse_fixture(std::string_view text, const std::string& file) {
  DuplicateKeyFinder duplicates;
  Json doc;
  try {
    doc = Json::parse(text, [&](int, Json::parse_event_t event, Json& parsed) {
      return duplicates.on_event(event, parsed);
    });
  } catch (const Json::parse_error& e) {
    return Error{file + ": " + describe_parse_error(e)};
  }
  if (duplicates.found())
    return Error{file + ": " + *duplicates.found()};

  const nlohmann::json& schema = compiled_schema();
  if (schema.is_discarded())
    return Error{file + ": the compiled-in fixture schema is not valid JSON"};
  if (auto valid = validate_json(doc, schema); !valid)
    return Error{file + ": " + valid.error().message};

  // The schema has checked every type and range, so the reads below cannot
  // fail on a valid document; the catch guards against the two drifting apart.
  try {
    Fixture fixture;
    fixture.file = file;
    if (const auto it = doc.find("config"); it != doc.end())
      fixture.config = plain(*it);
    fixture.kong = read_settings(doc);
    fixture.scope = string_or(doc, "scope", fixture.scope);
    if (auto problem = check_settings(fixture.kong))
      return Error{file + ": " + *problem};
    const Json& cases = doc.at("cases");
    for (std::size_t i = 0; i < cases.size(); ++i) {
      fixture.cases.push_back(read_case(cases[i], i));
      fixture.cases.back().kong = fixture.kong;
      if (!cases[i].contains("scope"))
        fixture.cases.back().scope = fixture.scope;
    }
    return fixture;
  } catch (const nlohmann::json::exception& e) {
    return Error{file + ": fixture does not match its schema: " + e.what()};
  }
}

Result<Fixture> load_fixture(const std::string& file) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(file.c_str(), "rb"),
                                                          &std::fclose);
  if (!f)
    return Error{file + ": cannot open: " + std::strerror(errno)};
  std::string text;
  char buffer[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0)
    text.append(buffer, n);
  // A directory opens fine on Linux and fails only on the first read.
  if (std::ferror(f.get()))
    return Error{file + ": cannot read: " + std::strerror(errno)};
  return parse_fixture(text, file);
}

}  // namespace kong::mock
