#include "core/version_spec.hpp"

#include <algorithm>
#include <charconv>

#include "core/glob.hpp"
#include "core/strings.hpp"

namespace chanmirror::core {

namespace {

using Op = VersionSpec::Op;

// Characters of a version literal or glob clause (before Version::parse folds case and '-').
constexpr std::string_view literal_chars =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.+!_*-";

bool is_group_char(char c) {
    return c == '(' || c == ')' || c == '|' || c == ',';
}
bool is_operator_char(char c) {
    return c == '=' || c == '<' || c == '>' || c == '!' || c == '~';
}

std::string_view rstrip(std::string_view s, char c) {
    while (!s.empty() && s.back() == c) {
        s.remove_suffix(1);
    }
    return s;
}

struct Relation {
    Op op;
    std::string_view symbol;
};

// conda's version_relation_re: one of = == != <= >= < > ~=, not followed by another operator
// character, then a non-empty operand without whitespace.
bool split_relation(std::string_view s, Relation& rel, std::string_view& operand) {
    static constexpr Relation relations[] = {
        {Op::equal, "=="},         {Op::not_equal, "!="},  {Op::less_equal, "<="},
        {Op::greater_equal, ">="}, {Op::compatible, "~="}, {Op::starts_with, "="},
        {Op::less, "<"},           {Op::greater, ">"},
    };
    for (const Relation& r : relations) {
        if (!s.starts_with(r.symbol)) {
            continue;
        }
        operand = s.substr(r.symbol.size());
        if (operand.empty() || is_operator_char(operand.front()) ||
            std::any_of(operand.begin(), operand.end(), is_space)) {
            return false;
        }
        rel = r;
        return true;
    }
    return false;
}

}  // namespace

class VersionSpec::Parser {
  public:
    explicit Parser(std::string_view input) : input_(input) {}

    auto run() -> Result<VersionSpec> {
        auto root = parse_any_of(0);
        if (!root) {
            return tl::unexpected(root.error());
        }
        if (peek().type != Token::end) {
            return error("unbalanced parentheses");
        }
        spec_.text_ = texts_[*root];
        if (*root + 1 != spec_.nodes_.size()) {  // keep the root last
            spec_.nodes_.push_back(spec_.nodes_[*root]);
        }
        if (spec_.nodes_.size() == 1 && spec_.nodes_[0].op == Op::any) {
            spec_.nodes_.clear();
        }
        return std::move(spec_);
    }

  private:
    struct Token {
        enum Type { end, open, close, any_of, all_of, leaf } type = end;
        std::string_view text;
    };

    static constexpr int max_depth = 64;

    tl::unexpected<Error> error(std::string_view why) const {
        return fail(ErrorKind::invalid_input,
                    "invalid version spec '" + std::string(input_) + "': " + std::string(why));
    }

    // conda's VSPEC_TOKENS: `^...$` regexes, the group characters, everything else.
    Token read_token(std::size_t& pos) const {
        std::size_t q = pos;
        while (q < input_.size() && is_space(input_[q])) {
            ++q;
        }
        if (q == input_.size()) {
            pos = q;
            return {};
        }
        const char c = input_[q];
        if (c == '^' && input_.find('$', q) != std::string_view::npos) {
            pos = input_.find('$', q) + 1;
            return {Token::leaf, input_.substr(q, pos - q)};
        }
        if (is_group_char(c)) {
            pos = q + 1;
            static constexpr Token::Type types[] = {Token::open, Token::close, Token::any_of,
                                                    Token::all_of};
            return {types[std::string_view("()|,").find(c)], input_.substr(q, 1)};
        }
        std::size_t r = q;
        while (r < input_.size() && !is_group_char(input_[r])) {
            ++r;
        }
        pos = r;
        return {Token::leaf, trim(input_.substr(q, r - q))};
    }

    Token peek() const {
        std::size_t pos = pos_;
        return read_token(pos);
    }
    Token next() { return read_token(pos_); }

    auto parse_any_of(int depth) -> Result<std::uint32_t> {
        return parse_group(depth, Token::any_of, Op::any_of);
    }

    // group := item (separator item)*, where item is the next-tighter level.
    auto parse_group(int depth, Token::Type separator, Op op) -> Result<std::uint32_t> {
        std::vector<std::uint32_t> items;
        do {
            auto item = op == Op::any_of ? parse_group(depth, Token::all_of, Op::all_of)
                                         : parse_primary(depth);
            if (!item) {
                return item;
            }
            items.push_back(*item);
        } while (peek().type == separator && (next(), true));
        return items.size() == 1 ? items[0] : make_group(op, items);
    }

