#include "core/regex_guard.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace chanmirror::core {
namespace {

constexpr std::size_t max_length = 256;
constexpr std::uint64_t max_repetition_total = 1000;  // nesting them is refused

class Scanner {
  public:
    explicit Scanner(std::string_view pattern) : p_(pattern) {}

    std::string refusal() {
        if (p_.size() > max_length)
            return "longer than " + std::to_string(max_length) + " characters";
        for (i_ = 0; i_ < p_.size(); ++i_) {
            if (auto why = step(); !why.empty())
                return why;
        }
        return "";
    }

  private:
    enum class Last { nothing, atom, ambiguous_group, quantifier, lazy };

    std::string step() {
        char c = p_[i_];
        if (c == '\\') {
            if (digits_at(i_ + 1) > 2)
                return "back-reference with more than two digits";
            ++i_;  // the escaped character
            last_ = Last::atom;
        } else if (c == '[') {
            skip_class();
            last_ = Last::atom;
        } else if (c == '(') {
            ambiguous_.push_back(false);
            last_ = Last::nothing;
        } else if (c == ')') {
            bool inner = close_group();
            last_ = inner ? Last::ambiguous_group : Last::atom;
        } else if (c == '|') {
            mark_ambiguous();
            last_ = Last::nothing;
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            return quantifier(c);
        } else {
            last_ = Last::atom;
        }
        return "";
    }

    std::string quantifier(char c) {
        if (c == '?' && last_ == Last::quantifier) {
            last_ = Last::lazy;  // "*?", "+?", "{n,m}?"
            return "";
        }
        if (last_ == Last::quantifier || last_ == Last::lazy)
            return "multiple repeat";
        std::uint64_t largest = c == '?' ? 1 : 2;  // '*' and '+' repeat
        if (c == '{') {
            largest = 1;
            for (++i_; i_ < p_.size() && p_[i_] != '}';) {
                std::size_t n = digits_at(i_);
                if (n > 3)
                    return "repetition count too large";
                std::uint64_t count = 0;
                for (std::size_t k = 0; k < n; ++k)
                    count = count * 10 + static_cast<std::uint64_t>(p_[i_ + k] - '0');
                largest = std::max(largest, count);
                i_ += n == 0 ? 1 : n;
            }
            total_ += largest;
            if (total_ > max_repetition_total)
                return "repetition counts too large";
        }
        if (largest > 1) {
            if (last_ == Last::ambiguous_group)
                return "a repeated group that repeats or alternates inside";
            mark_ambiguous();
        }
        last_ = Last::quantifier;
        return "";
    }

    void skip_class() {
        ++i_;
        if (i_ < p_.size() && p_[i_] == '^')
            ++i_;
        if (i_ < p_.size() && p_[i_] == ']')
            ++i_;  // a leading ']' is a member
        while (i_ < p_.size() && p_[i_] != ']')
            i_ += p_[i_] == '\\' ? 2 : 1;
    }

    // Closes a group; true when it repeats or alternates inside.
    bool close_group() {
        if (ambiguous_.empty())
            return false;  // an unbalanced ')': std::regex refuses it
        bool inner = ambiguous_.back();
        ambiguous_.pop_back();
        if (inner)
            mark_ambiguous();
        return inner;
    }

    void mark_ambiguous() {
        if (!ambiguous_.empty())
            ambiguous_.back() = true;
    }

    std::size_t digits_at(std::size_t i) const {
        std::size_t n = 0;
        while (i + n < p_.size() && p_[i + n] >= '0' && p_[i + n] <= '9')
            ++n;
        return n;
    }

    std::string_view p_;
    std::size_t i_ = 0;
    Last last_ = Last::nothing;
    std::vector<bool> ambiguous_;  // per open group: repeats or alternates inside
    std::uint64_t total_ = 0;
};

}  // namespace

std::string regex_refusal(std::string_view pattern) {
    return Scanner(pattern).refusal();
}

}  // namespace chanmirror::core
