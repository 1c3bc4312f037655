# bpf_object(<name> <source.bpf.c>)
#   compiles <source> with clang -target bpf against a vmlinux.h generated from
#   the running kernel's BTF, generates <name>.skel.h with bpftool, and exposes
#   an INTERFACE target <name>_skel whose include path holds the skeleton.
find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin REQUIRED)

set(HS_BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpfgen)
set(HS_VMLINUX_H ${HS_BPF_GEN_DIR}/vmlinux.h)
set(HS_BTF_SOURCE /sys/kernel/btf/vmlinux CACHE FILEPATH "Kernel BTF that vmlinux.h is generated from")
file(MAKE_DIRECTORY ${HS_BPF_GEN_DIR})

# Generated at build time (not vendored): CO-RE relocations make the object
# portable anyway, and generating it keeps every type the probes read available.
add_custom_command(
  OUTPUT ${HS_VMLINUX_H}
  COMMAND ${BPFTOOL} btf dump file ${HS_BTF_SOURCE} format c > ${HS_VMLINUX_H}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${HS_VMLINUX_H}.tmp ${HS_VMLINUX_H}
  COMMENT "Generating vmlinux.h from ${HS_BTF_SOURCE}"
  VERBATIM)
add_custom_target(hs_vmlinux_h DEPENDS ${HS_VMLINUX_H})

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64")
  set(HS_BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64")
  set(HS_BPF_ARCH arm64)
else()
  set(HS_BPF_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

function(bpf_object name src)
  set(obj ${HS_BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${HS_BPF_GEN_DIR}/${name}.skel.h)
  get_filename_component(abs_src ${src} ABSOLUTE)
  # CONFIGURE_DEPENDS: a header added later is picked up by the next build.
  file(GLOB_RECURSE bpf_headers CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/bpf/lib/*.h ${PROJECT_SOURCE_DIR}/bpf/include/*.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_${HS_BPF_ARCH}
            -I${HS_BPF_GEN_DIR} -I${PROJECT_SOURCE_DIR}/bpf/include -I${PROJECT_SOURCE_DIR}/bpf/lib
            -Wall -Werror -Wno-unused-function
            -c ${abs_src} -o ${obj}.tmp
    COMMAND ${BPFTOOL} gen object ${obj} ${obj}.tmp
    COMMAND ${CMAKE_COMMAND} -E remove ${obj}.tmp
    DEPENDS ${abs_src} ${bpf_headers} ${HS_VMLINUX_H}
    COMMENT "BPF ${name}"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Skeleton ${name}"
    VERBATIM)
  add_custom_target(${name}_skel_gen DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${HS_BPF_GEN_DIR})
endfunction()
