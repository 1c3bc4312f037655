#include "protocols/http_route.h"

#include "protocols/text.h"

namespace hs::protocols {
namespace {

bool base64url_char(char c) { return is_alpha(c) || is_digit(c) || c == '-' || c == '_'; }

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

// The path part of an absolute-form target: "http://host:80/a?b" -> "/a?b".
std::string_view strip_scheme_and_authority(std::string_view t) {
  for (std::string_view scheme : {"http://", "https://"}) {
    if (istarts_with(t, scheme)) {
      std::string_view rest = t.substr(scheme.size());
      std::size_t slash = rest.find_first_of("/?#");
      return slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
  }
  return t;
}

}  // namespace

bool is_id_segment(std::string_view s) {
  if (s.empty()) return false;
  bool digits = true, hex = true, b64 = true, any_digit = false;
  std::string_view body = s;
  // Base64url tokens may carry up to two '=' of padding.
  while (!body.empty() && body.back() == '=' && s.size() - body.size() < 2) body.remove_suffix(1);
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    any_digit = any_digit || is_digit(c);
    digits = digits && is_digit(c);
    hex = hex && is_hex(c);
    b64 = b64 && (i < body.size() ? base64url_char(c) : c == '=');
  }
  if (digits || is_uuid(s)) return true;
  if (hex && s.size() >= 8 && any_digit) return true;
  return b64 && body.size() >= 16 && any_digit;
}

std::string http_route(std::string_view target) {
  if (target == "*") return "*";
  std::string_view path = strip_scheme_and_authority(target);
  path = path.substr(0, path.find_first_of("?#"));
  if (path.empty()) return "/";

  std::string raw;
  std::size_t segments = 0;
  std::size_t pos = 0;
  bool cut = false;
  // Text before a first '/' (a malformed target) is kept like a segment.
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    std::string_view seg = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    raw += is_id_segment(seg) ? std::string_view(":id") : seg;
    if (slash == std::string_view::npos) break;
    if (++segments > kMaxRouteSegments) {
      raw += "/...";
      break;
    }
    raw += '/';
    pos = slash + 1;
    if (raw.size() > kMaxRoute) {
      cut = true;
      break;
    }
  }
  std::string out;
  if (!append_clean(out, raw, kMaxRoute + 8, Controls::to_space) || out.size() > kMaxRoute || cut) {
    if (out.size() <= kMaxRoute - 3) out += "...";
    truncate_with_ellipsis(out, kMaxRoute);
  }
  return out;
}

}  // namespace hs::protocols
