#include "core/glob.hpp"

#include <algorithm>
#include <regex>
#include <string>

#include "core/regex_guard.hpp"

namespace chanmirror::core {

namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool equal_folded(std::string_view lowered_pattern, std::string_view value) {
    return lowered_pattern.size() == value.size() &&
           std::equal(value.begin(), value.end(), lowered_pattern.begin(),
                      [](char v, char p) { return lower(v) == p; });
}

// Glob matching with `*` only; the classic greedy algorithm with one backtrack point.
template <typename Eq>
bool glob_match_with(std::string_view pattern, std::string_view text, Eq eq) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (p < pattern.size() && eq(text[t], pattern[p])) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
    return glob_match_with(pattern, text, [](char a, char b) { return a == b; });
}

class Regex {
  public:
    explicit Regex(const std::string& pattern) : re(pattern, std::regex::ECMAScript) {}
    std::regex re;
};

auto compile_regex(std::string_view pattern) -> Result<RegexPtr> {
    if (auto why = regex_refusal(pattern); !why.empty()) {
        return fail(ErrorKind::invalid_input,
                    "invalid regular expression '" + std::string(pattern) + "': " + why);
    }
    try {
        return std::make_shared<const Regex>(std::string(pattern));
    } catch (const std::regex_error& e) {
        return fail(ErrorKind::invalid_input,
                    "invalid regular expression '" + std::string(pattern) + "': " + e.what());
    }
}

bool regex_search(const Regex& regex, std::string_view text) {
    return std::regex_search(text.begin(), text.end(), regex.re);
}

auto StringMatcher::parse(std::string_view pattern, Case mode) -> Result<StringMatcher> {
    StringMatcher m;
    m.pattern_ = std::string(pattern);
    if (mode != Case::sensitive) {
        std::transform(m.pattern_.begin(), m.pattern_.end(), m.pattern_.begin(), lower);
    }
    m.fold_value_ = mode == Case::insensitive;
    if (m.pattern_ == "*") {
        m.kind_ = Kind::any;
    } else if (pattern.size() >= 2 && pattern.front() == '^' && pattern.back() == '$') {
        m.kind_ = Kind::regex;
        auto regex = compile_regex(m.pattern_);
        if (!regex) {
            return tl::unexpected(regex.error());
        }
        m.regex_ = std::move(*regex);
    } else {
        m.kind_ = m.pattern_.find('*') == std::string::npos ? Kind::exact : Kind::glob;
    }
    return m;
}

bool StringMatcher::matches(std::string_view value) const {
    switch (kind_) {
        case Kind::any:
            return true;
        case Kind::exact:
            return fold_value_ ? equal_folded(pattern_, value) : pattern_ == value;
        case Kind::glob:
            if (fold_value_) {
                return glob_match_with(pattern_, value,
                                       [](char v, char p) { return lower(v) == p; });
            }
            return glob_match(pattern_, value);
        case Kind::regex: {
            if (!fold_value_) {
                return regex_search(*regex_, value);
            }
            std::string folded(value);
            std::transform(folded.begin(), folded.end(), folded.begin(), lower);
            return regex_search(*regex_, folded);
        }
    }
    return false;
}

}  // namespace chanmirror::core
