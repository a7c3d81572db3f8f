// A small blocking HTTP/1.1 GET for operator tools (`epermit verify --fetch`), on the
// Boost.Beast client the server already depends on. Plain http only: what it fetches
// (trust list, status lists) is signed, so the transport needs no trust; TLS belongs to a
// reverse proxy or a later issue.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace epermit::app {

struct HttpGetOptions {
  std::chrono::seconds timeout{15};  // for the whole exchange: connect, send, receive
  size_t max_body_bytes = size_t{8} << 20;
};

struct HttpGetResponse {
  int status = 0;
  std::string content_type;
  std::string body;
};

// Splits "http://host[:port][/path]". Errors: fetch.url (not http://, empty host, bad port).
struct HttpUrl {
  std::string host;
  std::string port = "80";
  std::string target = "/";
};
Result<HttpUrl> ParseHttpUrl(const std::string& url);

// GETs `url`; any HTTP status is a response, not an error.
// Errors: fetch.url, fetch.network (resolve, connect, I/O, timeout), fetch.too_large.
Result<HttpGetResponse> HttpGet(const std::string& url, const HttpGetOptions& options = {});

}  // namespace epermit::app
