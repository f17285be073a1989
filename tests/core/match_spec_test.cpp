#include "core/match_spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/json.hpp"
#include "tests/support/temp_dir.hpp"

using chanmirror::core::MatchSpec;
using chanmirror::core::RecordFields;
using chanmirror::core::Version;

namespace {

MatchSpec spec(std::string_view text) {
    auto parsed = MatchSpec::parse(text);
    EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
    return parsed ? *parsed : MatchSpec();
}

// A record with owned storage, viewed through RecordFields.
struct Record {
    std::string name;
    Version version;
    std::string build;
    std::int64_t build_number = 0;
    std::string channel = "conda-forge";
    std::string subdir = "linux-64";
    std::string license, license_family, track_features, md5, sha256;

    Record(std::string n, std::string_view v, std::string b, std::int64_t bn = 0)
        : name(std::move(n)), version(*Version::parse(v)), build(std::move(b)), build_number(bn) {}

    [[nodiscard]] RecordFields fields() const {
        RecordFields f;
        f.name = name;
        f.version = &version;
        f.build = build;
        f.build_number = build_number;
        f.channel = channel;
        f.subdir = subdir;
        f.license = license;
        f.license_family = license_family;
        f.track_features = track_features;
        f.md5 = md5;
        f.sha256 = sha256;
        return f;
    }
};

bool matches(std::string_view text, const Record& r) {
    return spec(text).matches(r.fields());
}

struct SpecCase {
    const char* spec;
    bool expected;
};

void PrintTo(const SpecCase& c, std::ostream* os) {
    *os << "'" << c.spec << "'";
}

}  // namespace

class MatchesNumpy171 : public testing::TestWithParam<SpecCase> {};

TEST_P(MatchesNumpy171, AgreesWithConda) {
    const Record numpy("numpy", "1.7.1", "py27_0");
    EXPECT_EQ(matches(GetParam().spec, numpy), GetParam().expected);
}

// conda tests/models/test_match_spec.py::test_match_1, against numpy-1.7.1-py27_0.
INSTANTIATE_TEST_SUITE_P(
    CondaTestMatch1, MatchesNumpy171,
    testing::Values(SpecCase{"numpy 1.7*", true}, SpecCase{"numpy 1.7.1", true},
                    SpecCase{"numpy 1.7", false}, SpecCase{"numpy 1.5*", false},
                    SpecCase{"numpy >=1.5", true}, SpecCase{"numpy >=1.5,<2", true},
                    SpecCase{"numpy >=1.8,<1.9", false}, SpecCase{"numpy >1.5,<2,!=1.7.1", false},
                    SpecCase{"numpy >1.8,<2|==1.7", false}, SpecCase{"numpy >1.8,<2|>=1.7.1", true},
                    SpecCase{"numpy >=1.8|1.7*", true}, SpecCase{"numpy ==1.7", false},
                    SpecCase{"numpy >=1.5,>1.6", true}, SpecCase{"numpy ==1.7.1", true},
                    SpecCase{"numpy ==1.7.1.0", true}, SpecCase{"numpy==1.7.1.0.0", true},
                    SpecCase{"numpy >=1,*.7.*", true}, SpecCase{"numpy *.7.*,>=1", true},
                    SpecCase{"numpy >=1,*.8.*", false}, SpecCase{"numpy >=2,*.7.*", false},
                    SpecCase{"numpy 1.6*|1.7*", true}, SpecCase{"numpy 1.6*|1.8*", false},
                    SpecCase{"numpy 1.6.2|1.7*", true}, SpecCase{"numpy 1.6.2|1.7.1", true},
                    SpecCase{"numpy 1.6.2|1.7.0", false}, SpecCase{"numpy 1.7.1 py27_0", true},
                    SpecCase{"numpy 1.7.1 py26_0", false}, SpecCase{"numpy >1.7.1a", true},
                    SpecCase{"python", false}));

