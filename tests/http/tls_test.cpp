// The server's TLS option: a real HttpServer with a certificate made at run time (no key
// is ever committed), driven by Beast ssl_stream clients that verify it.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "http/http_client.hpp"
#include "http/problem.hpp"
#include "http/server.hpp"
#include "support/test_support.hpp"

namespace epermit::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using epermit::testing::ClientResponse;
using epermit::testing::HttpCall;
using epermit::testing::HttpConnection;
using epermit::testing::LowerAscii;
using epermit::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

// ---- a self-signed certificate for "localhost" / 127.0.0.1, made with OpenSSL ------------

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

Pkey NewKey() {
  Pkey key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

void AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX v3;
  X509V3_set_ctx_nodb(&v3);
  X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1) throw std::runtime_error("X509 extension failed");
  X509_EXTENSION_free(ext);
}

Cert SelfSigned(EVP_PKEY* key) {
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  AddExtension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign");
  AddExtension(cert.get(), NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
  return cert;
}

void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + path);
  const bool ok = cert != nullptr ? PEM_write_X509(f, cert) == 1
                                  : PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  std::fclose(f);
  if (!ok) throw std::runtime_error("PEM write failed: " + path);
}

// cert.pem + key.pem (a pair), other-key.pem (a key of no certificate), not-pem.txt.
struct TestPki {
  TempDir dir;
  std::string cert = dir.File("cert.pem");
  std::string key = dir.File("key.pem");
  std::string other_key = dir.File("other-key.pem");
  std::string not_pem = dir.File("not-pem.txt");

  TestPki() {
    Pkey pair_key = NewKey();
    Cert pair_cert = SelfSigned(pair_key.get());
    WritePem(cert, pair_cert.get(), nullptr);
    WritePem(key, nullptr, pair_key.get());
    WritePem(other_key, nullptr, NewKey().get());
    std::FILE* f = std::fopen(not_pem.c_str(), "w");
    std::fputs("this is not a certificate\n", f);
    std::fclose(f);
  }
};

// ---- a TLS client that verifies the server against the test certificate ------------------

struct ClientVersions {
  int min = 0;  // 0: OpenSSL's default
  int max = 0;
  bool allow_legacy = false;  // security level 0, so that OpenSSL 3 will offer TLS 1.1 at all
};

std::unique_ptr<ssl::context> ClientContext(const std::string& ca_file, ClientVersions v = {}) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->load_verify_file(ca_file);
  ctx->set_verify_mode(ssl::verify_peer);
  if (v.allow_legacy) SSL_CTX_set_cipher_list(ctx->native_handle(), "DEFAULT:@SECLEVEL=0");
  if (v.min != 0) SSL_CTX_set_min_proto_version(ctx->native_handle(), v.min);
  if (v.max != 0) SSL_CTX_set_max_proto_version(ctx->native_handle(), v.max);
  return ctx;
}

class TlsConnection {
 public:
  TlsConnection(uint16_t port, ssl::context& ctx, std::chrono::milliseconds timeout = 10s)
      : stream_(ioc_, ctx), timeout_(timeout) {
    const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    beast::error_code result;
    Tcp().expires_after(timeout_);
    Tcp().async_connect(endpoint, [&](beast::error_code ec) { result = ec; });
    Run();
    if (result) throw std::runtime_error("connect: " + result.message());
    SSL_set_tlsext_host_name(stream_.native_handle(), "localhost");
    SSL_set1_host(stream_.native_handle(), "localhost");  // the certificate must name it
  }

  // "" when the handshake succeeded, else why it failed.
  std::string Handshake() {
    beast::error_code result;
    Tcp().expires_after(timeout_);
    stream_.async_handshake(ssl::stream_base::client, [&](beast::error_code ec) { result = ec; });
    Run();
    return result ? result.message() : "";
  }

