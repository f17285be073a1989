#pragma once
// Locale-independent ASCII helpers shared by every parser (specs, headers, config lines).

#include <span>
#include <string>
#include <string_view>

namespace chanmirror::core {

// Space, \t, \n, \v, \f, \r: what Python's str.strip() removes from ASCII text.
constexpr bool is_space(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

constexpr std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

// A-Z to a-z, every other byte as it is (unlike std::tolower, whatever the C locale).
inline std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// 0-15 for a hexadecimal digit (either case), -1 otherwise.
constexpr int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Lower-case hexadecimal, two digits per byte (how conda writes md5 and sha256).
inline std::string to_hex(std::span<const unsigned char> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xf]);
    }
    return out;
}

// Appends `text` with every byte for which `keep(byte)` is false written as %XX (RFC 3986:
// upper-case hexadecimal).
template <typename Keep>
void append_percent_encoded(std::string& out, std::string_view text, Keep keep) {
    static constexpr char digits[] = "0123456789ABCDEF";
    for (char c : text) {
        auto byte = static_cast<unsigned char>(c);
        if (keep(byte)) {
            out.push_back(c);
        } else {
            out.push_back('%');
            out.push_back(digits[byte >> 4]);
            out.push_back(digits[byte & 0xf]);
        }
    }
}

}  // namespace chanmirror::core
