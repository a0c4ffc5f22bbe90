#include "kong/testing/case.h"

namespace kong::testing {

Case::Case(std::string method, std::string url) {
  case_.name = "case";
  case_.path = "case";
  case_.request.method = std::move(method);
  case_.request.url = std::move(url);
}

Case& Case::name(std::string name) {
  case_.name = std::move(name);
  return *this;
}

Case& Case::header(std::string name, std::string value) {
  case_.request.headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

Case& Case::body(std::string body) {
  case_.request.body = std::move(body);
  return *this;
}

Case& Case::http_version(std::string version) {
  case_.request.http_version = std::move(version);
  return *this;
}

Case& Case::client(std::string ip, int port) {
  case_.client.ip = std::move(ip);
  case_.client.port = port;
  return *this;
}

Case& Case::consumer(nlohmann::json consumer) {
  case_.consumer = std::move(consumer);
  return *this;
}

Case& Case::credential(nlohmann::json credential) {
  case_.credential = std::move(credential);
  return *this;
}

Case& Case::route(nlohmann::json route) {
  case_.route = std::move(route);
  return *this;
}

Case& Case::service(nlohmann::json service) {
  case_.service = std::move(service);
  return *this;
}

Case& Case::upstream(int status, mock::HeaderList headers, std::string body) {
  case_.upstream = mock::FixtureUpstream{status, std::move(headers), std::move(body)};
  return *this;
}

Case& Case::scope(std::string scope) {
  case_.scope = std::move(scope);
  return *this;
}

Case& Case::stream() {
  case_.subsystem = "stream";
  return *this;
}

Case& Case::nginx_var(std::string name, std::string value) {
  case_.nginx_vars[std::move(name)] = std::move(value);
  return *this;
}

}  // namespace kong::testing
