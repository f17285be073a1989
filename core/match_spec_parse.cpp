// MatchSpec::parse, following conda's _parse_spec_str step by step.
#include <algorithm>
#include <array>
#include <utility>

#include "core/match_spec.hpp"
#include "core/repodata.hpp"
#include "core/strings.hpp"

namespace chanmirror::core {

namespace {

constexpr std::array<std::string_view, 14> known_keys = {
    "channel",  "subdir", "name", "version", "build",   "build_number",   "track_features",
    "features", "url",    "md5",  "sha256",  "license", "license_family", "fn",
};

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_key_char(char c) {
    return is_alnum(c) || c == '_' || c == '-';
}
// conda's is_package_file, limited to text without spec syntax so that `build=*.conda` stays
// a spec.
bool looks_like_package_file(std::string_view s) {
    return (s.ends_with(".conda") || s.ends_with(".tar.bz2")) &&
           s.find_first_of(" =<>!~,|[]'\"") == std::string_view::npos;
}
bool is_name_char(char c) {
    return is_key_char(c) || c == '.' || c == '*' || c == '+';
}

std::string without_spaces(std::string_view s) {
    std::string out;
    std::copy_if(s.begin(), s.end(), std::back_inserter(out), [](char c) { return c != ' '; });
    return out;
}

// conda's _parse_version_plus_build: the build is what follows the first space or `=` that
// is not part of an operator and leaves a tail free of `-=,|<>~`.
std::pair<std::string_view, std::optional<std::string_view>> split_version_build(
    std::string_view s) {
    const std::size_t last_bad = s.find_last_of("-=,|<>~");
    const std::size_t start =
        last_bad == std::string_view::npos ? 1 : std::max<std::size_t>(1, last_bad);
    for (std::size_t i = start; i + 1 < s.size(); ++i) {
        if ((s[i] == ' ' || s[i] == '=') &&
            std::string_view("=!|,<>~").find(s[i - 1]) == std::string_view::npos) {
            return {s.substr(0, i), trim(s.substr(i + 1))};
        }
    }
    return {s, std::nullopt};
}

// conda's _sanitize_version_str: `=1.2` means `1.2*` (without a build), `==1.2` means `1.2`.
std::string sanitize_version(std::string version, bool has_build) {
    const std::size_t first = version.find_first_not_of('=');
    if (first == 0 || first == std::string::npos) {  // "=", "==", ...: rejected later
        return version;
    }
    const std::string bare = version.substr(first);
    if (version.starts_with("==") && !has_build) {
        return bare;
    }
    if (bare.find_first_of("=,|") == std::string::npos) {
        return !has_build && !bare.ends_with('*') ? bare + "*" : bare;
    }
    return version;
}

}  // namespace

class MatchSpec::Parser {
  public:
    explicit Parser(std::string_view input) : input_(input) {}

    auto run() -> Result<MatchSpec> {
        std::string_view s = trim(input_);
        s = trim(s.substr(0, s.find('#')));
        if (!s.empty() && s.back() == '@') {  // legacy `feature@`
            const std::string_view feature = s.substr(0, s.size() - 1);
            if (feature.empty() || !std::all_of(feature.begin(), feature.end(), is_key_char)) {
                return error("invalid feature name");
            }
            f_.track_features = std::string(feature);
            return MatchSpec::from_fields(f_, input_);
        }
        s = trim(s.substr(0, s.find(" if ")));
        if (s.empty()) {
            return error("empty spec");
        }
        auto parsed = looks_like_package_file(s) ? parse_package_url(s) : parse_spec(s);
        if (!parsed) {
            return tl::unexpected(parsed.error());
        }
        return MatchSpec::from_fields(f_, input_);
    }

  private:
    tl::unexpected<Error> error(std::string_view why) const {
        return fail(ErrorKind::invalid_input,
                    "invalid match spec '" + std::string(input_) + "': " + std::string(why));
    }

    auto parse_spec(std::string_view s) -> Result<void> {
        std::string positional;
        std::vector<std::pair<std::string, std::string>> pairs;
        if (auto ok = split_brackets(s, positional, pairs); !ok) {
            return ok;
        }
        if (auto ok = parse_positional(positional); !ok) {
            return ok;
        }
        for (auto& [key, value] : pairs) {
            apply_bracket(key, std::move(value));
        }
        return {};
    }

