#include "http/server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <optional>
#include <random>
#include <thread>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "http/problem.hpp"

namespace epermit::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// After an error response sent before the request was fully read (413, 400), the
// client may still be sending. Closing at once would make the kernel answer with RST,
// which can destroy the response in flight; so the rest is read and dropped for a
// while first (as Apache's lingering close does). Also bounds the wait for the
// client's TLS close_notify after ours.
constexpr std::chrono::seconds kLingerTime{2};
constexpr size_t kLingerMaxBytes = 8u << 20;

// Sent on every response over TLS (never over plain HTTP, where a browser ignores it).
constexpr char kHsts[] = "max-age=31536000";
// TLS 1.2 suites: ECDHE with AEAD only (Mozilla's "intermediate" profile without the
// finite-field DHE ones). TLS 1.3 has only AEAD suites; all three are allowed.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char kTls13Suites[] = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char kTlsGroups[] = "X25519:P-256:P-384";

// Request ids only correlate log lines with responses; they need to be unique, not
// secret, so a per-thread PRNG seeded from the OS is enough (and fast).
std::string NewRequestId() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  char buf[33];
  std::snprintf(buf, sizeof(buf), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return std::string(buf, 32);
}

std::string SizeText(size_t bytes) {
  if (bytes >= (1u << 20) && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= 1024 && bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

bool SafeHeaderValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

Error TlsConfigError(const std::string& en, const std::string& zh) {
  ERR_clear_error();  // what OpenSSL queued is in the message; leave the thread's queue clean
  return MakeError(ErrorKind::kInvalidArgument, "server.tls_config", en, zh);
}

bool Readable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return in.good();
}

// The server's TLS context: TLS 1.2 at least, ECDHE + AEAD suites, no compression, no
// renegotiation, no session tickets, and the certificate chain with its matching key.
Status ConfigureTls(ssl::context& ctx, const ServerOptions& options) {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  if (cert.empty() || key.empty()) {
    return TlsConfigError(
        "TLS needs both a certificate chain file and a private key file (server.tls_cert, "
        "server.tls_key); only one was given.",
        "启用 TLS 需要同时提供证书链文件和私钥文件（server.tls_cert、server.tls_key），目前只提供了一个。");
  }
  SSL_CTX* native = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1 ||
      SSL_CTX_set1_groups_list(native, kTlsGroups) != 1) {
    return TlsConfigError("This OpenSSL cannot offer TLS 1.2/1.3 with the required cipher suites.",
                          "当前 OpenSSL 无法提供所需密码套件的 TLS 1.2/1.3。");
  }
  SSL_CTX_set_options(native, SSL_OP_NO_SSLv3 | SSL_OP_NO_TLSv1 | SSL_OP_NO_TLSv1_1 | SSL_OP_NO_COMPRESSION |
                                  SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);

  for (const auto& [path, what_en, what_zh] :
       {std::tuple{cert, "certificate chain", "证书链"}, std::tuple{key, "private key", "私钥"}}) {
    if (!Readable(path)) {
      return TlsConfigError(std::string("Cannot read the TLS ") + what_en + " file '" + path + "'.",
                            std::string("无法读取 TLS ") + what_zh + "文件“" + path + "”。");
    }
  }
  beast::error_code ec;
  ctx.use_certificate_chain_file(cert, ec);
  if (ec) {
    return TlsConfigError(
        "The TLS certificate chain file '" + cert + "' is not a PEM certificate chain (" + ec.message() + ").",
        "TLS 证书链文件“" + cert + "”不是 PEM 格式的证书链（" + ec.message() + "）。");
  }
  ctx.use_private_key_file(key, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(native) != 1) {
    const std::string why = ec ? ec.message() : std::string("key values mismatch");
    return TlsConfigError("The TLS private key file '" + key + "' is not a PEM private key for the certificate in '" +
                              cert + "' (" + why + ").",
                          "TLS 私钥文件“" + key + "”不是与证书“" + cert + "”匹配的 PEM 私钥（" + why + "）。");
  }
  return Status::Ok();
}

}  // namespace

class Session;