// Positional and bracket forms, globs, channel and subdir, build numbers.
INSTANTIATE_TEST_SUITE_P(
    Forms, MatchesNumpy171,
    testing::Values(
        SpecCase{"numpy", true}, SpecCase{"NumPy", true}, SpecCase{"*", true},
        SpecCase{"num*", true}, SpecCase{"*py", true}, SpecCase{"nu*y 1.7.*", true},
        SpecCase{"scipy", false}, SpecCase{"numpy=1.7", true}, SpecCase{"numpy=1.7.1=py27_0", true},
        SpecCase{"numpy=1.7=py27_0", false},  // with a build, `=1.7` is exact in conda
        SpecCase{"numpy==1.7.1=py27*", true}, SpecCase{"numpy * py2*", true},
        SpecCase{"numpy * *_0", true}, SpecCase{"numpy * *_1", false},
        SpecCase{"numpy[build=py27_0]", true}, SpecCase{"numpy[build='py3*']", false},
        SpecCase{"numpy[version='>=1.7,<2', build=\"py2*\"]", true},
        SpecCase{"numpy[version=\">=1.8\"]", false}, SpecCase{"numpy[version==1.7.1]", true},
        SpecCase{"numpy[version==1.7]", false}, SpecCase{"numpy[version='=1.7']", true},
        SpecCase{"numpy[version<2]", true}, SpecCase{"numpy[version>=2]", false},
        SpecCase{"numpy[build_number=0]", true}, SpecCase{"numpy[build_number='>=1']", false},
        SpecCase{"numpy[build_number=='0']", true}, SpecCase{"numpy[build_number<1]", true},
        SpecCase{"conda-forge::numpy", true}, SpecCase{"defaults::numpy", false},
        SpecCase{"conda-*::numpy", true}, SpecCase{"conda-forge/linux-64::numpy 1.7.*", true},
        SpecCase{"conda-forge/osx-64::numpy", false}, SpecCase{"*/linux-64::numpy", true},
        SpecCase{"https://conda.anaconda.org/conda-forge::numpy", true},
        SpecCase{"https://conda.anaconda.org/t/tk-123/conda-forge/linux-64::numpy", true},
        SpecCase{"numpy[channel=conda-forge, subdir=linux-64]", true},
        SpecCase{"numpy[subdir=noarch]", false}, SpecCase{"ns:numpy", true},
        SpecCase{"numpy # a comment", true}, SpecCase{"numpy >=1.0  # ==2.0", true},
        SpecCase{"numpy >=1.0 if python", true}, SpecCase{"numpy[build=3](optional)", false},
        SpecCase{"^num.*$", true}, SpecCase{"numpy[build='^py2[0-9]_0$']", true},
        SpecCase{"numpy (>=1.8|<1.7.2),<2", true}, SpecCase{"numpy (>=1.8|<1.7),<2", false}));

// CEP 29 "Version expression parsing": each block is one meaning.
TEST(MatchSpec, Cep29FuzzyEqualityForms) {
    const Record r180("pkg", "1.8.0", "0"), r18("pkg", "1.8", "0"), r181("pkg", "1.8.1", "0");
    const Record r180x("pkg", "1.80", "0"), r19("pkg", "1.9", "0");
    for (const char* s :
         {"pkg=1.8", "pkg =1.8", "pkg 1.8.*", "pkg 1.8.* *", "pkg=1.8.*", "pkg=1.8.*=*",
          "pkg =1.8.* *", "pkg ==1.8.* *", "pkg[version=1.8.*]", "pkg[version=\"1.8.*\"]"}) {
        EXPECT_TRUE(matches(s, r18)) << s;
        EXPECT_TRUE(matches(s, r180)) << s;
        EXPECT_TRUE(matches(s, r181)) << s;
        EXPECT_FALSE(matches(s, r180x)) << s;
        EXPECT_FALSE(matches(s, r19)) << s;
    }
}

TEST(MatchSpec, Cep29ExactEqualityForms) {
    const Record r180("pkg", "1.8.0", "0"), r18("pkg", "1.8", "0"), r181("pkg", "1.8.1", "0");
    for (const char* s : {"pkg 1.8", "pkg 1.8 *", "pkg==1.8", "pkg=1.8=*", "pkg==1.8=*",
                          "pkg ==1.8 *", "pkg[version=1.8]", "pkg[version=\"1.8\"]"}) {
        EXPECT_TRUE(matches(s, r18)) << s;
        EXPECT_TRUE(matches(s, r180)) << s;
        EXPECT_FALSE(matches(s, r181)) << s;
    }
}

