#pragma once
// conda's version literals and their order (CEP 33; conda.models.version.VersionOrder).
//
// A version is split into epoch (`1!`), main part and local part (`+...`). Each part is split at
// `.` and `_` into segments, each segment into runs of digits and non-digits. Runs compare as:
// numbers numerically, strings case-insensitively by bytes ("dev" sorts as "DEV", i.e. before
// every other string), strings < numbers, and "post" > every number. Missing runs count as 0, so
// "1.0" == "1.0.0". A segment that starts with a letter gets a leading 0: "1.1.a1" == "1.1.0a1".

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace chanmirror::core {

class Version {
  public:
    // Compares equal to "0". Prefer parse().
    Version() = default;

    // Accepts what conda accepts: [0-9a-z.+!_*] after lower-casing; `-` is read as `_` when the
    // text has no `_`. Leading and trailing whitespace is ignored.
    static auto parse(std::string_view text) -> Result<Version>;

    // The text as given (trimmed).
    [[nodiscard]] auto to_string() const -> const std::string& {
        return text_.empty() ? norm_ : text_;
    }
    // conda's str(VersionOrder): lower-cased, `-` replaced by `_` when folded.
    [[nodiscard]] auto normalized() const -> const std::string& { return norm_; }

    [[nodiscard]] auto compare(const Version& other) const -> std::weak_ordering;
    friend auto operator<=>(const Version& a, const Version& b) -> std::weak_ordering {
        return a.compare(b);
    }
    friend bool operator==(const Version& a, const Version& b) { return a.compare(b) == 0; }

    // conda's VersionOrder.startswith: the prefix match behind `1.2.*` and `=1.2`.
    // "1.2.3" and "1.2a" start with "1.2"; "1.20" does not.
    [[nodiscard]] bool starts_with(const Version& prefix) const;

    // The `~=` base minus its last `.`-separated piece ("1.4.5" -> "1.4"). Fails for a
    // single-piece version such as "2", which conda cannot evaluate either.
    [[nodiscard]] auto compatible_prefix() const -> Result<Version>;
    // `~=base`: *this >= base and *this starts with base.compatible_prefix().
    [[nodiscard]] bool compatible_with(const Version& base) const;

    // One run of a segment. Text runs point into norm_. Numbers drop leading zeros; those of
    // up to max_inline_digits digits keep their value in `offset`, longer ones point into norm_.
    struct Atom {
        enum class Kind : std::uint8_t { number, text, dev, post };
        static constexpr std::uint16_t max_inline_digits = 9;
        std::uint32_t offset = 0;  // into norm_, or the value of a short number
        std::uint16_t length = 0;  // characters; 0 for the number zero
        Kind kind = Kind::number;
        std::uint8_t segment_size = 0;  // on the first atom of a segment: its atom count
    };

  private:
    class Builder;
    friend class Builder;

    std::string text_;  // empty when equal to norm_
    std::string norm_;
    std::vector<Atom> atoms_;        // epoch and main segments, then local segments
    std::uint32_t local_begin_ = 0;  // index of the first local atom (== size if none)
};

}  // namespace chanmirror::core
