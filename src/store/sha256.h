// SHA-256 (OpenSSL's libcrypto), the hash that identifies an article's text
// in the store: re-ingesting a text whose hash is stored is a no-op.
#pragma once

#include <string>
#include <string_view>

namespace propscan::store {

// The hash of `bytes` as 64 lowercase hexadecimal digits.
std::string sha256_hex(std::string_view bytes);

}  // namespace propscan::store