TEST(MatchSpec, EnvironmentYmlPinsSelectExactlyOneBuild) {
    const Record wanted("python", "3.12.1", "hab00c5b_1_cpython");
    const Record other_build("python", "3.12.1", "hab00c5b_0_cpython");
    const Record newer("python", "3.12.10", "hab00c5b_1_cpython");
    for (const char* s :
         {"python=3.12.1=hab00c5b_1_cpython", "python==3.12.1=hab00c5b_1_cpython",
          "python 3.12.1 hab00c5b_1_cpython", "  python=3.12.1=hab00c5b_1_cpython  "}) {
        EXPECT_TRUE(matches(s, wanted)) << s;
        EXPECT_FALSE(matches(s, other_build)) << s;
        EXPECT_FALSE(matches(s, newer)) << s;
    }
    // `name=version` without a build is a prefix match: 3.12.1 and 3.12.10 both start with 3.12.
    EXPECT_TRUE(matches("python=3.12", newer));
    EXPECT_FALSE(matches("python=3.12.1", newer));
}

// conda test_match_1 (PEP 440 notes) and test_openssl_match.
TEST(MatchSpec, PreReleaseAndOpensslVersions) {
    EXPECT_FALSE(matches("numpy >=1.0.1", Record("numpy", "1.0.1a", "0")));
    EXPECT_FALSE(matches("numpy >=1.0.1.vc11", Record("numpy", "1.0.1a.vc11", "0")));
    EXPECT_TRUE(matches("numpy >=1.0.1*.vc11", Record("numpy", "1.0.1a.vc11", "0")));
    EXPECT_TRUE(matches("numpy <1.0.1", Record("numpy", "1.0.1.vc11", "0")));
    EXPECT_TRUE(matches("numpy <1.0.1", Record("numpy", "1.0.1a.vc11", "0")));
    EXPECT_FALSE(matches("numpy >=1.0.1.vc11", Record("numpy", "1.0.1a", "0")));
    EXPECT_TRUE(matches("numpy >=1.0.1a", Record("numpy", "1.0.1z", "0")));
    EXPECT_TRUE(matches("numpy >=1.0.1a py27*", Record("numpy", "1.0.1z", "py27_1", 1)));
    EXPECT_TRUE(matches("blas * openblas_0", Record("blas", "1.0", "openblas_0")));
    EXPECT_TRUE(matches("openssl>=1.0.1_", Record("openssl", "1.0.1_", "4", 4)));
    EXPECT_FALSE(matches("openssl>=1.0.1", Record("openssl", "1.0.1_", "4", 4)));
    EXPECT_TRUE(matches("python_abi 3.12.* *_cp312", Record("python_abi", "3.12", "5_cp312", 5)));
    EXPECT_FALSE(matches("python_abi 3.12.* *_cp312", Record("python_abi", "3.12", "5_cp313", 5)));
}

// conda test_bracket_matches and test_license_match.
TEST(MatchSpec, BracketBuildNumberAndLicense) {
    Record r("numpy", "1.11.0", "py34_7", 7);
    r.license = "LGPLv3+";
    r.license_family = "LGPL";
    for (const char* s :
         {"numpy<2", "numpy[build_number='7']", "numpy[build_number='<8']",
          "numpy[build_number='>=7']", "numpy ~=1.10", "numpy~=1.10", "*[license_family='LGPL']",
          "*[license_family='lgpl']", "*[license_family='*GP*']", "*[license_family='*gp*']",
          "*[license_family='*GPL*']", "*[license_family='*gpl*']", "*[license='*gpl*']",
          "*[license='*v3+']", "*[license=lgplv3+]"}) {
        EXPECT_TRUE(matches(s, r)) << s;
    }
    for (const char* s : {"numpy>2", "numpy[version='>2']", "numpy[build_number='>7']",
                          "*[license=MIT]", "*[license_family=GPL]", "numpy ~=1.12"}) {
        EXPECT_FALSE(matches(s, r)) << s;
    }
}

