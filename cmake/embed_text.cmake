# Embeds one text file as a C++ raw string literal named ${VAR}.
file(READ "${IN}" text)
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/embed_text.cmake. Do not edit.\n"
  "static constexpr const char ${VAR}[] = R\"EMBED(${text})EMBED\";\n")
