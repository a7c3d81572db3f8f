// A small synchronous HTTP/1.1 client for tests, built on Boost.Beast. Every network
// step runs with a timeout (async operations driven by a private io_context), so a
// misbehaving server fails a test instead of hanging it.
//
//   ClientResponse r = HttpCall(port, "POST", "/api/v1/x", R"({"a":1})");
//   r.status; r.Json(); r.Header("X-Request-Id");  // header names are case-insensitive
//
// Failures to connect or to read a response throw std::runtime_error.
#pragma once

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace epermit::testing {

inline std::string LowerAscii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct ClientResponse {
  int status = 0;
  std::string body;
  // Header names are stored lower-cased; repeated headers are joined with ", ".
  std::map<std::string, std::string> headers;

  // Value of a header (any case), or "" when absent.
  std::string Header(std::string_view name) const {
    auto it = headers.find(LowerAscii(name));
    return it == headers.end() ? std::string() : it->second;
  }
  bool HasHeader(std::string_view name) const { return headers.count(LowerAscii(name)) > 0; }
  // The body parsed as JSON; throws nlohmann::json::parse_error if it is not JSON.
  nlohmann::json Json() const { return nlohmann::json::parse(body); }
};

// One kept-alive connection to 127.0.0.1:port.
class HttpConnection {
 public:
  explicit HttpConnection(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : stream_(ioc_), timeout_(timeout) {
    namespace asio = boost::asio;
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    boost::beast::error_code result;
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoint, [&](boost::beast::error_code ec) { result = ec; });
    Run();
    if (result) throw std::runtime_error("connect: " + result.message());
  }

  // Sends one request and reads its response. A JSON content type is assumed for a
  // non-empty body unless `headers` names one. Write errors are tolerated as long as a
  // response can be read (a server may answer 413 before reading the whole body).
  ClientResponse Call(std::string method, std::string target, std::string body = "",
                      std::map<std::string, std::string> headers = {}) {
    namespace bhttp = boost::beast::http;
    bhttp::request<bhttp::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(bhttp::field::host, "127.0.0.1");
    bool has_content_type = false;
    for (const auto& [name, value] : headers) {
      if (LowerAscii(name) == "content-type") has_content_type = true;
      request.set(name, value);
    }
    if (!body.empty() && !has_content_type) {
      request.set(bhttp::field::content_type, "application/json");
    }
    request.body() = std::move(body);
    request.prepare_payload();

    boost::beast::error_code write_ec;
    stream_.expires_after(timeout_);
    bhttp::async_write(stream_, request, [&](boost::beast::error_code ec, size_t) { write_ec = ec; });
    Run();
    try {
      return ReadResponse(method == "HEAD");
    } catch (const std::runtime_error& e) {
      if (write_ec) {
        throw std::runtime_error(std::string(e.what()) + " (write: " + write_ec.message() + ")");
      }
      throw;
    }
  }

  // Writes bytes as they are (for malformed, pipelined or 100-continue requests).
  void WriteRaw(std::string_view bytes) {
    boost::beast::error_code result;
    stream_.expires_after(timeout_);
    boost::asio::async_write(stream_, boost::asio::buffer(bytes.data(), bytes.size()),
                             [&](boost::beast::error_code ec, size_t) { result = ec; });
    Run();
    if (result) throw std::runtime_error("write: " + result.message());
  }

  // Reads the next response (a 100 Continue counts as one).
  ClientResponse ReadResponse(bool head = false) {
    namespace bhttp = boost::beast::http;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64u << 20);
    parser.skip(head);
    boost::beast::error_code result;
    stream_.expires_after(timeout_);
    bhttp::async_read(stream_, buffer_, parser, [&](boost::beast::error_code ec, size_t) { result = ec; });
    Run();
    if (result) throw std::runtime_error("read: " + result.message());
    auto message = parser.release();
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    response.body = std::move(message.body());
    for (const auto& field : message) {
      std::string name = LowerAscii(field.name_string());
      auto [it, inserted] = response.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    return response;
  }

  // True when the server closes the connection (EOF or reset) within `wait`; any bytes
  // still arriving meanwhile are discarded.
  bool WaitForClose(std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    buffer_.clear();
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      char scratch[4096];
      boost::beast::error_code result;
      size_t received = 0;
      stream_.expires_at(deadline);
      stream_.async_read_some(boost::asio::buffer(scratch), [&](boost::beast::error_code ec, size_t n) {
        result = ec;
        received = n;
      });
      Run();
      if (result == boost::beast::error::timeout) return false;
      if (result) return true;
      (void)received;
    }
    return false;
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  boost::asio::io_context ioc_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// One request on a fresh connection ("Connection: close" unless `headers` says otherwise).
inline ClientResponse HttpCall(uint16_t port, std::string method, std::string target, std::string body = "",
                               std::map<std::string, std::string> headers = {}) {
  bool has_connection = false;
  for (const auto& [name, value] : headers) {
    if (LowerAscii(name) == "connection") has_connection = true;
  }
  if (!has_connection) headers.emplace("Connection", "close");
  HttpConnection connection(port);
  return connection.Call(std::move(method), std::move(target), std::move(body), std::move(headers));
}

// Raw bytes on a fresh connection; returns the first response.
inline ClientResponse HttpRawCall(uint16_t port, std::string_view raw) {
  HttpConnection connection(port);
  connection.WriteRaw(raw);
  return connection.ReadResponse();
}

}  // namespace epermit::testing
