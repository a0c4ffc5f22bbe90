// Structure-aware mutations of a fixture case: each part of the request
// lifecycle is changed as a client, a router or an upstream could change it,
// never into something nginx would refuse before a plugin runs.
#include "fuzz/case_mutator.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "kong/mock/url.h"
#include "kong/protocol/ascii.h"

#include "state/utf8.h"

namespace kong::mock {
namespace {

constexpr std::size_t kMaxWord = 256;
constexpr std::size_t kMaxDictionary = 2000;
constexpr std::size_t kMaxLargeBody = 256 * 1024;

// Values that break parsers and comparisons, whatever the plugin.
const std::vector<std::string>& breaking_values() {
  static const std::vector<std::string> values = {"",
                                                  "0",
                                                  "-1",
                                                  "1e309",
                                                  "9223372036854775808",
                                                  "true",
                                                  "null",
                                                  "[]",
                                                  "{}",
                                                  "%",
                                                  "%zz",
                                                  "../",
                                                  "..%2f",
                                                  "\xc3\xa9",
                                                  "\xe2\x80\xa8",
                                                  "\xf0\x9f\x98\x80",
                                                  "a,b",
                                                  " padded ",
                                                  "\t",
                                                  "=",
                                                  "&",
                                                  "?",
                                                  "#",
                                                  "\\",
                                                  "'",
                                                  "\"",
                                                  "<script>",
                                                  "${x}",
                                                  "*"};
  return values;
}

void add_word(std::set<std::string>& words, std::string_view word) {
  if (words.size() < kMaxDictionary && word.size() <= kMaxWord)
    words.emplace(word);
}

void add_json_strings(std::set<std::string>& words, const nlohmann::json& value) {
  if (value.is_string()) {
    add_word(words, value.get_ref<const std::string&>());
  } else if (value.is_object()) {
    for (const auto& [key, item] : value.items()) {
      add_word(words, key);
      add_json_strings(words, item);
    }
  } else if (value.is_array()) {
    for (const auto& item : value)
      add_json_strings(words, item);
  } else if (value.is_number()) {
    add_word(words, value.dump());
  }
}

// Fixture strings are JSON, so UTF-8: a byte that starts no valid sequence
// (a cut word, a repeated lead byte) becomes "?". Binary goes in bodies.
std::string valid_utf8(std::string text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0)
      text[i++] = '?';
    else
      i += length;
  }
  return text;
}

// What a header value can hold in a fixture: no CR, LF or NUL.
std::string header_safe(std::string value) {
  std::replace_if(
      value.begin(), value.end(), [](char ch) { return ch == '\r' || ch == '\n' || ch == '\0'; },
      ' ');
  return value;
}

std::string header_name_from(const std::string& word) {
  std::string name;
  for (const char& ch : word) {
    if (valid_header_name(std::string_view(&ch, 1)))
      name.push_back(ch);
  }
  return name.empty() ? "X-Fuzz" : name;
}

// Percent-encodes every byte but the unreserved ones: a query or path piece
// that parses back to `text`.
std::string escaped(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
      out.push_back(static_cast<char>(ch));
    else
      out += fmt::format("%{:02X}", ch);
  }
  return out;
}

std::string url_of(const Url& url) {
  const bool v6 = url.host.find(':') != std::string::npos;
  std::string out = url.scheme + "://" + (v6 ? "[" + url.host + "]" : url.host);
  out += ":" + std::to_string(url.port);
  out += url.path.empty() ? "/" : url.path;
  if (url.has_query)
    out += "?" + url.raw_query;
  return out;
}

HeaderList::iterator find_header(HeaderList& headers, std::string_view name) {
  return std::find_if(headers.begin(), headers.end(),
                      [&](const auto& h) { return protocol::equals_ignoring_case(h.first, name); });
}

std::string content_type(const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (protocol::equals_ignoring_case(name, "content-type"))
      return lower(value);
  }
  return "";
}

void set_header(HeaderList& headers, const std::string& name, std::string value) {
  if (auto it = find_header(headers, name); it != headers.end())
    it->second = std::move(value);
  else
    headers.emplace_back(name, std::move(value));
}

// The address a trusted_ips entry starts with ("10.0.0.0/8" -> "10.0.0.0").
std::string address_in(const std::string& entry) {
  return entry.substr(0, entry.find('/'));
}

