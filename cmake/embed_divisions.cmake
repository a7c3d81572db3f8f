# Turns the division-code TSV files into a C++ include holding them as raw string
# literals, so the binary carries its reference data and needs no files at run time.
file(READ "${CURRENT}" current_tsv)
file(READ "${RETIRED}" retired_tsv)
file(WRITE "${OUT}" "// Generated from data/gb2260/*.tsv by cmake/embed_divisions.cmake. Do not edit.\n"
  "static constexpr const char kCurrentDivisionsTsv[] = R\"TSV(${current_tsv})TSV\";\n"
  "static constexpr const char kRetiredDivisionsTsv[] = R\"TSV(${retired_tsv})TSV\";\n")
