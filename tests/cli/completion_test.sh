#!/usr/bin/env bash
# completion_test.sh COMPLETION_SCRIPT: the bash completion offers the commands, the subcommands
# and the options of babyapi.
set -euo pipefail
source "$1"

complete_words() {  # the words typed, the last one being completed
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMP_LINE="$*"
  COMPREPLY=()
  _babyapi
  echo "${COMPREPLY[*]}"
}

failures=0
expect() {  # expect "<what it must contain>" words...
  local want=$1
  shift
  local got
  got=$(complete_words "$@")
  if [[ " $got " != *" $want "* ]]; then
    echo "FAIL: completing '$*' gave '$got', expected it to offer '$want'"
    failures=$((failures + 1))
  else
    echo "ok: '$*' -> $got"
  fi
}

expect docling babyapi do
expect chat babyapi ch
expect --api-key-file babyapi --api-key-
expect convert babyapi docling con
expect hierarchical babyapi docling chunk hie
expect --no-stream babyapi chat --no
expect --batch-size babyapi embed --batch
expect get babyapi models g
expect POST babyapi raw PO
expect csv babyapi embed --format c
expect doctags babyapi docling convert --to doc
exit $((failures > 0))