// A compared value as the bytes it was in memory (little-endian).
std::string compared_bytes(std::uint64_t value, std::uint64_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<char>(value >> (8 * i) & 0xff);
  return out;
}

}  // namespace

bool operand_in(const Case& c, const protocol::Comparison& compared) {
  const std::string operand = compared_bytes(compared.operand, compared.size);
  return c.request.body.find(operand) != std::string::npos ||
         std::any_of(c.request.headers.begin(), c.request.headers.end(),
                     [&](const auto& h) { return h.second.find(operand) != std::string::npos; });
}

std::vector<std::string> fuzz_dictionary(const Fixture& fixture) {
  std::set<std::string> words(breaking_values().begin(), breaking_values().end());
  for (const auto& word : fixture.fuzz.dictionary)
    add_word(words, word);
  add_json_strings(words, fixture.config);
  for (const auto& c : fixture.cases) {
    for (const auto& [name, value] : c.request.headers) {
      add_word(words, name);
      add_word(words, value);
    }
    if (auto url = parse_url(c.request.url)) {
      for (const auto& arg : parse_query(url->raw_query)) {
        add_word(words, arg.name);
        if (arg.value)
          add_word(words, *arg.value);
      }
      std::string_view path = url->path;
      while (!path.empty()) {
        const auto slash = path.find('/');
        add_word(words, path.substr(0, slash));
        path = slash == std::string_view::npos ? "" : path.substr(slash + 1);
      }
    }
    const auto body = nlohmann::json::parse(c.request.body, nullptr, false);
    if (!body.is_discarded())
      add_json_strings(words, body);
    add_json_strings(words, c.consumer);
    add_json_strings(words, c.credential);
  }
  return {words.begin(), words.end()};
}

CaseMutator::CaseMutator(Options options, std::uint64_t seed)
    : options_(std::move(options)), random_(seed) {
  if (options_.dictionary.empty())
    options_.dictionary = breaking_values();
}

Case CaseMutator::mutate(const Case& base, const std::vector<protocol::Comparison>& comparisons) {
  Case c = base;
  const auto count = 1 + random_.below(4);
  for (std::uint64_t i = 0; i < count; ++i) {
    // A comparison the plugin made is the shortest way to its next branch.
    if (!comparisons.empty() && random_.chance(30) && comparison(c, random_.pick(comparisons)))
      continue;
    mutate_once(c);
  }
  return c;
}

bool CaseMutator::comparison(Case& c, const protocol::Comparison& compared) {
  const std::string operand = compared_bytes(compared.operand, compared.size);
  const std::string constant = compared_bytes(compared.constant, compared.size);
  // Where the operand is: a header value, or the body.
  std::vector<std::pair<std::string*, std::size_t>> places;
  for (auto& header : c.request.headers) {
    for (auto at = header.second.find(operand); at != std::string::npos;
         at = header.second.find(operand, at + 1)) {
      places.emplace_back(&header.second, at);
    }
  }
  for (auto at = c.request.body.find(operand); at != std::string::npos && places.size() < 64;
       at = c.request.body.find(operand, at + 1)) {
    places.emplace_back(&c.request.body, at);
  }
  if (places.empty())
    return false;
  const auto [text, at] = random_.pick(places);
  text->replace(at, operand.size(), constant);
  if (text != &c.request.body)
    *text = valid_utf8(header_safe(std::move(*text)));
  return true;
}

void CaseMutator::mutate_once(Case& c) {
  // Weighted toward what plugins read most: headers, query and body.
  using Mutation = void (CaseMutator::*)(Case&);
  static constexpr std::pair<unsigned, Mutation> kWeighted[] = {
      {1, &CaseMutator::method},   {2, &CaseMutator::path},     {3, &CaseMutator::query},
      {4, &CaseMutator::headers},  {2, &CaseMutator::body},     {1, &CaseMutator::client},
      {1, &CaseMutator::identity}, {1, &CaseMutator::upstream}, {1, &CaseMutator::protocol}};
  static constexpr unsigned kTotal = [] {
    unsigned total = 0;
    for (const auto& [weight, mutation] : kWeighted)
      total += weight;
    return total;
  }();
  auto roll = random_.below(kTotal);
  for (const auto& [weight, mutation] : kWeighted) {
    if (roll < weight)
      return (this->*mutation)(c);
    roll -= weight;
  }
}

