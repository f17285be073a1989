#include "core/printable.hpp"

#include "core/utf8.hpp"

namespace chanmirror::core {
namespace {

void append_escaped_byte(std::string& out, unsigned char byte) {
    static constexpr char digits[] = "0123456789abcdef";
    out.append("\\x");
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0xf]);
}

}  // namespace

void append_printable(std::string& out, std::string_view text, std::string_view also_escape) {
    out.reserve(out.size() + text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x80) {
            bool control = byte < 0x20 || byte == 0x7f;
            if (control || also_escape.find(text[i]) != std::string_view::npos)
                append_escaped_byte(out, byte);
            else
                out.push_back(text[i]);
            ++i;
            continue;
        }
        std::size_t length = utf8_sequence_length(text.substr(i));
        // U+0080-U+009F (C1 controls, 0xc2 0x80-0x9f): CSI among them moves a terminal's cursor.
        bool c1_control =
            length == 2 && byte == 0xc2 && static_cast<unsigned char>(text[i + 1]) < 0xa0;
        if (length == 0 || c1_control) {
            std::size_t bad = length == 0 ? 1 : length;
            for (std::size_t k = 0; k < bad; ++k)
                append_escaped_byte(out, static_cast<unsigned char>(text[i + k]));
            i += bad;
            continue;
        }
        out.append(text.substr(i, length));
        i += length;
    }
}

}  // namespace chanmirror::core