  ClientResponse Call(std::string method, std::string target, std::string body = "",
                      std::map<std::string, std::string> headers = {}) {
    bhttp::request<bhttp::string_body> request;
    request.method_string(method);
    request.target(target);
    request.version(11);
    request.set(bhttp::field::host, "localhost");
    for (const auto& [name, value] : headers) request.set(name, value);
    if (!body.empty()) request.set(bhttp::field::content_type, "application/json");
    request.body() = std::move(body);
    request.prepare_payload();
    Tcp().expires_after(timeout_);
    beast::error_code write_ec;
    bhttp::async_write(stream_, request, [&](beast::error_code ec, size_t) { write_ec = ec; });
    Run();

    bhttp::response_parser<bhttp::string_body> parser;
    beast::error_code read_ec;
    Tcp().expires_after(timeout_);
    bhttp::async_read(stream_, buffer_, parser, [&](beast::error_code ec, size_t) { read_ec = ec; });
    Run();
    if (read_ec) {
      throw std::runtime_error("read: " + read_ec.message() + (write_ec ? " (write: " + write_ec.message() + ")" : ""));
    }
    auto message = parser.release();
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    response.body = std::move(message.body());
    for (const auto& field : message) {
      response.headers.emplace(LowerAscii(field.name_string()), std::string(field.value()));
    }
    return response;
  }

  // How the next read ends: eof is the server's TLS close_notify, stream_truncated a
  // TCP close without one, timeout nothing within `wait`.
  beast::error_code ReadUntilEnd(std::chrono::milliseconds wait = 5s) {
    char scratch[1024];
    beast::error_code result;
    Tcp().expires_after(wait);
    while (!result) {
      stream_.async_read_some(asio::buffer(scratch), [&](beast::error_code ec, size_t) { result = ec; });
      Run();
    }
    return result;
  }

  std::string Version() { return SSL_get_version(stream_.native_handle()); }
  std::string Cipher() { return SSL_get_cipher_name(stream_.native_handle()); }

 private:
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  asio::io_context ioc_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_;
};

// ---- the tests -----------------------------------------------------------------------------

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add("GET", "/x", [](HttpRequest& req) { return JsonResponse(200, {{"remote", req.remote_addr}}); });
    router_.Add("POST", "/x", [](HttpRequest& req) { return JsonResponse(200, {{"bytes", req.body.size()}}); });
    router_.Add("GET", "/slow", [this](HttpRequest&) {
      slow_started_.store(true);
      std::this_thread::sleep_for(400ms);
      return JsonResponse(200, {{"slow", true}});
    });
    client_ = ClientContext(pki_.cert);
  }

  ServerOptions TlsOptions() const {
    ServerOptions options;
    options.port = 0;
    options.tls_cert_file = pki_.cert;
    options.tls_key_file = pki_.key;
    return options;
  }

  std::unique_ptr<HttpServer> StartServer(const ServerOptions& options) {
    auto server = std::make_unique<HttpServer>(options, router_);
    Status started = server->Start();
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message_en);
    return server;
  }

  TestPki pki_;
  Router router_;
  std::unique_ptr<ssl::context> client_;
  std::atomic<bool> slow_started_{false};
};

TEST_F(TlsServerTest, VerifiedHttpsWithHstsAndTheSecurityHeaders) {
  auto server = StartServer(TlsOptions());
  TlsConnection connection(server->port(), *client_);
  ASSERT_EQ(connection.Handshake(), "");
  EXPECT_EQ(connection.Version(), "TLSv1.3");  // what a current client gets
  ClientResponse r = connection.Call("GET", "/x");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["remote"], "127.0.0.1");
  EXPECT_EQ(r.Header("Strict-Transport-Security"), "max-age=31536000");
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.Header("Content-Security-Policy"), "default-src 'none'; frame-ancestors 'none'");
  EXPECT_EQ(r.Header("Cache-Control"), "no-store");
  // Kept alive over the same TLS session; errors carry HSTS too.
  ClientResponse missing = connection.Call("GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("Strict-Transport-Security"), "max-age=31536000");
}

