#pragma once
// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing above U+10FFFF.
// Text from archives, YAML and msgpack is not checked by the parser that read it, and JSON
// written from it must be valid.
#include <cstddef>
#include <string_view>

namespace chanmirror::core {

// Length of the valid UTF-8 sequence at the start of `s` (1 for ASCII), or 0.
std::size_t utf8_sequence_length(std::string_view s);

// The code point of the valid sequence of `length` bytes at the start of `s`.
char32_t utf8_code_point(std::string_view s, std::size_t length);

bool is_valid_utf8(std::string_view s);

}  // namespace chanmirror::core
