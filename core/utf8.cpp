#include "core/utf8.hpp"

namespace chanmirror::core {

std::size_t utf8_sequence_length(std::string_view s) {
    if (s.empty())
        return 0;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    auto in = [&](std::size_t i, unsigned lo, unsigned hi) {
        return i < s.size() && byte(i) >= lo && byte(i) <= hi;
    };
    unsigned lead = byte(0);
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf)
        return in(1, 0x80, 0xbf) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
        unsigned lo = lead == 0xe0 ? 0xa0 : 0x80;
        unsigned hi = lead == 0xed ? 0x9f : 0xbf;
        return in(1, lo, hi) && in(2, 0x80, 0xbf) ? 3 : 0;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        unsigned lo = lead == 0xf0 ? 0x90 : 0x80;
        unsigned hi = lead == 0xf4 ? 0x8f : 0xbf;
        return in(1, lo, hi) && in(2, 0x80, 0xbf) && in(3, 0x80, 0xbf) ? 4 : 0;
    }
    return 0;
}

char32_t utf8_code_point(std::string_view s, std::size_t length) {
    static constexpr unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    char32_t cp = static_cast<unsigned char>(s[0]) & lead_mask[length];
    for (std::size_t i = 1; i < length; ++i)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3f);
    return cp;
}

bool is_valid_utf8(std::string_view s) {
    while (!s.empty()) {
        std::size_t length = utf8_sequence_length(s);
        if (length == 0)
            return false;
        s.remove_prefix(length);
    }
    return true;
}

}  // namespace chanmirror::core
