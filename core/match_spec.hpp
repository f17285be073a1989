#pragma once
// conda's MatchSpec query language (CEP 29; conda.models.match_spec), for the fields a mirror
// filters on. Accepted forms:
//
//   numpy                     numpy 1.8 py27_0          numpy=1.8=py27_0   (environment.yml)
//   numpy=1.8  (= 1.8.*)      numpy 1.8  (exact)        numpy==1.8         numpy>=1.0,<2|3.*
//   conda-forge::numpy        conda-forge/linux-64::numpy                  */linux-64::numpy
//   numpy[version='>=1', build='py3*', build_number='>=2', license=MIT, subdir=linux-64,
//         md5=..., sha256=..., license_family=..., track_features=..., features=..., fn=...]
//   https://host/channel/linux-64/numpy-1.8-py27_0.conda     (a package URL: exact fields)
//   # comments, and conda's legacy `feature@` and trailing `(optional)` groups.
//
// Names and build strings are globs (`py3*`, `*_cp310`) or `^...$` regexes; names compare
// lower-cased, license fields case-insensitively; subdir, md5, sha256, fn and url exactly;
// track_features/features as sets. Bracket values override positional ones, except `name`.
// A channel matches by name ("conda-forge" matches a record whose channel is
// https://conda.anaconda.org/conda-forge); conda's `defaults` alias is not expanded.
//
// Divergences from conda, all for input conda misreads or silently ignores:
//   `version==1.2` / `build_number==2` in brackets are exact (conda reads `version='=1.2'`);
//   `version<2`, `build_number>=2` in brackets are constraints (conda drops them);
//   stray brackets, `name>`, names outside [A-Za-z0-9._+*-], build strings, channels and
//   version clauses with characters no record holds (quotes, spaces, `@`) and non-integer
//   build numbers are errors; parentheses in a positional version group clauses (conda strips
//   them as a legacy `(optional)` block, which we only do for `(word...)`).
//
// Parsing costs a few microseconds: parse each distinct spec text once and reuse it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/glob.hpp"
#include "core/version.hpp"
#include "core/version_spec.hpp"

namespace chanmirror::core {

// The record fields a MatchSpec can test; views into storage the caller owns.
struct RecordFields {
    std::string_view name;
    const Version* version = nullptr;  // parsed once by the caller; null fails a version spec
    std::string_view build;
    std::int64_t build_number = 0;
    std::string_view channel;  // channel name ("conda-forge") or URL
    std::string_view subdir;
    std::string_view fn;
    std::string_view url;
    std::string_view md5;
    std::string_view sha256;
    std::string_view license;
    std::string_view license_family;
    std::string_view track_features;  // as in repodata: names separated by spaces or commas
    std::string_view features;
};

class MatchSpec {
  public:
    MatchSpec() = default;  // "*": matches every record

    static auto parse(std::string_view text) -> Result<MatchSpec>;

    // Allocation-free unless a field uses a regex.
    [[nodiscard]] bool matches(const RecordFields& record) const;

    // conda's canonical form, e.g. "conda-forge::numpy==1.8=py27_0",
    // "numpy[version='>=1.0,<2',build=py3*]", "numpy=1.8".
    [[nodiscard]] auto to_string() const -> std::string;

    // The (lower-cased) name pattern; "*" when any name matches.
    [[nodiscard]] auto name() const -> const std::string& { return name_.to_string(); }
    // True when name() is a literal package name rather than a glob or regex.
    [[nodiscard]] bool has_exact_name() const { return name_.is_exact(); }
    // Virtual packages (`__glibc`, `__cuda`) are provided by the system, never by a channel.
    [[nodiscard]] bool is_virtual() const { return has_exact_name() && name().starts_with("__"); }

    [[nodiscard]] auto version() const -> const std::optional<VersionSpec>& { return version_; }
    [[nodiscard]] auto build() const -> const std::optional<StringMatcher>& { return build_; }
    [[nodiscard]] auto build_number() const -> const std::optional<BuildNumberSpec>& {
        return build_number_;
    }
    // Channel name ("conda-forge", "pkgs/main"), or a glob; empty when any channel matches.
    [[nodiscard]] auto channel() const -> const std::string& { return channel_; }
    [[nodiscard]] auto subdir() const -> const std::optional<std::string>& { return subdir_; }
    [[nodiscard]] auto md5() const -> const std::optional<std::string>& { return md5_; }
    [[nodiscard]] auto sha256() const -> const std::optional<std::string>& { return sha256_; }

  private:
    class Parser;
    friend class Parser;

    // Field texts as the parser read them (match_spec_parse.cpp), before they become matchers.
    struct Fields {
        std::string name = "*";
        std::optional<std::string> version, build, build_number, channel, subdir, fn, url, md5,
            sha256, license, license_family, track_features, features;
    };
    // Errors name `input`, the spec text.
    static auto from_fields(const Fields& fields, std::string_view input) -> Result<MatchSpec>;
    auto build_fields(const Fields& fields) -> Result<void>;
    auto build_version(const Fields& fields) -> Result<void>;
    auto build_strings(const Fields& fields) -> Result<void>;

    [[nodiscard]] bool matches_extra(const RecordFields& record) const;
    [[nodiscard]] bool channel_matches(std::string_view record_channel) const;
    void format_version_and_build(std::string& out, std::vector<std::string>& brackets) const;
    void format_extra(std::vector<std::string>& brackets) const;

    StringMatcher name_;
    std::optional<VersionSpec> version_;
    std::optional<StringMatcher> build_;
    std::optional<BuildNumberSpec> build_number_;
    std::string channel_;
    std::optional<std::string> subdir_;
    std::optional<std::string> fn_;
    std::optional<std::string> url_;
    std::optional<std::string> md5_;
    std::optional<std::string> sha256_;
    std::optional<StringMatcher> license_;
    std::optional<StringMatcher> license_family_;
    std::optional<std::vector<std::string>> track_features_;  // sorted, unique
    std::optional<std::vector<std::string>> features_;
};

// Channel name of a channel string as conda compares them: the URL path without a token
// ("https://conda.anaconda.org/t/<tok>/conda-forge/" -> "conda-forge").
auto channel_name(std::string_view channel) -> std::string_view;

// A channel string split into its name and, when the last path component is a known subdir,
// that subdir: "conda-forge/linux-64" -> ("conda-forge", "linux-64"), "*/osx-64" -> ("*",
// "osx-64"), "https://repo.anaconda.com/pkgs/main" -> ("pkgs/main", none).
auto channel_and_subdir(std::string_view channel)
    -> std::pair<std::string_view, std::optional<std::string_view>>;

}  // namespace chanmirror::core
