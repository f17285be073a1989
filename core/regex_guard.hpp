#pragma once
// Which regular expressions are given to libstdc++'s std::regex. Regexes come from specs users
// write and from dependencies in repodata anyone publishes, and std::regex is fragile: it
// compiles recursively, reads numbers without a bound (signed overflow on \99999999999 or
// {99999999999}), expands each repetition count into copies of its operand, and backtracks
// without limit (a repeated group that can match in several ways takes exponential time).
#include <string>
#include <string_view>

namespace chanmirror::core {

// Why `pattern` is refused, or "" when it may be compiled. Refused: more than 256 characters;
// back-references of more than two digits (Python's re reads no more); repetition counts of
// more than three digits, or adding up to more than 1000; a quantifier on a quantifier
// ("a**", which Python's re refuses too, lazy "*?" aside); and a group repeated with `*`, `+`
// or `{n,m}` that itself repeats or alternates inside ("(a*)*", "(a|aa)+").
std::string regex_refusal(std::string_view pattern);

}  // namespace chanmirror::core