// conda test_track_features_match: the record's feature set must equal the spec's.
TEST(MatchSpec, TrackFeaturesAreComparedAsSets) {
    Record r("foo", "1.2.3", "4", 4);
    auto with = [&](std::string features) {
        Record copy = r;
        copy.track_features = std::move(features);
        return copy;
    };
    EXPECT_TRUE(matches("*[track_features=test]", with("test")));
    EXPECT_FALSE(matches("*[track_features=test]", with("test2")));
    EXPECT_FALSE(matches("*[track_features=test]", with("test me")));
    EXPECT_FALSE(matches("*[track_features=test]", with("you test")));
    EXPECT_FALSE(matches("*[track_features=test]", with("")));
    EXPECT_TRUE(matches("*[track_features='mkl debug']", with("debug,mkl")));
    EXPECT_TRUE(matches("*[track_features='mkl,debug']", with("debug mkl mkl")));
    EXPECT_TRUE(matches("mkl@", with("mkl")));
    EXPECT_FALSE(matches("nomkl@", with("mkl")));
}

TEST(MatchSpec, ChecksumsAndSubdirAreExact) {
    Record r("zlib", "1.3.1", "h4ab18f5_1", 1);
    r.md5 = "0123456789abcdef0123456789abcdef";
    r.sha256 = "f453db4ffe2271ec492a2913af4e61d4a6c118201f07de757df0eff769b65d2e";
    EXPECT_TRUE(matches("*[md5=0123456789abcdef0123456789abcdef]", r));
    EXPECT_FALSE(matches("*[md5=0123456789ABCDEF0123456789ABCDEF]", r));
    EXPECT_TRUE(
        matches("*[sha256=f453db4ffe2271ec492a2913af4e61d4a6c118201f07de757df0eff769b65d2e]", r));
    EXPECT_FALSE(matches("zlib[sha256=00]", r));
    EXPECT_TRUE(matches("zlib[subdir=linux-64]", r));
    EXPECT_FALSE(matches("zlib[subdir=linux-*]", r));  // conda: subdir is an exact match
}

TEST(MatchSpec, VersionSpecNeedsAParsedRecordVersion) {
    RecordFields f;
    f.name = "numpy";
    EXPECT_TRUE(spec("numpy").matches(f));
    EXPECT_TRUE(spec("numpy *").matches(f));
    EXPECT_FALSE(spec("numpy >=1").matches(f));
}

TEST(MatchSpec, PackageUrlsBecomeExactSpecs) {
    const std::string url =
        "https://conda.anaconda.org/conda-canary/linux-64/"
        "conda-4.3.21.post699+1dab973-py36h4a561cd_0.tar.bz2";
    auto m = spec(url);
    EXPECT_EQ(m.to_string(), "conda-canary/linux-64::conda==4.3.21.post699+1dab973=py36h4a561cd_0");
    Record r("conda", "4.3.21.post699+1dab973", "py36h4a561cd_0");
    r.channel = "conda-canary";
    EXPECT_FALSE(m.matches(r.fields()));  // the record's fn is not set
    RecordFields f = r.fields();
    f.fn = "conda-4.3.21.post699+1dab973-py36h4a561cd_0.tar.bz2";
    f.url = url;
    EXPECT_TRUE(m.matches(f));
    const std::string outside = "https://example.com/files/conda-4.3.21-py36_0.conda";
    EXPECT_EQ(spec(outside).to_string(), "*[url=" + outside + "]");
}

TEST(MatchSpec, VirtualPackages) {
    EXPECT_TRUE(spec("__glibc >=2.17").is_virtual());
    EXPECT_TRUE(spec("__cuda").is_virtual());
    EXPECT_FALSE(spec("_libgcc_mutex").is_virtual());
    EXPECT_FALSE(spec("__*").is_virtual());  // a glob, not a package name
}

namespace {

struct Canonical {
    const char* input;
    const char* expected;
};

}  // namespace

class MatchSpecCanonical : public testing::TestWithParam<Canonical> {};

