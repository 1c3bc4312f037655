// Transport-free HTTP request/response: what pure route functions take and return.
// The Beast session (web/server) converts to and from these; routes never see a socket.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace hs::web {

struct Request {
  std::string method;                             // as sent: "GET", "PUT", ...
  std::string path;                               // percent-decoded, starts with '/'
  std::map<std::string, std::string> query;       // decoded; a repeated key keeps its last value
  std::string body;
  std::string content_type;                       // Content-Type header, verbatim
  std::string bearer_token;                       // from "Authorization: Bearer <t>"; empty if none
  std::map<std::string, std::string> params;      // ":name" captures, filled by Router::dispatch
  std::string remote;                             // peer "ip:port"
  std::map<std::string, std::string> headers;     // lower-cased names; repeats joined with ", "

  // Header value by lower-case name, or "" when absent.
  const std::string& header(const std::string& lower_name) const {
    static const std::string kEmpty;
    auto it = headers.find(lower_name);
    return it == headers.end() ? kEmpty : it->second;
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. The server owns framing: Content-Length, Transfer-Encoding and
  // Connection given here are ignored; Server, Content-Type and Cache-Control replace
  // the server's defaults; anything else is added (repeats allowed).
  std::vector<std::pair<std::string, std::string>> headers;
  // Server-Sent Events: when true and status is 200, the server answers with
  // "Content-Type: text/event-stream" headers, writes `body` as the first bytes of the
  // stream (e.g. "retry: 3000\n\n" or an initial snapshot event, may be empty), then
  // keeps the connection open and forwards every EventHub::publish() to it.
  bool event_stream = false;
};

}  // namespace hs::web
