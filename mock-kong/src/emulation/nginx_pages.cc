// nginx's own pages for the statuses it answers itself (nginx 1.27.1
// src/http/ngx_http_special_response.c), as Kong builds nginx: without the
// server footer (build/openresty/patches/nginx-1.27.1_02-remove-server-tokens-
// from-special-responses-output.patch). Generated from that file's tables.
#include <array>
#include <utility>

#include "emulation/emulation.h"

namespace kong::mock {

std::optional<std::string> nginx_error_page(std::int64_t status) {
  static constexpr std::array<std::pair<int, std::string_view>, 36> kPages = {{
      {301,
       "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 "
       "Moved Permanently</h1></center>\r\n"},
      {302,
       "<html>\r\n<head><title>302 Found</title></head>\r\n<body>\r\n<center><h1>302 "
       "Found</h1></center>\r\n"},
      {303,
       "<html>\r\n<head><title>303 See Other</title></head>\r\n<body>\r\n<center><h1>303 See "
       "Other</h1></center>\r\n"},
      {307,
       "<html>\r\n<head><title>307 Temporary Redirect</title></head>\r\n<body>\r\n<center><h1>307 "
       "Temporary Redirect</h1></center>\r\n"},
      {308,
       "<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n<center><h1>308 "
       "Permanent Redirect</h1></center>\r\n"},
      {400,
       "<html>\r\n<head><title>400 Bad Request</title></head>\r\n<body>\r\n<center><h1>400 Bad "
       "Request</h1></center>\r\n"},
      {401,
       "<html>\r\n<head><title>401 Authorization "
       "Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization "
       "Required</h1></center>\r\n"},
      {402,
       "<html>\r\n<head><title>402 Payment Required</title></head>\r\n<body>\r\n<center><h1>402 "
       "Payment Required</h1></center>\r\n"},
      {403,
       "<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 "
       "Forbidden</h1></center>\r\n"},
      {404,
       "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
       "Found</h1></center>\r\n"},
      {405,
       "<html>\r\n<head><title>405 Not Allowed</title></head>\r\n<body>\r\n<center><h1>405 Not "
       "Allowed</h1></center>\r\n"},
      {406,
       "<html>\r\n<head><title>406 Not Acceptable</title></head>\r\n<body>\r\n<center><h1>406 Not "
       "Acceptable</h1></center>\r\n"},
      {407,
       "<html>\r\n<head><title>407 Proxy Authentication "
       "Required</title></head>\r\n<body>\r\n<center><h1>407 Proxy Authentication "
       "Required</h1></center>\r\n"},
      {408,
       "<html>\r\n<head><title>408 Request Time-out</title></head>\r\n<body>\r\n<center><h1>408 "
       "Request Time-out</h1></center>\r\n"},
      {409,
       "<html>\r\n<head><title>409 Conflict</title></head>\r\n<body>\r\n<center><h1>409 "
       "Conflict</h1></center>\r\n"},
      {410,
       "<html>\r\n<head><title>410 Gone</title></head>\r\n<body>\r\n<center><h1>410 "
       "Gone</h1></center>\r\n"},
      {411,
       "<html>\r\n<head><title>411 Length Required</title></head>\r\n<body>\r\n<center><h1>411 "
       "Length Required</h1></center>\r\n"},
      {412,
       "<html>\r\n<head><title>412 Precondition Failed</title></head>\r\n<body>\r\n<center><h1>412 "
       "Precondition Failed</h1></center>\r\n"},
      {413,
       "<html>\r\n<head><title>413 Request Entity Too "
       "Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too "
       "Large</h1></center>\r\n"},
      {414,
       "<html>\r\n<head><title>414 Request-URI Too "
       "Large</title></head>\r\n<body>\r\n<center><h1>414 Request-URI Too Large</h1></center>\r\n"},
      {415,
       "<html>\r\n<head><title>415 Unsupported Media "
       "Type</title></head>\r\n<body>\r\n<center><h1>415 Unsupported Media Type</h1></center>\r\n"},
      {416,
       "<html>\r\n<head><title>416 Requested Range Not "
       "Satisfiable</title></head>\r\n<body>\r\n<center><h1>416 Requested Range Not "
       "Satisfiable</h1></center>\r\n"},
      {421,
       "<html>\r\n<head><title>421 Misdirected Request</title></head>\r\n<body>\r\n<center><h1>421 "
       "Misdirected Request</h1></center>\r\n"},
      {429,
       "<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n<center><h1>429 "
       "Too Many Requests</h1></center>\r\n"},
      {494,
       "<html>\r\n<head><title>400 Request Header Or Cookie Too "
       "Large</title></head>\r\n<body>\r\n<center><h1>400 Bad "
       "Request</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n"},
      {495,
       "<html>\r\n<head><title>400 The SSL certificate "
       "error</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The "
       "SSL certificate error</center>\r\n"},
      {496,
       "<html>\r\n<head><title>400 No required SSL certificate was "
       "sent</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>No "
       "required SSL certificate was sent</center>\r\n"},
      {497,
       "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS "
       "port</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>The "
       "plain HTTP request was sent to HTTPS port</center>\r\n"},
      {500,
       "<html>\r\n<head><title>500 Internal Server "
       "Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n"},
      {501,
       "<html>\r\n<head><title>501 Not Implemented</title></head>\r\n<body>\r\n<center><h1>501 Not "
       "Implemented</h1></center>\r\n"},
      {502,
       "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad "
       "Gateway</h1></center>\r\n"},
      {503,
       "<html>\r\n<head><title>503 Service Temporarily "
       "Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily "
       "Unavailable</h1></center>\r\n"},
      {504,
       "<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 "
       "Gateway Time-out</h1></center>\r\n"},
      {505,
       "<html>\r\n<head><title>505 HTTP Version Not "
       "Supported</title></head>\r\n<body>\r\n<center><h1>505 HTTP Version Not "
       "Supported</h1></center>\r\n"},
      {507,
       "<html>\r\n<head><title>507 Insufficient "
       "Storage</title></head>\r\n<body>\r\n<center><h1>507 Insufficient "
       "Storage</h1></center>\r\n"},
      {498,
       "<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not "
       "Found</h1></center>\r\n"},
  }};
  // ngx_http_error_tail, less the footer.
  constexpr std::string_view kTail = "</body>\r\n</html>\r\n";
  for (const auto& [code, head] : kPages) {
    if (code == status)
      return std::string(head) + std::string(kTail);
  }
  return std::nullopt;
}

}  // namespace kong::mock
