# Syscall name table for syscall_names.cpp, generated at build time from the
# installed kernel UAPI header so it cannot drift from the numbers the kernel
# reports. Included from CMakeLists.txt (defines the rule) and re-run by the
# rule itself in script mode (-P) to do the generation.
if(CMAKE_SCRIPT_MODE_FILE)
  # Script mode: IN = asm/unistd_64.h, OUT = the .inc to write.
  file(STRINGS "${IN}" lines REGEX "^#define __NR_[a-z0-9_]+[ \t]+[0-9]+")
  set(body "// Generated from ${IN} by syscall_names.cmake; do not edit.\n")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^#define __NR_([a-z0-9_]+)[ \t]+([0-9]+).*" "HS_SYSCALL(\\2, \\1)\n" entry "${line}")
    string(APPEND body "${entry}")
  endforeach()
  file(WRITE "${OUT}.tmp" "${body}")
  file(RENAME "${OUT}.tmp" "${OUT}")
  return()
endif()

find_file(HS_UNISTD_64_H asm/unistd_64.h
          PATHS /usr/include/${CMAKE_LIBRARY_ARCHITECTURE} /usr/include/x86_64-linux-gnu /usr/include
          NO_DEFAULT_PATH)
if(NOT HS_UNISTD_64_H)
  message(FATAL_ERROR "asm/unistd_64.h not found: install linux-libc-dev")
endif()
set(hs_syscall_inc ${CMAKE_CURRENT_BINARY_DIR}/generated/syscall_names.inc)
add_custom_command(
  OUTPUT ${hs_syscall_inc}
  COMMAND ${CMAKE_COMMAND} -DIN=${HS_UNISTD_64_H} -DOUT=${hs_syscall_inc}
          -P ${CMAKE_CURRENT_LIST_FILE}
  DEPENDS ${HS_UNISTD_64_H} ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Generating syscall name table from ${HS_UNISTD_64_H}"
  VERBATIM)
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/generated)
target_sources(hs_common PRIVATE ${CMAKE_CURRENT_LIST_DIR}/syscall_names.cpp ${hs_syscall_inc})
target_include_directories(hs_common PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