    auto parse_primary(int depth) -> Result<std::uint32_t> {
        const Token t = next();
        if (t.type == Token::leaf) {
            return parse_leaf(t.text);
        }
        if (t.type != Token::open) {
            return error(t.type == Token::end ? "expected a version"
                                              : "misplaced '" + std::string(t.text) + "'");
        }
        if (depth >= max_depth) {
            return error("too deeply nested");
        }
        auto inner = parse_any_of(depth + 1);
        if (inner && next().type != Token::close) {
            return error("unbalanced parentheses");
        }
        return inner;
    }

    // Flattens nested groups of the same kind, as conda's treeify does.
    auto make_group(Op op, const std::vector<std::uint32_t>& items) -> std::uint32_t {
        std::vector<std::uint32_t> flat;
        std::string text;
        for (std::uint32_t item : items) {
            const Node& n = spec_.nodes_[item];
            if (n.op == op) {
                auto first = spec_.children_.begin() + n.first;
                flat.insert(flat.end(), first, first + n.count);
            } else {
                flat.push_back(item);
            }
            const bool wrap = op == Op::all_of && n.op == Op::any_of;
            text += (text.empty() ? "" : (op == Op::all_of ? "," : "|"));
            text += wrap ? "(" + texts_[item] + ")" : texts_[item];
        }
        Node group{op, std::uint32_t(spec_.children_.size()), std::uint32_t(flat.size())};
        spec_.children_.insert(spec_.children_.end(), flat.begin(), flat.end());
        return add(group, std::move(text));
    }

    auto add(Node node, std::string text) -> std::uint32_t {
        spec_.nodes_.push_back(node);
        texts_.push_back(std::move(text));
        return std::uint32_t(spec_.nodes_.size() - 1);
    }

    auto add_version(Op op, std::string_view literal, std::string text) -> Result<std::uint32_t> {
        auto v = Version::parse(literal);
        if (!v) {
            return error(v.error().message);
        }
        Node node{op, std::uint32_t(spec_.versions_.size()), 1};
        if (op == Op::compatible) {
            auto prefix = v->compatible_prefix();
            if (!prefix) {
                return error(prefix.error().message);
            }
            spec_.versions_.push_back(std::move(*v));
            spec_.versions_.push_back(std::move(*prefix));
            node.count = 2;
        } else {
            spec_.versions_.push_back(std::move(*v));
        }
        return add(node, std::move(text));
    }

    auto add_pattern(Op op, std::string_view pattern) -> std::uint32_t {
        Node node{op, std::uint32_t(spec_.patterns_.size()), 1};
        spec_.patterns_.emplace_back(pattern);
        return add(node, std::string(pattern));
    }

    auto add_regex(std::string_view pattern) -> Result<std::uint32_t> {
        auto regex = compile_regex(pattern);
        if (!regex) {
            return error("bad regular expression: " + regex.error().message);
        }
        spec_.regexes_.push_back(std::move(*regex));
        return add(Node{Op::regex, std::uint32_t(spec_.regexes_.size() - 1), 1},
                   std::string(pattern));
    }

    // One clause, following conda's VersionSpec.get_matcher.
    auto parse_leaf(std::string_view s) -> Result<std::uint32_t> {
        if (s.empty()) {
            return error("empty version clause");
        }
        if (s.front() == '^' || s.back() == '$') {
            if (s.size() < 2 || s.front() != '^' || s.back() != '$') {
                return error("regex specs must start with '^' and end with '$'");
            }
            return add_regex(s);
        }
        if (is_operator_char(s.front())) {
            return parse_relation(s);
        }
        if (s == "*") {
            return add(Node{Op::any, 0, 0}, "*");
        }
        if (s.find_first_not_of(literal_chars) != std::string_view::npos) {
            return error("invalid character in '" + std::string(s) + "'");
        }
        if (rstrip(s, '*').find('*') != std::string_view::npos) {
            return add_pattern(Op::glob, s);
        }
        if (s.back() == '*') {
            std::string text(s);
            if (!s.ends_with(".*")) {
                text.back() = '.';
                text += '*';
            }
            // conda drops exactly the ".*": "1..*" leaves "1.", an empty component, refused.
            return add_version(Op::starts_with, std::string_view(text).substr(0, text.size() - 2),
                               text);
        }
        return add_version(Op::equal, s, std::string(s));
    }