TEST_P(MatchSpecCanonical, MatchesCondaStr) {
    auto m = spec(GetParam().input);
    EXPECT_EQ(m.to_string(), GetParam().expected) << GetParam().input;
    EXPECT_EQ(spec(m.to_string()).to_string(), GetParam().expected) << "round trip";
}

// conda test_canonical_string_forms (those without "defaults" alias expansion), CEP 29 examples.
INSTANTIATE_TEST_SUITE_P(
    CondaCanonicalStringForms, MatchSpecCanonical,
    testing::Values(
        Canonical{"numpy", "numpy"}, Canonical{"numpy=1.7", "numpy=1.7"},
        Canonical{"numpy 1.7*", "numpy=1.7"}, Canonical{"numpy 1.7.*", "numpy=1.7"},
        Canonical{"numpy[version='1.7*']", "numpy=1.7"},
        Canonical{"numpy[version='1.7.*']", "numpy=1.7"},
        Canonical{"numpy[version=1.7.*]", "numpy=1.7"}, Canonical{"numpy==1.7", "numpy==1.7"},
        Canonical{"numpy[version='1.7']", "numpy==1.7"},
        Canonical{"numpy[version=1.7]", "numpy==1.7"}, Canonical{"numpy 1.7", "numpy==1.7"},
        Canonical{"numpy[version='1.7|1.8']", "numpy[version='1.7|1.8']"},
        Canonical{"numpy[version=\"1.7,1.8\"]", "numpy[version='1.7,1.8']"},
        Canonical{"numpy >1.7", "numpy[version='>1.7']"},
        Canonical{"numpy>=1.7", "numpy[version='>=1.7']"},
        Canonical{"numpy=1.7=py3*_2", "numpy==1.7[build=py3*_2]"},
        Canonical{"numpy=1.7.*=py3*_2", "numpy=1.7[build=py3*_2]"},
        Canonical{"https://repo.anaconda.com/pkgs/free::numpy", "pkgs/free::numpy"},
        Canonical{"numpy[channel=https://repo.anaconda.com/pkgs/free]", "pkgs/free::numpy"},
        Canonical{"conda-forge::numpy", "conda-forge::numpy"},
        Canonical{"numpy[channel=conda-forge]", "conda-forge::numpy"},
        Canonical{"numpy[channel=defaults,subdir=osx-64]", "defaults/osx-64::numpy"},
        Canonical{"numpy[channel=defaults,subdir=os2-64]", "defaults::numpy[subdir=os2-64]"},
        Canonical{"numpy[channel=https://repo.anaconda.com/pkgs/free/osx-64, subdir=linux-64]",
                  "pkgs/free/linux-64::numpy"},
        Canonical{"https://repo.anaconda.com/pkgs/free/win-32::numpy", "pkgs/free/win-32::numpy"},
        Canonical{"numpy[channel=https://repo.anaconda.com/pkgs/free/osx-64]",
                  "pkgs/free/osx-64::numpy"},
        Canonical{"conda-forge/linux-64::numpy", "conda-forge/linux-64::numpy"},
        Canonical{"numpy[channel=conda-forge,subdir=noarch]", "conda-forge/noarch::numpy"},
        Canonical{"numpy[subdir=win-32]", "numpy[subdir=win-32]"},
        Canonical{"*/win-32::numpy", "numpy[subdir=win-32]"},
        Canonical{"*/win-32::numpy[subdir=\"osx-64\"]", "numpy[subdir=osx-64]"},
        Canonical{"numpy=1.10=py38_0", "numpy==1.10=py38_0"},
        Canonical{"numpy==1.10=py38_0", "numpy==1.10=py38_0"},
        Canonical{"numpy[version=1.10 build=py38_0]", "numpy==1.10=py38_0"},
        Canonical{"numpy!=1.10", "numpy!=1.10"}, Canonical{"numpy !=1.10", "numpy!=1.10"},
        Canonical{"numpy!=1.10 py38_0", "numpy[version='!=1.10',build=py38_0]"},
        Canonical{"numpy !=1.10 py38_0", "numpy[version='!=1.10',build=py38_0]"},
        Canonical{"numpy!=1.10=py38_0", "numpy[version='!=1.10',build=py38_0]"},
        Canonical{"numpy !=1.10=py38_0", "numpy[version='!=1.10',build=py38_0]"},
        Canonical{"numpy >1.7,!=1.10 py38_0", "numpy[version='>1.7,!=1.10',build=py38_0]"},
        Canonical{"numpy!=1.10.*", "numpy!=1.10.*"},
        Canonical{"numpy!=1.10,!=1.11", "numpy[version='!=1.10,!=1.11']"},
        Canonical{"numpy=1.10.*,!=1.10.2", "numpy[version='=1.10.*,!=1.10.2']"},
        Canonical{"numpy ~=1.10.1", "numpy~=1.10.1"}, Canonical{"numpy~=1.10.1", "numpy~=1.10.1"},
        Canonical{"numpy ~=1.10.1 py38_0", "numpy[version='~=1.10.1',build=py38_0]"},
        Canonical{"openssl=1.1.1_", "openssl=1.1.1_"},
        Canonical{"openssl>=1.1.1_,!=1.1.1c", "openssl[version='>=1.1.1_,!=1.1.1c']"},
        Canonical{"mkl@", "*[track_features=mkl]"}, Canonical{"pkgs/main::*", "pkgs/main::*"},
        Canonical{"foo 1.0 py27_0", "foo==1.0=py27_0"},
        Canonical{"foo=1.0=py27_0", "foo==1.0=py27_0"},
        Canonical{"conda-forge::foo[version=1.0.*]", "conda-forge::foo=1.0"},
        Canonical{"conda-forge/linux-64::foo>=1.0", "conda-forge/linux-64::foo[version='>=1.0']"},
        Canonical{"*/linux-64::foo>=1.0", "foo[subdir=linux-64,version='>=1.0']"},
        Canonical{"zope.int>=1.3,<3.0", "zope.int[version='>=1.3,<3.0']"},
        Canonical{"FOO-Bar >=1.0", "foo-bar[version='>=1.0']"},
        Canonical{"foo >= 1.0", "foo[version='>=1.0']"},
        Canonical{"foo >=1.0 , < 2.0", "foo[version='>=1.0,<2.0']"},
        Canonical{"numpy[build_number='>=2',license=MIT]", "numpy[build_number='>=2',license=mit]"},
        Canonical{"python 3.12.* *_cp312", "python=3.12[build=*_cp312]"}));