    // Separates `[...]` from the positional text, honouring quotes inside the brackets.
    auto split_brackets(std::string_view s, std::string& positional,
                        std::vector<std::pair<std::string, std::string>>& pairs) -> Result<void> {
        const std::size_t open = s.find('[');
        if (open == std::string_view::npos) {
            positional = std::string(s);
            return s.find(']') == std::string_view::npos ? Result<void>() : error("unbalanced ']'");
        }
        char quote = 0;
        std::size_t close = open + 1;
        for (; close < s.size() && (quote != 0 || s[close] != ']'); ++close) {
            if (s[close] == '\'' || s[close] == '"') {
                quote = quote == 0 ? s[close] : (quote == s[close] ? char(0) : quote);
            }
        }
        if (close == s.size()) {
            return error("unbalanced '['");
        }
        if (s.substr(0, open).find(']') != std::string_view::npos) {
            return error("unbalanced ']'");
        }
        const std::string_view after = s.substr(close + 1);
        if (after.find_first_of("[]") != std::string_view::npos) {
            return error("multiple bracket sections or unbalanced brackets");
        }
        positional = std::string(s.substr(0, open)) + std::string(after);
        return parse_pairs(s.substr(open + 1, close - open - 1), pairs);
    }

    // key=value pairs separated by commas and/or spaces; values may be quoted.
    auto parse_pairs(std::string_view c, std::vector<std::pair<std::string, std::string>>& pairs)
        -> Result<void> {
        std::size_t i = 0;
        auto skip = [&](std::string_view chars) {
            while (i < c.size() && chars.find(c[i]) != std::string_view::npos) {
                ++i;
            }
        };
        for (skip(", "); i < c.size(); skip(", ")) {
            const std::size_t key_begin = i;
            while (i < c.size() && is_key_char(c[i])) {
                ++i;
            }
            std::string key(c.substr(key_begin, i - key_begin));
            skip(" ");
            if (key.empty() || i == c.size() ||
                std::string_view("=<>!~").find(c[i]) == std::string_view::npos) {
                return error("expected key=value in brackets near '" +
                             std::string(c.substr(key_begin)) + "'");
            }
            std::string value;
            if (c[i] == '=') {
                ++i;
                if (i < c.size() && c[i] == '=' && (key == "version" || key == "build_number")) {
                    value = "==";  // `version==1.2` is exact, not conda's accidental `=1.2`
                }
                i += i < c.size() && c[i] == '=' ? 1 : 0;
            }
            skip(" ");
            auto v = read_value(c, i);
            if (!v) {
                return tl::unexpected(v.error());
            }
            value += *v;
            if (v->empty()) {
                return error("key-value mismatch in brackets: empty value for '" + key + "'");
            }
            if (std::find(known_keys.begin(), known_keys.end(), key) == known_keys.end()) {
                return error("cannot match on field '" + key + "'");
            }
            pairs.emplace_back(std::move(key), std::move(value));
        }
        return {};
    }

    auto read_value(std::string_view c, std::size_t& i) -> Result<std::string> {
        if (i < c.size() && (c[i] == '\'' || c[i] == '"')) {
            const std::size_t end = c.find(c[i], i + 1);
            if (end == std::string_view::npos) {
                return error("unterminated quote in brackets");
            }
            std::string value(c.substr(i + 1, end - i - 1));
            i = end + 1;
            return value;
        }
        const std::size_t end = std::min(c.find_first_of(", ", i), c.size());
        std::string value(c.substr(i, end - i));
        i = end;
        if (value.find_first_of("'\"") != std::string::npos) {
            return error("stray quote in brackets");
        }
        return value;
    }

    void apply_bracket(const std::string& key, std::string value) {
        if (key == "name") {
            return;  // conda: the positional name always wins
        }
        if (key == "channel") {
            auto [channel, subdir] = channel_and_subdir(trim(value));
            if (!channel.empty()) {
                f_.channel = std::string(channel);
            }
            if (subdir) {
                f_.subdir = std::string(*subdir);
            }
            return;
        }
        if (key == "version") {
            value = sanitize_version(std::move(value), false);
        }
        *field(key) = std::move(value);
    }