    auto parse_relation(std::string_view s) -> Result<std::uint32_t> {
        Relation rel{};
        std::string_view operand;
        if (!split_relation(s, rel, operand)) {
            return error("invalid operator in '" + std::string(s) + "'");
        }
        Op op = rel.op;
        if (operand.ends_with(".*")) {
            operand.remove_suffix(2);  // `>=1.2.*` is `>=1.2`; conda drops it for all but ~=
            if (op == Op::compatible) {
                return error("invalid operator with '.*' in '" + std::string(s) + "'");
            }
            op = op == Op::not_equal ? Op::not_starts_with : op;
        }
        return add_version(op, operand, std::string(s));
    }

    std::string_view input_;
    std::size_t pos_ = 0;
    VersionSpec spec_;
    std::vector<std::string> texts_;  // per node, parse time only
};

auto VersionSpec::parse(std::string_view text) -> Result<VersionSpec> {
    return Parser(text).run();
}

bool VersionSpec::matches(const Version& version) const {
    return nodes_.empty() || eval(std::uint32_t(nodes_.size() - 1), version);
}

bool VersionSpec::eval(std::uint32_t index, const Version& version) const {
    const Node& node = nodes_[index];
    if (node.op != Op::all_of && node.op != Op::any_of) {
        return eval_leaf(node, version);
    }
    const auto first = children_.begin() + node.first;
    const auto last = first + node.count;
    auto check = [&](std::uint32_t child) { return eval(child, version); };
    return node.op == Op::all_of ? std::all_of(first, last, check)
                                 : std::any_of(first, last, check);
}

bool VersionSpec::eval_leaf(const Node& node, const Version& v) const {
    switch (node.op) {
        case Op::any:
            return true;
        case Op::equal:
            return v == versions_[node.first];
        case Op::not_equal:
            return v != versions_[node.first];
        case Op::less:
            return v < versions_[node.first];
        case Op::less_equal:
            return v <= versions_[node.first];
        case Op::greater:
            return v > versions_[node.first];
        case Op::greater_equal:
            return v >= versions_[node.first];
        case Op::starts_with:
            return v.starts_with(versions_[node.first]);
        case Op::not_starts_with:
            return !v.starts_with(versions_[node.first]);
        case Op::compatible:
            return v >= versions_[node.first] && v.starts_with(versions_[node.first + 1]);
        case Op::glob:
            return glob_match(patterns_[node.first], v.to_string());
        case Op::regex:
            return regex_search(*regexes_[node.first], v.to_string());
        case Op::all_of:
        case Op::any_of:
            break;
    }
    return false;
}

bool VersionSpec::is_exact() const {
    return nodes_.size() == 1 && nodes_[0].op == Op::equal;
}

bool VersionSpec::matches_all() const {
    return nodes_.empty();
}

auto BuildNumberSpec::parse(std::string_view text) -> Result<BuildNumberSpec> {
    auto bad = [&](std::string_view why) {
        return fail(ErrorKind::invalid_input,
                    "invalid build number spec '" + std::string(text) + "': " + std::string(why));
    };
    const std::string_view s = trim(text);
    BuildNumberSpec spec;
    spec.text_ = std::string(s);
    if (s == "*") {
        return spec;
    }
    std::string_view operand = s;
    spec.op_ = Op::equal;
    if (!s.empty() && is_operator_char(s.front())) {
        Relation rel{};
        if (!split_relation(s, rel, operand) || rel.op == Op::compatible) {
            return bad("invalid operator");
        }
        // `=7` is conda's prefix match, which for a single number is equality.
        spec.op_ = rel.op == Op::starts_with ? Op::equal : rel.op;
    }
    const char* end = operand.data() + operand.size();
    auto [ptr, ec] = std::from_chars(operand.data(), end, spec.value_);
    if (operand.empty() || ec != std::errc() || ptr != end) {
        return bad("not an integer");
    }
    return spec;
}

bool BuildNumberSpec::matches(std::int64_t n) const {
    switch (op_) {
        case Op::equal:
            return n == value_;
        case Op::not_equal:
            return n != value_;
        case Op::less:
            return n < value_;
        case Op::less_equal:
            return n <= value_;
        case Op::greater:
            return n > value_;
        case Op::greater_equal:
            return n >= value_;
        default:
            return true;
    }
}

}  // namespace chanmirror::core