TEST(MatchSpec, ParsedFieldsFollowConda) {
    // conda SpecStrParsingTests
    auto m = spec("defaults::numpy=1.8=py27_0 [channel=anaconda,version=1.9, build=3]");
    EXPECT_EQ(m.channel(), "anaconda");
    EXPECT_EQ(m.name(), "numpy");
    EXPECT_EQ(m.version()->to_string(), "1.9");
    EXPECT_EQ(m.build()->to_string(), "3");
    m = spec(
        R"(defaults::numpy=1.8=py27_0 [channel='anaconda',version=">=1.8,<2|1.9", build='3'])");
    EXPECT_EQ(m.version()->to_string(), ">=1.8,<2|1.9");
    m = spec("numpy >1.8,<2|==1.7,!=1.9,~=1.7.1 py34_0");
    EXPECT_EQ(m.version()->to_string(), ">1.8,<2|==1.7,!=1.9,~=1.7.1");
    EXPECT_EQ(m.build()->to_string(), "py34_0");
    m = spec("* >=1.3 2");
    EXPECT_EQ(m.name(), "*");
    EXPECT_FALSE(m.has_exact_name());
    EXPECT_EQ(m.build()->to_string(), "2");
    m = spec("* * openblas_0");
    EXPECT_TRUE(m.version()->matches_all());
    EXPECT_EQ(m.build()->to_string(), "openblas_0");
    m = spec("conda-forge::foo[build=3](target=blarg,optional)");
    EXPECT_EQ(m.channel(), "conda-forge");
    EXPECT_EQ(m.build()->to_string(), "3");
    m = spec("*/linux-32::foo>=1.0");
    EXPECT_EQ(m.channel(), "");
    EXPECT_EQ(m.subdir(), "linux-32");
    m = spec("python[build_number='<=3']");
    EXPECT_EQ(m.build_number()->to_string(), "<=3");
    m = spec("foo 1.0 a-b");  // conda: a build never contains '-', so this is all version
    EXPECT_FALSE(m.build());
    EXPECT_EQ(m.version()->to_string(), "1.0a-b");
    m = spec("python ===3.8");  // conda strips every leading '=' of an exact version
    EXPECT_EQ(m.version()->to_string(), "3.8");
    m = spec("numpy=");
    EXPECT_FALSE(m.version());
    m = spec("foo[name=bar]");
    EXPECT_EQ(m.name(), "foo");  // the positional name wins
    EXPECT_EQ(spec("numpy[md5=abc]").md5(), "abc");
}

