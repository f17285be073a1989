// Match specs (environment.yml entries, and every dependency of every upstream record a
// closure reads): parsing never fails unsafely, and the canonical text is the same spec.
#include "core/match_spec.hpp"
#include "core/version.hpp"
#include "fuzz/fuzz_check.hpp"
#include "fuzz/fuzz_support.hpp"

using chanmirror::core::MatchSpec;
using chanmirror::core::RecordFields;
using chanmirror::core::Version;
using chanmirror::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // spec, then the record it is matched against: name, version, build.
    auto texts = chanmirror::fuzz::split_input(data, size, 4);
    auto spec = MatchSpec::parse(texts[0]);
    if (!spec ||
        (spec->version() && chanmirror::fuzz::has_inner_glob(spec->version()->to_string())))
        return 0;
    auto canonical = spec->to_string();
    // "e.cOnda" is a name (conda checks file extensions case-sensitively) whose lower-cased
    // canonical form "e.conda" reads as a file name, in conda as here.
    if (spec->name().ends_with(".conda") || spec->name().ends_with(".tar.bz2"))
        return 0;
    // Values are written in brackets as conda writes them: a channel unquoted, others in
    // single quotes, neither escaped. A value holding a quote or a separator cannot be
    // written back (in conda either).
    if (spec->channel().find_first_of(",[]'\" ") != std::string::npos ||
        texts[0].find_first_of("'\"") != std::string_view::npos)
        return 0;
    auto reparsed = MatchSpec::parse(canonical);
    check(reparsed.has_value(), "a match spec's canonical text parses");
    // Not always a fixed point at once, in conda as here: "foo ==1.2,<2 py_0" is written
    // "foo[version='==1.2,<2',build=py_0]", whose bracket version reads as "1.2,<2" (the
    // same spec). One more round must change nothing.
    auto settled = MatchSpec::parse(reparsed->to_string());
    check(settled && settled->to_string() == reparsed->to_string(),
          "the canonical text settles after one round");

    auto version = Version::parse(texts[2]);
    RecordFields record;
    record.name = texts[1];
    record.version = version ? &*version : nullptr;
    record.build = texts[3];
    record.build_number = static_cast<std::int64_t>(size);
    check(spec->matches(record) == reparsed->matches(record),
          "the canonical spec matches the same records");
    return 0;
}