TEST_F(TlsServerTest, Tls12ClientGetsAnEcdheAeadSuite) {
  auto server = StartServer(TlsOptions());
  auto tls12 = ClientContext(pki_.cert, {.min = TLS1_2_VERSION, .max = TLS1_2_VERSION});
  TlsConnection connection(server->port(), *tls12);
  ASSERT_EQ(connection.Handshake(), "");
  EXPECT_EQ(connection.Version(), "TLSv1.2");
  const std::string cipher = connection.Cipher();
  EXPECT_EQ(cipher.rfind("ECDHE-", 0), 0u) << cipher;
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos || cipher.find("CHACHA20") != std::string::npos) << cipher;
  EXPECT_EQ(connection.Call("GET", "/x").status, 200);
}

TEST_F(TlsServerTest, OldProtocolVersionsAndWeakSuitesAreRefused) {
  auto server = StartServer(TlsOptions());
  // The client offers TLS 1.1 only (security level 0, so OpenSSL 3 really sends it): the
  // server's protocol_version alert is the answer.
  auto tls11 = ClientContext(pki_.cert, {.min = TLS1_1_VERSION, .max = TLS1_1_VERSION, .allow_legacy = true});
  TlsConnection old(server->port(), *tls11);
  const std::string refused = old.Handshake();
  EXPECT_NE(refused.find("protocol version"), std::string::npos) << refused;

  // TLS 1.2 with only CBC (non-AEAD) suites: no shared cipher.
  auto cbc = ClientContext(pki_.cert, {.min = TLS1_2_VERSION, .max = TLS1_2_VERSION});
  ASSERT_EQ(SSL_CTX_set_cipher_list(cbc->native_handle(), "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384"), 1);
  TlsConnection weak(server->port(), *cbc);
  EXPECT_NE(weak.Handshake(), "");
}

TEST_F(TlsServerTest, ClientThatDoesNotTrustTheCertificateFails) {
  auto server = StartServer(TlsOptions());
  ssl::context untrusting(ssl::context::tls_client);
  untrusting.set_default_verify_paths();
  untrusting.set_verify_mode(ssl::verify_peer);
  TlsConnection connection(server->port(), untrusting);
  EXPECT_NE(connection.Handshake().find("certificate verify failed"), std::string::npos);
}

TEST_F(TlsServerTest, PlainHttpToTheTlsPortGetsNoHttpAnswer) {
  auto server = StartServer(TlsOptions());
  EXPECT_THROW(HttpCall(server->port(), "GET", "/x"), std::runtime_error);
  // The server goes on serving TLS clients.
  TlsConnection connection(server->port(), *client_);
  ASSERT_EQ(connection.Handshake(), "");
  EXPECT_EQ(connection.Call("GET", "/x").status, 200);
}

TEST_F(TlsServerTest, PlainServerSendsNoHsts) {
  ServerOptions options;
  options.port = 0;
  auto server = StartServer(options);
  ClientResponse r = HttpCall(server->port(), "GET", "/x");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
  EXPECT_FALSE(r.HasHeader("Strict-Transport-Security"));
}

TEST_F(TlsServerTest, LimitsHoldOverTls) {
  auto server = StartServer(TlsOptions());
  TlsConnection big(server->port(), *client_);
  ASSERT_EQ(big.Handshake(), "");
  ClientResponse r = big.Call("POST", "/x", std::string((1u << 20) + 1, 'x'));
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.Json()["code"], "request.too_large");
  EXPECT_EQ(r.Header("Strict-Transport-Security"), "max-age=31536000");

  TlsConnection headers(server->port(), *client_);
  ASSERT_EQ(headers.Handshake(), "");
  EXPECT_EQ(headers.Call("GET", "/x", "", {{"X-Padding", std::string(20 * 1024, 'a')}}).status, 431);
}