namespace {

struct BadSpec {
    const char* spec;
    const char* reason;
};

void PrintTo(const BadSpec& c, std::ostream* os) {
    *os << "'" << c.spec << "'";
}

}  // namespace

class MatchSpecRejects : public testing::TestWithParam<BadSpec> {};

TEST_P(MatchSpecRejects, WithMessageNamingTheSpec) {
    auto m = MatchSpec::parse(GetParam().spec);
    ASSERT_FALSE(m) << GetParam().spec << " -> " << m->to_string();
    const std::string& msg = m.error().message;
    EXPECT_NE(msg.find("'" + std::string(GetParam().spec) + "'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(GetParam().reason), std::string::npos) << msg;
}

INSTANTIATE_TEST_SUITE_P(
    InvalidSpecs, MatchSpecRejects,
    testing::Values(
        BadSpec{"python>=", "invalid operator"}, BadSpec{"python==", "invalid operator"},
        BadSpec{"python>", "invalid operator"}, BadSpec{"", "empty spec"},
        BadSpec{"   ", "empty spec"}, BadSpec{"# only a comment", "empty spec"},
        BadSpec{"blas [optional", "unbalanced '['"}, BadSpec{"blas [test=]", "empty value"},
        BadSpec{"blas[invalid=\"1\"]", "cannot match on field 'invalid'"},
        BadSpec{"blas[optional]", "expected key=value"},
        BadSpec{"!xyz 1.3", "missing package name"}, BadSpec{">=1.0", "missing package name"},
        BadSpec{"conda-forge::", "missing package name"}, BadSpec{"numpy]", "unbalanced ']'"},
        BadSpec{"numpy[a=1][b=2]", "multiple bracket"},
        BadSpec{"numpy[version='>=1.0]", "unbalanced '['"},
        BadSpec{"numpy[version=>=1,<2]", "expected key=value"},
        BadSpec{"numpy[build=py'3']", "stray quote"}, BadSpec{"numpy 1.0&", "invalid character"},
        BadSpec{"numpy[build_number=abc]", "not an integer"},
        BadSpec{"numpy ~=1", "two components"}, BadSpec{"num,py", "invalid character"},
        BadSpec{"numpy ((1.0)", "unbalanced"}, BadSpec{"foo-1.0.conda", "not a package file"},
        BadSpec{"numpy[license='^[$']", "invalid regular expression"},
        BadSpec{"numpy >=1.0 <2.0", "invalid"}, BadSpec{"@", "invalid feature name"},
        BadSpec{"]@", "invalid feature name"},
        BadSpec{"numpy * py'27", "invalid character in build"},
        BadSpec{"con da::numpy", "invalid character in channel"},
        BadSpec{"numpy[channel=https://h/x://h/y/*]", "invalid channel 'x://h/y/*'"},
        BadSpec{"^nu]mpy[build=py_0]$", "unbalanced ']'"},
        BadSpec{"numpy[channel=cf,subdir=://x]", "invalid character in channel or subdir"},
        BadSpec{"numpy[version=1.0@abc]", "invalid character"},
        BadSpec{"numpy.conda=1.0", "package file name is not a package name"}));

TEST(ChannelNames, UrlsReduceToTheNameCondaCompares) {
    using chanmirror::core::channel_and_subdir;
    using chanmirror::core::channel_name;
    EXPECT_EQ(channel_name("conda-forge"), "conda-forge");
    EXPECT_EQ(channel_name("https://conda.anaconda.org/conda-forge/"), "conda-forge");
    EXPECT_EQ(channel_name("https://repo.anaconda.com/pkgs/main"), "pkgs/main");
    EXPECT_EQ(channel_name("https://conda.anaconda.org/t/tk-1/conda-forge"), "conda-forge");
    EXPECT_EQ(channel_name("http://localhost:8080/mirror/conda-forge"), "mirror/conda-forge");
    auto [name, subdir] = channel_and_subdir("conda-forge/linux-aarch64");
    EXPECT_EQ(name, "conda-forge");
    EXPECT_EQ(subdir, "linux-aarch64");
    auto [name2, subdir2] = channel_and_subdir("my/own-channel");
    EXPECT_EQ(name2, "my/own-channel");  // not a known subdir: part of the channel
    EXPECT_FALSE(subdir2);
}

// Every record of the real repodata fixtures: its version parses, every depends/constrains
// string parses, and the environment.yml pin of the record selects it.
TEST(MatchSpecOnRealRepodata, ParsesEveryVersionAndDependencyAndPinsEveryRecord) {
    namespace fs = std::filesystem;
    std::size_t records = 0;
    std::set<std::string> dep_texts;
    std::vector<std::string> failures;
    auto check_record = [&](const std::string& where, const chanmirror::core::Json& rec) {
        if (!rec.contains("name")) {
            return;  // channeldata.json and other non-repodata "packages" maps
        }
        const std::string name = rec.value("name", "");
        const std::string build = rec.value("build", "");
        auto version = Version::parse(rec.value("version", ""));
        if (!version) {
            failures.push_back(where + ": " + version.error().message);
            return;
        }
        ++records;
        for (const char* key : {"depends", "constrains"}) {
            for (const auto& dep : rec.value(key, chanmirror::core::Json::array())) {
                dep_texts.insert(dep.get<std::string>());
            }
        }
        RecordFields f;
        f.name = name;
        f.version = &*version;
        f.build = build;
        f.build_number = rec.value("build_number", std::int64_t{0});
        const std::string v = version->to_string();
        // conda cannot split a build string containing '-' off positionally (nor can CEP 26
        // file names carry one); brackets express it.
        const std::string pin_build = build.find('-') == std::string::npos
                                          ? name + "=" + v + "=" + build
                                          : name + "[version=" + v + ",build=" + build + "]";
        for (const std::string& pin : {pin_build, name + "==" + v}) {
            auto m = MatchSpec::parse(pin);
            if (!m || !m->matches(f)) {
                failures.push_back(where + ": pin '" + pin + "' does not select the record");
            }
        }
    };
    // conda-forge linux-64 and noarch subsets, and the complete 2018 defaults r/linux-64.
    const fs::path root = chanmirror::test::fixtures_dir() / "repodata";
    for (const fs::path& path : {root / "conda-subchannel-demo/linux-64/repodata.json",
                                 root / "conda-subchannel-demo/noarch/repodata.json",
                                 root / "conda-tests/r_linux-64.json"}) {
        auto json = chanmirror::core::parse_json(chanmirror::test::read_bytes(path), path.string());
        ASSERT_TRUE(json) << json.error().message;
        for (const char* section : {"packages", "packages.conda"}) {
            if (!json->contains(section) || !(*json)[section].is_object()) {
                continue;
            }
            for (const auto& [fn, rec] : (*json)[section].items()) {
                check_record(path.parent_path().filename().string() + "/" + fn, rec);
            }
        }
    }
    for (const std::string& dep : dep_texts) {
        if (auto m = MatchSpec::parse(dep); !m) {
            failures.push_back(m.error().message);
        }
    }
    EXPECT_GT(records, 6000u);
    EXPECT_GT(dep_texts.size(), 1500u);
    EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: "
                                  << (failures.empty() ? "" : failures.front());
    for (std::size_t i = 0; i < failures.size() && i < 15; ++i) {
        ADD_FAILURE() << failures[i];
    }
}