std::string CaseMutator::word() {
  std::string w = random_.pick(options_.dictionary);
  switch (random_.below(8)) {
    case 0:  // very long
      w = std::string(1 + random_.below(8192), w.empty() ? 'A' : w[0]);
      break;
    case 1:  // the word repeated
      for (auto n = random_.below(8); n > 0 && w.size() < 4096; --n)
        w += w;
      break;
    case 2:  // a prefix: comparisons built up one character at a time
      w.resize(random_.below(w.size() + 1));
      break;
    case 3:  // the word with one more character
      w += static_cast<char>(' ' + random_.below(95));
      break;
    default:
      break;
  }
  return valid_utf8(std::move(w));
}

std::string CaseMutator::header_value() {
  static const std::vector<std::string> non_ascii = {"caf\xc3\xa9", "\xe2\x82\xac 5",
                                                     "\xf0\x9f\x94\x91",
                                                     "\xef\xbb\xbf"
                                                     "bom"};
  if (random_.chance(10))
    return random_.pick(non_ascii);
  return header_safe(word());
}

void CaseMutator::method(Case& c) {
  static const std::vector<std::string> methods = {"GET",     "POST",    "PUT",     "PATCH",
                                                   "DELETE",  "OPTIONS", "HEAD",    "TRACE",
                                                   "CONNECT", "PURGE",   "PROPFIND"};
  c.request.method = random_.pick(methods);
}

void CaseMutator::path(Case& c) {
  auto url = parse_url(c.request.url);
  if (!url)
    return;
  std::string path = url->path.empty() ? "/" : url->path;
  switch (random_.below(6)) {
    case 0:  // a segment from the dictionary, escaped
      path += (path.ends_with('/') ? "" : "/") + escaped(word());
      break;
    case 1:  // repeated slashes and dot segments: the router normalizes them
      path = "/." + path + (random_.chance(50) ? "//" : "/./");
      break;
    case 2:  // an escaped byte where a plain one was
      if (path.size() > 1) {
        const auto at = 1 + random_.below(path.size() - 1);
        if (path[at] != '%' && path[at] != '/')
          path.replace(at, 1, fmt::format("%{:02X}", static_cast<unsigned char>(path[at])));
      }
      break;
    case 3:  // the root
      path = "/";
      break;
    case 4:  // a trailing slash, or none
      path = path.ends_with('/') && path.size() > 1 ? path.substr(0, path.size() - 1) : path + "/";
      break;
    default:  // non-ASCII, escaped as browsers send it
      path += escaped("\xc3\xa9\xe2\x82\xac");
      break;
  }
  if (!nginx_uri(path))  // nginx answers 400 itself: no plugin runs
    return;
  url->path = path;
  c.request.url = url_of(*url);
}

void CaseMutator::query(Case& c) {
  auto url = parse_url(c.request.url);
  if (!url)
    return;
  std::string q = url->raw_query;
  const auto append = [&q](const std::string& piece) { q += (q.empty() ? "" : "&") + piece; };
  const auto args = parse_query(q);
  switch (random_.below(7)) {
    case 0:  // a new argument
      append(escaped(word()) + "=" + escaped(word()));
      break;
    case 1:  // a flag, without "="
      append(escaped(word()));
      break;
    case 2:  // an empty value
      append(escaped(word()) + "=");
      break;
    case 3:  // an argument repeated
      if (!args.empty()) {
        const auto& arg = random_.pick(args);
        append(escaped(arg.name) + (arg.value ? "=" + escaped(word()) : ""));
      }
      break;
    case 4:  // very many (Kong reads 100 by default)
      for (auto n = 50 + random_.below(150); n > 0; --n)
        append("a" + std::to_string(n) + "=" + std::to_string(n));
      break;
    case 5:  // odd encodings: "+" as space, lower-case escapes, empty pieces
      append(escaped(word()) + "=a+b%2bc%2Fd%e9&&=");
      break;
    default:  // no query at all
      q.clear();
      url->has_query = random_.chance(50);
      url->raw_query.clear();
      c.request.url = url_of(*url);
      return;
  }
  url->raw_query = q;
  url->has_query = true;
  c.request.url = url_of(*url);
}