struct HttpServer::Impl {
  Impl(ServerOptions opts, const Router& r)
      : options(std::move(opts)), router(r), ioc(options.threads < 1 ? 1 : options.threads) {}

  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void Register(const std::shared_ptr<Session>& session);
  void Unregister(Session* session);

  const ServerOptions options;
  const Router& router;
  // Set by Start() when options.tls(); shared by every connection (OpenSSL's SSL_CTX is
  // thread-safe once configured).
  std::optional<ssl::context> tls;

  // Declared before the io_context: sessions destroyed along with its pending handlers
  // unregister themselves here.
  std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;
  bool started = false;
  bool stop_requested = false;
  bool stopped = false;
  bool acceptor_closed = false;
  std::atomic<bool> stopping{false};
  std::atomic<uint16_t> bound_port{0};

  asio::io_context ioc;
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  asio::steady_timer accept_retry{acceptor.get_executor()};
  std::vector<std::thread> threads;
};

// One connection, as the server's bookkeeping sees it (plain or TLS alike).
class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(HttpServer::Impl* server) : server_(server) {}
  virtual ~Session() { server_->Unregister(this); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Posted by Stop(): a connection waiting for its next request (or still in its TLS
  // handshake) is closed now; one in the middle of a request finishes it first.
  virtual void OnServerStop() = 0;
  // Only when no io thread runs (after Stop() joined them): cuts the connection of a
  // session whose handlers will never run again.
  virtual void ForceClose() = 0;
  virtual asio::any_io_executor executor() = 0;

 protected:
  using ServerImpl = HttpServer::Impl;
  ServerImpl* const server_;
};

namespace {

// The connection over a plain TCP stream or a TLS stream on top of one: the same code,
// so both have the same limits, timeouts and shutdown. All of a connection's handlers
// run on its own strand, so its members need no locking; the io threads serve many
// connections in parallel.
template <class Stream>
class StreamSession final : public Session {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

 public:
  template <class... StreamArgs>
  explicit StreamSession(ServerImpl* server, StreamArgs&&... args)
      : Session(server), stream_(std::forward<StreamArgs>(args)...) {
    beast::error_code ec;
    const auto endpoint = Tcp().socket().remote_endpoint(ec);
    if (!ec) remote_addr_ = endpoint.address().to_string();
  }

  void Run() {
    server_->Register(shared_from_this());
    asio::post(stream_.get_executor(), [self = Self()] { self->Begin(); });
  }

  void OnServerStop() override {
    if (state_ == State::kIdle || state_ == State::kHandshake) Tcp().cancel();
  }

  void ForceClose() override { Close(); }

  asio::any_io_executor executor() override { return stream_.get_executor(); }

 private:
  enum class State { kHandshake, kIdle, kReading, kProcessing, kWriting, kLingering, kClosed };

  std::shared_ptr<StreamSession> Self() { return std::static_pointer_cast<StreamSession>(shared_from_this()); }
  const ServerOptions& options() const { return server_->options; }
  // The TCP layer: timeouts, cancellation and the socket itself.
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (kTls) {
      if (server_->stopping.load()) return Close();
      // A client that connects and then handshakes slowly (or never) is a slow client:
      // the handshake gets read_timeout, as a request does.
      state_ = State::kHandshake;
      Tcp().expires_after(options().read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = Self()](beast::error_code ec) { self->OnHandshake(ec); });
    } else {
      DoRead();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      // Plain HTTP to this port, an old protocol version, a scanner, a timeout. No
      // personal data can be in a failed handshake; debug only, so scans cannot flood.
      spdlog::debug("tls handshake failed: {}", ec.message());
      return Close();
    }
    DoRead();
  }

  void DoRead() {
    if (server_->stopping.load()) return Close();
    state_ = State::kIdle;
    parser_.emplace();
    parser_->body_limit(options().body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(options().header_limit));
    // Pipelined bytes already buffered: no need to wait.
    if (buffer_.size() > 0) return ReadHeader();
    // Waiting for the first byte is "idle" (long timeout for kept-alive connections);
    // once it arrives, the whole request must come within read_timeout, which stops
    // slow-drip clients from holding a connection.
    Tcp().expires_after(first_request_ ? options().read_timeout : options().idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = Self()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) return Close();  // idle timeout, peer closed, or Stop()
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    state_ = State::kReading;
    Tcp().expires_after(options().read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    // Clients such as curl wait (about 1 s) for "100 Continue" before sending a larger
    // body; an over-limit Content-Length has already failed in the header read.
    if (!parser_->is_done() && header.version() >= 11 &&
        EqualsIgnoreCase(header[bhttp::field::expect], "100-continue")) {
      continue_.emplace(bhttp::status::continue_, 11);
      bhttp::async_write(stream_, *continue_, [self = Self()](beast::error_code write_ec, size_t) {
        if (write_ec) return self->Close();
        self->ReadBody();
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      if (ec) return self->OnReadError(ec);
      self->OnRequest();
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      const std::string limit = SizeText(options().body_limit);
      return SendError(413,
                       MakeError(ErrorKind::kPayloadTooLarge, "request.too_large",
                                 "Request body exceeds the " + limit + " limit.", "请求体超过 " + limit + " 的上限。"));
    }
    if (ec == bhttp::error::header_limit) {
      return SendError(431, MakeError(ErrorKind::kInvalidArgument, "request.header_too_large",
                                      "Request headers exceed the " + SizeText(options().header_limit) + " limit.",
                                      "请求头超过 " + SizeText(options().header_limit) + " 的上限。"));
    }
    const bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
    if (parse_error) {
      return SendError(400, MakeError(ErrorKind::kInvalidArgument, "request.malformed",
                                      "The request is not valid HTTP/1.1.", "请求不是有效的 HTTP/1.1 请求。"));
    }
    Close();  // timeout, reset, TLS error, peer gone mid-request: nobody to answer
  }

  // An answer to a request that could not be read; the connection is then closed.
  void SendError(int status, const Error& error) {
    std::string path = "-";
    std::string method = "-";
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      path = std::string(PathOf(parser_->get().target()));
    }
    request_id_ = NewRequestId();
    log_method_ = std::move(method);
    log_route_ = "(unrouted)";  // a raw path may carry an ID number; only route patterns are logged
    start_ = Clock::now();
    Send(ProblemResponseWithStatus(status, error, path == "-" ? "" : path), 11,
         /*keep_alive=*/false, /*head=*/false, /*linger=*/true);
  }

  void OnRequest() {
    state_ = State::kProcessing;
    start_ = Clock::now();
    bhttp::request<bhttp::string_body> message = parser_->release();
    parser_.reset();

    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = std::move(message.body());
    request.headers.reserve(16);
    for (const auto& field : message) {
      request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    request.content_type = std::string(message[bhttp::field::content_type]);
    request.remote_addr = remote_addr_;
    request.request_id = NewRequestId();

    HttpResponse response;
    try {
      response = server_->router.Dispatch(request);
    } catch (...) {
      // Dispatch does not throw; this only guards the io thread against a bug.
      response = ProblemResponse(InternalError("router threw"), PathOf(request.target));
    }

    request_id_ = std::move(request.request_id);
    log_method_ = std::move(request.method);
    log_route_ = request.route.empty() ? std::string("(unrouted)") : request.route;
    const bool keep_alive = message.keep_alive() && !server_->stopping.load();
    Send(std::move(response), message.version(), keep_alive, log_method_ == "HEAD",
         /*linger=*/false);
  }

  void Send(HttpResponse response, unsigned version, bool keep_alive, bool head, bool linger) {
    state_ = State::kWriting;
    log_status_ = response.status;
    response_.emplace();
    auto& res = *response_;
    res.version(version);
    res.result(static_cast<unsigned>(response.status));
    res.set(bhttp::field::server, "epermit");
    const bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
    if (!no_body && !response.content_type.empty()) {
      res.set(bhttp::field::content_type, response.content_type);
    }
    for (auto& [name, value] : response.headers) {
      if (name.empty() || !SafeHeaderValue(name) || !SafeHeaderValue(value)) {
        spdlog::warn("dropped unsafe response header request_id={}", request_id_);
        continue;
      }
      res.insert(name, value);
    }
    res.set("X-Request-Id", request_id_);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    res.set("Referrer-Policy", "no-referrer");
    if constexpr (kTls) res.set(bhttp::field::strict_transport_security, kHsts);
    if (response.Header("Cache-Control") == nullptr) res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(keep_alive);
    if (no_body) {
      response.body.clear();
    }
    res.body() = std::move(response.body);
    res.prepare_payload();
    // HEAD: same headers (Content-Length included) as GET would give, no body.
    if (head) res.body().clear();

    Tcp().expires_after(options().read_timeout);
    bhttp::async_write(stream_, res, [self = Self(), keep_alive, linger](beast::error_code ec, size_t) {
      self->OnWrite(ec, keep_alive, linger);
    });
  }

  void OnWrite(beast::error_code ec, bool keep_alive, bool linger) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    // Never the query string, headers or bodies: they may carry personal data.
    spdlog::info("http {} {} {} {}us id={}", log_method_, log_route_, log_status_, micros, request_id_);
    response_.reset();
    if (ec) return Close();
    if (!keep_alive) return linger ? Linger() : Shutdown();
    first_request_ = false;
    DoRead();
  }

  // The end of a connection after its last response. Over TLS the close_notify alert
  // goes out first (so the client can tell the end from a cut), waiting a bounded time
  // for the client's own.
  void Shutdown() {
    if constexpr (kTls) {
      state_ = State::kLingering;
      Tcp().expires_after(kLingerTime);
      stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
    } else {
      Close();
    }
  }

  // Over TLS too the rest is drained at the TCP level: only the response matters now.
  void Linger() {
    state_ = State::kLingering;
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    buffer_.clear();
    Tcp().expires_after(kLingerTime);
    DrainSome();
  }

  void DrainSome() {
    Tcp().async_read_some(asio::buffer(drain_), [self = Self()](beast::error_code ec, size_t n) {
      self->drained_ += n;
      if (ec || self->drained_ > kLingerMaxBytes) return self->Close();
      self->DrainSome();
    });
  }

  void Close() {
    state_ = State::kClosed;
    beast::error_code ignored;
    Tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Tcp().socket().close(ignored);
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  std::array<char, 8192> drain_{};
  size_t drained_ = 0;
  State state_ = kTls ? State::kHandshake : State::kIdle;
  bool first_request_ = true;
  std::string remote_addr_;
  // For the access log line written when the response has gone out.
  std::string request_id_;
  std::string log_method_;
  std::string log_route_;
  int log_status_ = 0;
  Clock::time_point start_;
};

}  // namespace

void HttpServer::Impl::Accept() {
  acceptor.async_accept(asio::make_strand(ioc),
                        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || stopping.load()) return;
  if (ec) {
    // E.g. out of file descriptors: back off briefly instead of spinning.
    spdlog::warn("accept failed: {}", ec.message());
    accept_retry.expires_after(std::chrono::milliseconds(50));
    accept_retry.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping.load()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  // Responses go out in one gather write; no reason to let Nagle delay them.
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<StreamSession<TlsStream>>(this, std::move(socket), *tls)->Run();
  } else {
    std::make_shared<StreamSession<PlainStream>>(this, std::move(socket))->Run();
  }
  Accept();
}

void HttpServer::Impl::Register(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu);
  sessions.emplace(session.get(), session);
  if (stopping.load()) {
    asio::post(session->executor(), [session] { session->OnServerStop(); });
  }
}

void HttpServer::Impl::Unregister(Session* session) {
  std::lock_guard lock(mu);
  sessions.erase(session);
  if (sessions.empty()) cv.notify_all();
}

HttpServer::HttpServer(ServerOptions options, const Router& router)
    : impl_(std::make_unique<Impl>(std::move(options), router)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->started) {
    return MakeError(ErrorKind::kFailedPrecondition, "server.already_started", "The HTTP server was already started.",
                     "HTTP 服务已经启动。");
  }
  const ServerOptions& options = impl_->options;
  if (options.tls()) {
    impl_->tls.emplace(ssl::context::tls_server);
    if (Status s = ConfigureTls(*impl_->tls, options); !s.ok()) {
      impl_->tls.reset();
      return s;
    }
  }
  beast::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) {
    return MakeError(ErrorKind::kInvalidArgument, "server.bad_address",
                     "Invalid listen address '" + options.address + "'.", "监听地址“" + options.address + "”无效。");
  }
  const tcp::endpoint endpoint(address, options.port);
  auto& acceptor = impl_->acceptor;
  const auto fail = [&](std::string_view step) -> Status {
    beast::error_code ignored;
    acceptor.close(ignored);
    const std::string where = options.address + ":" + std::to_string(options.port);
    return MakeError(ErrorKind::kUnavailable, "server.bind",
                     "Cannot listen on " + where + " (" + std::string(step) + ": " + ec.message() + ").",
                     "无法在 " + where + " 上监听（" + std::string(step) + "：" + ec.message() + "）。");
  };
  if (acceptor.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail("setsockopt");
  if (acceptor.bind(endpoint, ec)) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  impl_->bound_port = acceptor.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");

  impl_->started = true;
  impl_->Accept();
  const int thread_count = options.threads < 1 ? 1 : options.threads;
  for (int i = 0; i < thread_count; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] {
      // Handlers report errors as values; this is the last line of defence so one
      // bug cannot take an io thread (and with it the service) down.
      while (true) {
        try {
          impl->ioc.run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("io thread caught exception: {}", e.what());
        }
      }
    });
  }
  spdlog::info("http server listening on {}:{} with {} threads{}", options.address, impl_->bound_port.load(),
               thread_count, impl_->tls ? " (TLS only)" : "");
  return Status::Ok();
}

