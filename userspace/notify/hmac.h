// HMAC-SHA256 (OpenSSL libcrypto) for webhook signatures.
#pragma once

#include <string>
#include <string_view>

namespace hs::notify {

// Lowercase hex of HMAC-SHA256(key, data).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace hs::notify
