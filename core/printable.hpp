#pragma once
// Text from archives, upstream servers and clients, made safe to print as part of one line:
// a terminal must not obey escape sequences hidden in a package member's name, and a log line
// must stay a single line of valid UTF-8.

#include <string>
#include <string_view>

namespace chanmirror::core {

// Appends `text` with every control character (C0, DEL, C1), every byte that is not part of
// valid UTF-8, and every character in `also_escape` written as \xNN. Printable UTF-8
// (accented names, CJK) passes through unchanged.
void append_printable(std::string& out, std::string_view text, std::string_view also_escape = {});

inline std::string printable(std::string_view text) {
    std::string out;
    append_printable(out, text);
    return out;
}

}  // namespace chanmirror::core
