#!/usr/bin/env bash
# Finds a JDK >= 25 with jdk.incubator.vector: $JAVA_HOME first, then the folders of
# /usr/lib/jvm, newest first (override the search folders with BNN_JDK_DIRS="dir1 dir2").
# Sourced (./bnn): exports it as JAVA_HOME, messages start with $jdk_who. Run (./mvnw): prints
# its path. No JDK: one line on stderr, exit 2.

# Major version of the JDK at $1 (from its release file, without starting a JVM), or empty.
jdk_major() {
  local rel="$1/release" v
  [ -f "$rel" ] && [ -x "$1/bin/java" ] || return 1
  grep -q 'jdk.incubator.vector' "$rel" || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$rel")
  [ -n "$v" ] && echo "$v"
}

looked=()
java_home=""
if [ -n "${JAVA_HOME:-}" ]; then
  v=$(jdk_major "$JAVA_HOME")
  if [ -n "$v" ] && [ "$v" -ge 25 ]; then
    java_home="$JAVA_HOME"
  else
    if [ -n "$v" ]; then looked+=("JAVA_HOME=$JAVA_HOME (JDK $v)"); else looked+=("JAVA_HOME=$JAVA_HOME (not a JDK with jdk.incubator.vector)"); fi
  fi
fi
if [ -z "$java_home" ]; then
  best=0
  for dir in ${BNN_JDK_DIRS:-/usr/lib/jvm}; do
    for cand in "$dir"/*/; do
      cand="${cand%/}"
      [ -d "$cand" ] && [ ! -L "$cand" ] || continue
      v=$(jdk_major "$cand") || { looked+=("$cand (not a JDK with jdk.incubator.vector)"); continue; }
      if [ "$v" -ge 25 ] && [ "$v" -gt "$best" ]; then best=$v; java_home="$cand"; fi
      [ "$v" -ge 25 ] || looked+=("$cand (JDK $v)")
    done
    [ -d "$dir" ] || looked+=("$dir (no such folder)")
  done
  if [ -z "$java_home" ]; then
    echo "${jdk_who:-bnn4j}: no JDK 25 or newer found; looked at: ${looked[*]:-nothing}. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
    exit 2
  fi
  if [ -n "${JAVA_HOME:-}" ]; then
    echo "${jdk_who:-bnn4j}: JAVA_HOME=$JAVA_HOME is not JDK 25+; using $java_home" >&2
  fi
fi
export JAVA_HOME="$java_home"
[ "${BASH_SOURCE[0]}" != "$0" ] || echo "$JAVA_HOME"