void CaseMutator::headers(Case& c) {
  HeaderList& h = c.request.headers;
  switch (random_.below(8)) {
    case 0:  // a new header
      h.emplace_back(header_name_from(word()), header_value());
      break;
    case 1:  // an existing header's value changed
      if (!h.empty())
        h[random_.below(h.size())].second = header_value();
      else
        h.emplace_back("X-Fuzz", header_value());
      break;
    case 2:  // a header repeated
      if (!h.empty()) {
        const auto name = h[random_.below(h.size())].first;
        h.emplace_back(name, header_value());
      }
      break;
    case 3:  // the name's case changed: names are case-insensitive
      if (!h.empty()) {
        std::string& name = h[random_.below(h.size())].first;
        for (char& ch : name)
          ch = static_cast<char>(random_.chance(50) ? std::toupper(static_cast<unsigned char>(ch))
                                                    : std::tolower(static_cast<unsigned char>(ch)));
      }
      break;
    case 4:  // empty or very long values
      if (!h.empty())
        h[random_.below(h.size())].second =
            random_.chance(50) ? "" : std::string(1000 + random_.below(16000), 'x');
      break;
    case 5:  // very many (Kong reads 100 by default)
      for (auto n = 50 + random_.below(150); n > 0; --n)
        h.emplace_back("X-Many-" + std::to_string(n), std::to_string(n));
      break;
    case 6:  // one removed
      if (!h.empty())
        h.erase(h.begin() + static_cast<std::ptrdiff_t>(random_.below(h.size())));
      break;
    default: {  // a header plugins read, with a dictionary value
      static const std::vector<std::string> names = {
          "Authorization",   "Content-Type",      "Accept",     "Host",    "Cookie",
          "X-Forwarded-For", "X-Real-IP",         "User-Agent", "apikey",  "X-Request-Id",
          "Content-Length",  "Transfer-Encoding", "Origin",     "Referer", "X-Forwarded-Proto"};
      set_header(h, random_.pick(names), header_value());
      break;
    }
  }
}

