#include "app/http_fetch.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace epermit::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

Error UrlError(const std::string& url, const std::string& why) {
  return MakeError(ErrorKind::kInvalidArgument, "fetch.url", "Cannot fetch '" + url + "': " + why + ".",
                   "无法获取 '" + url + "'：" + why + "。", "url");
}

Error NetworkError(const std::string& url, const std::string& why) {
  return MakeError(ErrorKind::kUnavailable, "fetch.network", "Fetching " + url + " failed: " + why + ".",
                   "获取 " + url + " 失败：" + why + "。");
}

}  // namespace

Result<HttpUrl> ParseHttpUrl(const std::string& url) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) {
    return UrlError(url, "only plain http:// URLs are supported (the data fetched is signed)");
  }
  const std::string rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  HttpUrl out;
  if (slash != std::string::npos) out.target = rest.substr(slash);
  const size_t colon = authority.rfind(':');
  out.host = authority.substr(0, colon);
  if (colon != std::string::npos) {
    out.port = authority.substr(colon + 1);
    if (out.port.empty() || out.port.size() > 5 || out.port.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(out.port) == 0 || std::stoi(out.port) > 65535) {
      return UrlError(url, "the port must be a number from 1 to 65535");
    }
  }
  if (out.host.empty() || out.host.find_first_of("@[] ") != std::string::npos) {
    return UrlError(url, "no usable host name");
  }
  return out;
}

Result<HttpGetResponse> HttpGet(const std::string& url, const HttpGetOptions& options) {
  EPERMIT_ASSIGN_OR_RETURN(HttpUrl u, ParseHttpUrl(url));
  asio::io_context ioc;
  asio::ip::tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, u.target, 11};
  req.set(bhttp::field::host, u.host);
  req.set(bhttp::field::user_agent, "epermit-verify");
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_body_bytes);
  std::optional<beast::error_code> outcome;
  auto finish = [&outcome](beast::error_code ec) {
    if (!outcome) outcome = ec;
  };

  // Async operations on a tcp_stream honour its deadline; the synchronous ones would not,
  // and a verifier must never hang on a dead node.
  stream.expires_after(options.timeout);
  resolver.async_resolve(u.host, u.port, [&](beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (ec) return finish(ec);
    stream.async_connect(results, [&](beast::error_code ec2, const asio::ip::tcp::endpoint&) {
      if (ec2) return finish(ec2);
      bhttp::async_write(stream, req, [&](beast::error_code ec3, size_t) {
        if (ec3) return finish(ec3);
        bhttp::async_read(stream, buffer, parser, [&](beast::error_code ec4, size_t) { finish(ec4); });
      });
    });
  });
  // The resolver has no deadline of its own: bound the whole run as well.
  ioc.run_for(options.timeout + std::chrono::seconds(1));
  if (!outcome) return NetworkError(url, "timed out");
  if (*outcome == bhttp::error::body_limit) {
    return MakeError(
        ErrorKind::kPayloadTooLarge, "fetch.too_large",
        "The response from " + url + " is larger than " + std::to_string(options.max_body_bytes) + " bytes.",
        "来自 " + url + " 的响应超过 " + std::to_string(options.max_body_bytes) + " 字节。");
  }
  if (*outcome) return NetworkError(url, outcome->message());
  beast::error_code ignored;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  HttpGetResponse out;
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[bhttp::field::content_type]);
  out.body = std::move(res.body());
  return out;
}

}  // namespace epermit::app