TEST_F(TlsServerTest, ConnectionCloseEndsWithCloseNotify) {
  auto server = StartServer(TlsOptions());
  TlsConnection connection(server->port(), *client_);
  ASSERT_EQ(connection.Handshake(), "");
  ClientResponse r = connection.Call("GET", "/x", "", {{"Connection", "close"}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Connection"), "close");
  // eof, not stream_truncated: the server said goodbye at the TLS level.
  EXPECT_EQ(connection.ReadUntilEnd(), asio::error::eof);
}

TEST_F(TlsServerTest, SlowHandshakeIsCutAfterTheReadTimeout) {
  ServerOptions options = TlsOptions();
  options.read_timeout = 1s;
  options.idle_timeout = 60s;
  auto server = StartServer(options);

  // Connects and never starts the handshake.
  const auto before = std::chrono::steady_clock::now();
  HttpConnection silent(server->port());
  EXPECT_TRUE(silent.WaitForClose(5s));
  const auto took = std::chrono::steady_clock::now() - before;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 4s);

  // Starts a handshake record and stalls in the middle of it.
  HttpConnection stalled(server->port());
  stalled.WriteRaw(std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11));
  EXPECT_TRUE(stalled.WaitForClose(5s));

  // Handshakes, then sends no request: the first request has read_timeout too.
  TlsConnection quiet(server->port(), *client_);
  ASSERT_EQ(quiet.Handshake(), "");
  const auto idle_from = std::chrono::steady_clock::now();
  EXPECT_NE(quiet.ReadUntilEnd(5s), beast::error::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - idle_from, 4s);
}

TEST_F(TlsServerTest, GracefulStopOverTls) {
  ServerOptions options = TlsOptions();
  options.read_timeout = 30s;
  auto server = StartServer(options);
  HttpConnection handshaking(server->port());  // TCP only, handshake never started
  TlsConnection idle(server->port(), *client_);
  ASSERT_EQ(idle.Handshake(), "");
  auto in_flight = std::async(std::launch::async, [&] {
    TlsConnection connection(server->port(), *client_);
    if (!connection.Handshake().empty()) return ClientResponse{};
    return connection.Call("GET", "/slow");
  });
  while (!slow_started_.load()) std::this_thread::sleep_for(5ms);

  const auto before = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 5s);
  ClientResponse r = in_flight.get();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("Connection"), "close");
  EXPECT_TRUE(handshaking.WaitForClose(1s));
  EXPECT_NE(idle.ReadUntilEnd(1s), beast::error::timeout);
}

// ---- configuration errors: clear, and nothing listens ----------------------------------

Status StartWith(const std::string& cert, const std::string& key, uint16_t* port_after = nullptr) {
  Router router;
  ServerOptions options;
  options.port = 0;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  HttpServer server(options, router);
  Status s = server.Start();
  if (port_after != nullptr) *port_after = server.port();
  return s;
}

void ExpectTlsConfigError(const Status& s, const std::string& en_part) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "server.tls_config");
  EXPECT_EQ(s.error().kind, ErrorKind::kInvalidArgument);
  EXPECT_NE(s.error().message_en.find(en_part), std::string::npos) << s.error().message_en;
  EXPECT_NE(s.error().message_zh.find("TLS"), std::string::npos) << s.error().message_zh;
}

TEST(TlsConfigTest, BadFilesAreClearErrorsAndTheServerDoesNotStart) {
  TestPki pki;
  uint16_t port = 1;
  ExpectTlsConfigError(StartWith(pki.cert, "", &port), "both");
  EXPECT_EQ(port, 0);
  ExpectTlsConfigError(StartWith("", pki.key), "both");
  ExpectTlsConfigError(StartWith(pki.dir.File("missing.pem"), pki.key, &port), "missing.pem");
  EXPECT_EQ(port, 0);
  ExpectTlsConfigError(StartWith(pki.not_pem, pki.key), "not a PEM certificate chain");
  ExpectTlsConfigError(StartWith(pki.cert, pki.dir.File("no-key.pem")), "no-key.pem");
  ExpectTlsConfigError(StartWith(pki.cert, pki.not_pem), "not-pem.txt");
  ExpectTlsConfigError(StartWith(pki.key, pki.key), "not a PEM certificate chain");  // a key is no certificate
  // A key of another certificate.
  Status mismatch = StartWith(pki.cert, pki.other_key, &port);
  ExpectTlsConfigError(mismatch, "other-key.pem");
  EXPECT_NE(mismatch.error().message_en.find("for the certificate in"), std::string::npos);
  EXPECT_EQ(port, 0);
  // The right pair starts.
  EXPECT_TRUE(StartWith(pki.cert, pki.key, &port).ok());
  EXPECT_NE(port, 0);
}

}  // namespace
}  // namespace epermit::http