    std::optional<std::string>* field(const std::string& key) {
        std::optional<std::string>* fields[] = {
            &f_.channel,        &f_.subdir,   nullptr, &f_.version, &f_.build,  &f_.build_number,
            &f_.track_features, &f_.features, &f_.url, &f_.md5,     &f_.sha256, &f_.license,
            &f_.license_family, &f_.fn};
        return fields[std::find(known_keys.begin(), known_keys.end(), key) - known_keys.begin()];
    }

    auto parse_positional(std::string_view s) -> Result<void> {
        s = trim(s);
        if (s.ends_with(')')) {  // legacy `(optional)` / `(target=...)` groups are ignored
            const std::size_t open = s.rfind('(');
            if (open != std::string_view::npos && open + 1 < s.size() && is_alnum(s[open + 1]) &&
                !(s[open + 1] >= '0' && s[open + 1] <= '9')) {
                s = trim(s.substr(0, open));
            }
        }
        if (const std::size_t last = s.rfind(':'); last != std::string_view::npos) {
            const std::string_view before = s.substr(0, last);
            if (const std::size_t prev = before.rfind(':'); prev != std::string_view::npos) {
                auto [channel, subdir] = channel_and_subdir(trim(before.substr(0, prev)));
                if (!channel.empty()) {
                    f_.channel = std::string(channel);
                }
                if (subdir) {
                    f_.subdir = std::string(*subdir);
                }
            }  // else: a namespace, which conda parses and ignores
            s = trim(s.substr(last + 1));
        }
        const std::size_t n = std::min(s.find_first_of(" =<>!~"), s.size());
        if (auto ok = set_name(s.substr(0, n)); !ok) {
            return ok;
        }
        return parse_version_and_build(s.substr(n));
    }

    auto set_name(std::string_view name) -> Result<void> {
        if (name.empty()) {
            return error("missing package name");
        }
        const bool regex = name.size() >= 2 && name.front() == '^' && name.back() == '$';
        if (!regex && !std::all_of(name.begin(), name.end(), is_name_char)) {
            return error("invalid character in package name '" + std::string(name) + "'");
        }
        if (name.ends_with(".conda") || name.ends_with(".tar.bz2")) {
            return error("a package file name is not a package name");
        }
        f_.name = std::string(name);
        return {};
    }

    auto parse_version_and_build(std::string_view raw) -> Result<void> {
        if (raw == "=") {
            return {};  // conda accepts "numpy=" as plain "numpy"
        }
        const std::string_view rest = trim(raw);
        if (rest.empty()) {
            return {};
        }
        auto [version, build] = split_version_build(rest);
        f_.version = sanitize_version(without_spaces(version), build.has_value());
        if (build) {
            f_.build = std::string(*build);
        }
        return {};
    }

    // A package URL or path: channel/subdir/name-version-build.ext.
    auto parse_package_url(std::string_view s) -> Result<void> {
        const std::size_t slash = s.rfind('/');
        const std::string_view fn = slash == std::string_view::npos ? s : s.substr(slash + 1);
        const auto parts = split_package_filename(fn);
        if (!parts || parts->name.empty() || parts->version.empty() || parts->build.empty()) {
            return error("not a package file name '" + std::string(fn) + "'");
        }
        f_.fn = std::string(fn);
        f_.url = std::string(s);
        const std::string_view dir = slash == std::string_view::npos ? "" : s.substr(0, slash);
        auto [channel, subdir] = channel_and_subdir(dir);
        if (!subdir) {
            return {};  // not inside a channel: match on fn and url only
        }
        f_.channel = std::string(channel);
        f_.subdir = std::string(*subdir);
        f_.version = std::string(parts->version);
        f_.build = std::string(parts->build);
        return set_name(parts->name);
    }

    std::string_view input_;
    MatchSpec::Fields f_;
};

auto MatchSpec::parse(std::string_view text) -> Result<MatchSpec> {
    return Parser(text).run();
}

}  // namespace chanmirror::core
