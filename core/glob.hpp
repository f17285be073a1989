#pragma once
// conda's string matching for MatchSpec fields (CEP 29 "String matching"):
// `^...$` is a regular expression, text with `*` is a glob (only `*` is special),
// anything else is compared exactly.

#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace chanmirror::core {

// True when `text` matches `pattern`, where `*` matches any run of characters (also empty)
// and every other character matches itself. No allocation.
bool glob_match(std::string_view pattern, std::string_view text);

// A compiled regular expression (std::regex, ECMAScript grammar: close to Python's `re` for the
// `^...$` specs conda users write). Opaque so that includers do not pay for <regex>.
class Regex;
using RegexPtr = std::shared_ptr<const Regex>;
auto compile_regex(std::string_view pattern) -> Result<RegexPtr>;
// True when the pattern matches somewhere in `text` (conda's patterns are anchored).
bool regex_search(const Regex& regex, std::string_view text);

class StringMatcher {
  public:
    // How letters compare. conda lower-cases the pattern of `name` but not the record value
    // (GlobLowerStrMatch), and lower-cases both for `license`/`license_family`.
    enum class Case { sensitive, lower_pattern, insensitive };

    StringMatcher() = default;  // matches everything, like "*"

    static auto parse(std::string_view pattern, Case mode = Case::sensitive)
        -> Result<StringMatcher>;

    [[nodiscard]] bool matches(std::string_view value) const;
    // The pattern as conda prints it (lower-cased unless Case::sensitive).
    [[nodiscard]] auto to_string() const -> const std::string& { return pattern_; }
    [[nodiscard]] bool is_exact() const { return kind_ == Kind::exact; }
    [[nodiscard]] bool matches_all() const { return kind_ == Kind::any; }

  private:
    enum class Kind { any, exact, glob, regex };

    std::string pattern_ = "*";
    Kind kind_ = Kind::any;
    bool fold_value_ = false;  // lower-case the value before matching
    RegexPtr regex_;
};

}  // namespace chanmirror::core
