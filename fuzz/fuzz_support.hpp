#pragma once
// What the fuzz targets share: splitting one input into several texts, scratch directories,
// and which specs conda itself does not round-trip.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace chanmirror::fuzz {

// `text` cut at each `separator` into at most `parts` pieces (the last one keeps any further
// separators). Missing pieces are empty.
inline std::vector<std::string_view> split_input(std::string_view text, std::size_t parts,
                                                 char separator = '\n') {
    std::vector<std::string_view> pieces;
    while (pieces.size() + 1 < parts) {
        auto cut = text.find(separator);
        if (cut == std::string_view::npos)
            break;
        pieces.push_back(text.substr(0, cut));
        text.remove_prefix(cut + 1);
    }
    pieces.push_back(text);
    pieces.resize(parts);
    return pieces;
}

// The fuzzer's input as text, cut the same way.
inline std::vector<std::string_view> split_input(const std::uint8_t* data, std::size_t size,
                                                 std::size_t parts, char separator = '\n') {
    return split_input(std::string_view(reinterpret_cast<const char*>(data), size), parts,
                       separator);
}

// A fresh directory under /tmp for one process's inputs, removed when the process ends
// normally (a crash keeps it for a look).
class ScratchDir {
  public:
    explicit ScratchDir(const char* prefix) {
        std::string name = std::string("/tmp/") + prefix + ".XXXXXX";
        if (::mkdtemp(name.data()) == nullptr)
            std::abort();  // no scratch space: nothing can be checked
        path_ = name;
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

// A version spec with a `*` inside a literal ("1.*.3", "3.1*.*", "1.**"): conda reads it as a
// regex, but writes it back in a form it reads as a prefix match, so its canonical text is not
// the same spec there either. Only globs that end a literal ("1.2.*", "1.2*") round-trip.
inline bool has_inner_glob(std::string_view version_spec) {
    for (std::size_t i = 0; i < version_spec.size(); ++i) {
        if (version_spec[i] != '*' || i + 1 == version_spec.size())
            continue;
        char next = version_spec[i + 1];
        if (next != ',' && next != '|' && next != ')')
            return true;
    }
    return false;
}

}  // namespace chanmirror::fuzz
