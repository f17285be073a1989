#pragma once
// conda's version constraint language (CEP 29 "Version matching"; conda.models.version
// VersionSpec) and build-number constraints (BuildNumberMatch).
//
//   ==1.2  exact (VersionOrder equality: "1.2.0" matches)    1.2     exact, as ==1.2
//   !=1.2  not exact         <, <=, >, >=  VersionOrder       ~=1.4.5  >=1.4.5 and 1.4.*
//   1.2.*, 1.2*, =1.2, =1.2.*, >=1.2.* (same as >=1.2)       !=1.2.*  not 1.2.*
//   *      anything          1.*.3  glob on the version text  ^1\.2.*$ regex on the text
//   a,b    both (binds tighter)    a|b  either    (a|b),c  parentheses group
//
// A bare `1.2` is exact here; the MatchSpec forms `name=1.2` / `name 1.2` decide between
// prefix and exact before the version text reaches this parser (see match_spec.hpp).
// conda's fallback of comparing clauses containing `@` as plain text is not supported.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/version.hpp"

namespace chanmirror::core {

class VersionSpec {
  public:
    VersionSpec() = default;  // "*"

    static auto parse(std::string_view text) -> Result<VersionSpec>;

    // No allocation except for regex leaves.
    [[nodiscard]] bool matches(const Version& version) const;

    // conda's spec string: leaves as written ("1.7*" becomes "1.7.*"), groups re-joined with
    // `,` and `|`, parentheses only where precedence needs them.
    [[nodiscard]] auto to_string() const -> const std::string& { return text_; }
    // `==1.2` or a bare literal (conda's is_exact).
    [[nodiscard]] bool is_exact() const;
    [[nodiscard]] bool matches_all() const;

    enum class Op : std::uint8_t {
        any,
        equal,
        not_equal,
        less,
        less_equal,
        greater,
        greater_equal,
        starts_with,      // 1.2.* and =1.2
        not_starts_with,  // !=1.2.*
        compatible,       // ~=
        glob,             // on the version text
        regex,            // on the version text
        all_of,
        any_of,
    };

    // Node of the expression tree, stored flat. Leaves index versions_/patterns_/regexes_;
    // groups index children_ [first, first + count).
    struct Node {
        Op op = Op::any;
        std::uint32_t first = 0;
        std::uint32_t count = 0;
    };

  private:
    class Parser;
    friend class Parser;

    [[nodiscard]] bool eval(std::uint32_t node, const Version& version) const;
    [[nodiscard]] bool eval_leaf(const Node& node, const Version& version) const;

    std::string text_ = "*";
    std::vector<Node> nodes_;  // empty means "*"; otherwise the root is nodes_.back()
    std::vector<std::uint32_t> children_;
    std::vector<Version> versions_;
    std::vector<std::string> patterns_;
    std::vector<RegexPtr> regexes_;
};

// conda's BuildNumberMatch: `7`, `*`, `==7`, `=7`, `!=7`, `<7`, `<=7`, `>7`, `>=7`.
// Operands must be integers (conda would silently match nothing otherwise).
class BuildNumberSpec {
  public:
    BuildNumberSpec() = default;  // "*"

    static auto parse(std::string_view text) -> Result<BuildNumberSpec>;

    [[nodiscard]] bool matches(std::int64_t build_number) const;
    [[nodiscard]] auto to_string() const -> const std::string& { return text_; }
    [[nodiscard]] bool matches_all() const { return op_ == VersionSpec::Op::any; }

  private:
    VersionSpec::Op op_ = VersionSpec::Op::any;
    std::int64_t value_ = 0;
    std::string text_ = "*";
};

}  // namespace chanmirror::core
