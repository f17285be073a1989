#pragma once
// What a fuzz target asserts: a failed check prints the property and aborts, which libFuzzer
// and the replay driver both report as a failure with the input that caused it.
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace chanmirror::fuzz {

inline void check(bool holds, std::string_view property) {
    if (holds)
        return;
    std::fprintf(stderr, "fuzz check failed: %.*s\n", static_cast<int>(property.size()),
                 property.data());
    std::abort();
}

}  // namespace chanmirror::fuzz
