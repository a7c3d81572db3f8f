// The HTTP/1.1 server: Boost.Beast over Asio, N threads running one io_context.
// It turns wire requests into HttpRequest, asks the Router, and writes the answer with
// the security headers every response carries. With a certificate and key it speaks
// only HTTPS (OpenSSL, TLS 1.2 or 1.3). Boost stays out of this header.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "http/router.hpp"

namespace epermit::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; see HttpServer::port()
  int threads = 2;
  size_t body_limit = 1 << 20;      // larger bodies get 413 request.too_large
  size_t header_limit = 16 * 1024;  // larger headers get 431 request.header_too_large
  // From the first byte of a request to its last; also bounds a response write.
  std::chrono::seconds read_timeout{15};
  // How long a kept-alive connection may wait for its next request.
  std::chrono::seconds idle_timeout{60};
  // How long Stop() waits for in-flight requests before cutting connections.
  std::chrono::seconds shutdown_grace{10};
  // TLS: PEM files of the certificate chain (the server's certificate first) and its
  // private key. Both set: the port accepts only TLS 1.2 or 1.3 (the TLS handshake must
  // finish within read_timeout) and every response carries Strict-Transport-Security.
  // Both empty: plain HTTP, for 127.0.0.1 or behind a TLS-terminating proxy (docs/DEPLOY.md).
  std::string tls_cert_file;
  std::string tls_key_file;

  bool tls() const { return !tls_cert_file.empty() || !tls_key_file.empty(); }
};

class HttpServer {
 public:
  // `router` must outlive the server.
  HttpServer(ServerOptions options, const Router& router);
  ~HttpServer();  // Stop()s if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS certificate and key (when set), binds, listens and starts the io
  // threads. Errors: server.tls_config (kInvalidArgument: only one of the two files
  // given, a file unreadable or not PEM, a key that does not match the certificate),
  // server.bad_address (kInvalidArgument), server.bind (kUnavailable),
  // server.already_started. Nothing listens after an error.
  Status Start();

  // The bound port (useful with port 0); 0 before Start().
  uint16_t port() const;

  // Graceful: stops accepting, closes idle connections, lets requests being read or
  // handled finish (answered with Connection: close) for up to shutdown_grace, then
  // joins the threads. Idempotent and thread-safe; must not be called from a handler.
  void Stop();

  // Blocks until Stop() has completed (returns at once if never started).
  void Wait();

 private:
  friend class Session;  // one connection; defined in server.cpp
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace epermit::http