std::string CaseMutator::json_body(const std::string& current) {
  auto doc = nlohmann::json::parse(current, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    doc = nlohmann::json::object();
  switch (random_.below(7)) {
    case 0:  // a key with a dictionary value
      doc[word()] = word();
      return doc.dump();
    case 1: {  // a value of another type
      if (doc.empty())
        return "{}";
      auto it = doc.begin();
      std::advance(it, static_cast<std::ptrdiff_t>(random_.below(doc.size())));
      static const std::vector<nlohmann::json> others = {
          nullptr, true, 0, -1, 1.5, "", nlohmann::json::array(), nlohmann::json::object()};
      *it = random_.pick(others);
      return doc.dump();
    }
    case 2: {  // truncated
      const std::string text = doc.dump();
      return text.substr(0, random_.below(text.size()));
    }
    case 3:  // deep (Kong's decoder takes 1000 levels)
      return std::string(1 + random_.below(1200), '[') + std::string(1 + random_.below(1200), ']');
    case 4: {  // large: past nginx's 8 KB body buffer, up to a bound that
               // keeps a case quick (bigger ones slow every case, not the plugin)
      nlohmann::json items = nlohmann::json::array();
      std::size_t bytes = 0;
      for (auto n = random_.below(5000); n > 0 && bytes < kMaxLargeBody; --n) {
        items.push_back(word());
        bytes += items.back().get_ref<const std::string&>().size() + 3;
      }
      doc["items"] = std::move(items);
      return doc.dump();
    }
    case 5:  // empty
      return random_.chance(50) ? "" : "{}";
    default:  // not an object
      return nlohmann::json(word()).dump();
  }
}

std::string CaseMutator::form_body() {
  std::string body;
  for (auto n = 1 + random_.below(random_.chance(10) ? 200 : 4); n > 0; --n)
    body += (body.empty() ? "" : "&") + escaped(word()) + "=" + escaped(word());
  return body;
}

std::string CaseMutator::multipart_body(const std::string& boundary) {
  std::string body;
  for (auto n = random_.below(4); n > 0; --n) {
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + header_safe(word()) +
            "\"\r\n\r\n" + word() + "\r\n";
  }
  if (random_.chance(80))  // or the closing boundary is missing
    body += "--" + boundary + "--\r\n";
  return body;
}

void CaseMutator::body(Case& c) {
  std::string type = content_type(c.request.headers);
  if (type.empty() || random_.chance(25)) {
    static const std::vector<std::string> types = {"application/json",
                                                   "application/x-www-form-urlencoded",
                                                   "multipart/form-data", "text/plain"};
    type = random_.pick(types);
    if (type.starts_with("multipart/"))
      type += "; boundary=fuzz";
    set_header(c.request.headers, "Content-Type", type);
  }
  if (type.find("json") != std::string::npos) {
    c.request.body = json_body(c.request.body);
  } else if (type.starts_with("application/x-www-form-urlencoded")) {
    c.request.body = form_body();
  } else if (type.starts_with("multipart/")) {
    const auto at = type.find("boundary=");
    c.request.body = multipart_body(at == std::string::npos ? "fuzz" : type.substr(at + 9));
  } else if (!c.request.body.empty() && random_.chance(50)) {
    c.request.body.resize(random_.below(c.request.body.size()));  // truncated
  } else {
    // Arbitrary bytes: binary bodies are written as body_base64.
    std::string bytes(random_.below(512), '\0');
    for (char& b : bytes)
      b = static_cast<char>(random_.below(256));
    c.request.body = random_.chance(50) ? bytes : word();
  }
  if (random_.chance(10))
    c.request.body = std::string(65536 + random_.below(65536), 'b');
}

void CaseMutator::client(Case& c) {
  switch (random_.below(4)) {
    case 0:  // trusted (Kong believes its forwarded headers)
      if (!options_.trusted_ips.empty()) {
        const std::string address = address_in(random_.pick(options_.trusted_ips));
        if (address != "unix:") {
          c.client.ip = address;
          break;
        }
      }
      [[fallthrough]];
    case 1:
      c.client.ip = fmt::format("{}.{}.{}.{}", 1 + random_.below(223), random_.below(256),
                                random_.below(256), 1 + random_.below(254));
      break;
    case 2:
      c.client.ip = fmt::format("2001:db8::{:x}", 1 + random_.below(0xfffe));
      break;
    default:
      c.client.ip = random_.chance(50) ? "::1" : "127.0.0.1";
      break;
  }
  c.client.port = static_cast<int>(1 + random_.below(65535));
}

void CaseMutator::identity(Case& c) {
  switch (random_.below(3)) {
    case 0:  // nobody authenticated
      c.consumer = nullptr;
      c.credential = nullptr;
      break;
    case 1:  // a consumer of Kong's database
      if (!options_.consumers.empty()) {
        c.consumer = random_.pick(options_.consumers);
        c.credential = {{"id", "fuzz-credential"},
                        {"consumer", {{"id", c.consumer.value("id", "")}}}};
        break;
      }
      [[fallthrough]];
    default:  // one Kong does not know
      c.consumer = {{"id", "0d4c5b6a-7e8f-4a9b-8c7d-6e5f4a3b2c1d"}, {"username", word()}};
      c.credential = random_.chance(50) ? nlohmann::json(nullptr)
                                        : nlohmann::json{{"id", "c"}, {"key", word()}};
      break;
  }
}

void CaseMutator::upstream(Case& c) {
  static const std::vector<int> statuses = {200, 201, 204, 301, 302, 304, 400, 401,
                                            403, 404, 429, 500, 502, 503, 504};
  FixtureUpstream u = c.upstream.value_or(FixtureUpstream{});
  switch (random_.below(4)) {
    case 0:
      u.status = random_.pick(statuses);
      break;
    case 1:
      u.headers.emplace_back(header_name_from(word()), header_value());
      break;
    case 2:
      u.body = random_.chance(50) ? json_body(u.body) : word();
      break;
    default:  // back to the echo service
      c.upstream.reset();
      return;
  }
  c.upstream = std::move(u);
}

void CaseMutator::protocol(Case& c) {
  if (options_.stream && random_.chance(50)) {
    c.subsystem = c.subsystem == "stream" ? "http" : "stream";
    return;
  }
  static const std::vector<std::string> versions = {"1.0", "1.1", "2"};
  c.request.http_version = random_.pick(versions);
  if (auto url = parse_url(c.request.url); url && random_.chance(50)) {
    const bool https = url->scheme == "https";
    url->scheme = https ? "http" : "https";
    url->port = https ? 80 : 443;
    c.request.url = url_of(*url);
  }
}

}  // namespace kong::mock