uint16_t HttpServer::port() const { return impl_->bound_port.load(); }

void HttpServer::Stop() {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mu);
  if (!impl.started || impl.stopped) return;
  if (impl.stop_requested) {
    impl.cv.wait(lock, [&] { return impl.stopped; });
    return;
  }
  impl.stop_requested = true;
  impl.stopping.store(true);

  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
    impl.accept_retry.cancel();
    std::lock_guard acceptor_lock(impl.mu);
    impl.acceptor_closed = true;
    impl.cv.notify_all();
  });
  // Posted outside the lock: dropping the last reference to a session runs its
  // destructor, which takes the lock to unregister.
  std::vector<std::shared_ptr<Session>> live;
  live.reserve(impl.sessions.size());
  for (auto& [raw, weak] : impl.sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  lock.unlock();
  for (auto& session : live) {
    asio::post(session->executor(), [session] { session->OnServerStop(); });
  }
  live.clear();
  lock.lock();
  const bool drained = impl.cv.wait_for(lock, impl.options.shutdown_grace,
                                        [&] { return impl.sessions.empty() && impl.acceptor_closed; });
  if (!drained) {
    spdlog::warn("http server: {} connection(s) still open after the shutdown grace period", impl.sessions.size());
  }
  lock.unlock();

  // Remaining work (if any) is abandoned; pending handlers are destroyed with the
  // io_context, which closes their sockets.
  impl.ioc.stop();
  for (auto& thread : impl.threads) thread.join();
  impl.threads.clear();

  // Connections that outlived the grace period: their handlers stay queued in the
  // stopped io_context until it is destroyed, so close the sockets now, letting the
  // peers see the end at once. No io thread runs, so touching them here is safe.
  lock.lock();
  for (auto& [raw, weak] : impl.sessions) {
    if (auto session = weak.lock()) live.push_back(std::move(session));
  }
  lock.unlock();
  for (auto& session : live) session->ForceClose();
  live.clear();

  lock.lock();
  impl.stopped = true;
  impl.cv.notify_all();
  spdlog::info("http server stopped");
}

void HttpServer::Wait() {
  Impl& impl = *impl_;
  std::unique_lock lock(impl.mu);
  if (!impl.started) return;
  impl.cv.wait(lock, [&] { return impl.stopped; });
}

}  // namespace epermit::http
