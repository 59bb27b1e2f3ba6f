#!/usr/bin/env bash
# tty_test.sh BABYAPI WORKDIR: babyapi on a real terminal, driven through a private tmux server.
# Run by run_with_emulator, so BABYAPI_BASE_URL and BABYAPI_API_KEY name a fresh emulator.
#   1. docling convert draws its upload progress bar (and, with --async, a task status line) on
#      a terminal, and not when stderr is a pipe or with --quiet;
#   2. in the interactive chat, Ctrl-C stops a (held) answer and the session goes on; Ctrl-C at
#      the prompt only hints; Ctrl-D ends the session with status 0;
#   3. an --api-key given on the command line is not readable in /proc/PID/cmdline (ps).
# Waiting is polling the pane for the expected text in a bounded loop, never a fixed sleep.
set -euo pipefail

babyapi=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
cd "$work"

socket="babyapi-cli-test-$$"
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
cleanup() { tmux_ kill-server 2>/dev/null || true; }
trap cleanup EXIT

fail() {
  echo "FAIL: $*"
  echo "----- pane -----"
  tmux_ capture-pane -p -t cli -S -200 2>/dev/null || true
  exit 1
}

pane() { tmux_ capture-pane -p -t cli -S -200; }

# wait_for PATTERN [COUNT]: until the pane holds COUNT (default 1) lines matching the extended
# regex PATTERN; fails after about 30 s.
wait_for() {
  local pattern=$1 count=${2:-1} i
  for ((i = 0; i < 600; i++)); do
    if (($(pane | grep -E -c -- "$pattern" || true) >= count)); then return 0; fi
    sleep 0.05
  done
  fail "timed out waiting for /$pattern/ x$count"
}

# A file big enough for several progress callbacks (about 3 MB of text), and a directory holding
# it and a small one: the "an installed babyapi converts a directory with a visible bar".
head -c 3000000 /dev/zero | tr '\0' 'a' | fold -w 79 >big.txt
mkdir -p docs
cp big.txt docs/big.txt
printf '# Small\n\nA small note.\n' >docs/small.md

# The shell in the pane gets the emulator's address and key from this environment.
unset NO_COLOR
tmux_ new-session -d -s cli -x 150 -y 45 "env PS1='$ ' bash --norc --noprofile"
tmux_ send-keys -t cli "cd '$work'" Enter

# ---- 1. the progress bar: on the terminal, not in a pipe ----
tmux_ send-keys -t cli "'$babyapi' docling convert docs -o out; echo CONVERT-STATUS-\$?" Enter
wait_for '^CONVERT-STATUS-[0-9]+$'
pane | grep -q '^CONVERT-STATUS-0$' || fail "the conversion on the terminal failed"
pane | grep -E -q 'big\.txt +\[#+\] 100% +[0-9.]+ MiB / [0-9.]+ MiB' ||
  fail "no upload progress bar on the terminal"
[[ -s out/big.md ]] || fail "out/big.md was not written"
grep -q 'A small note' out/small.md || fail "out/small.md was not written from the directory"

tmux_ send-keys -t cli "'$babyapi' docling convert big.txt -o piped 2>stderr.txt | cat; echo PIPE-STATUS-\$?" Enter
wait_for '^PIPE-STATUS-[0-9]+$'
pane | grep -q '^PIPE-STATUS-0$' || fail "the conversion into a pipe failed"
[[ -s piped/big.md ]] || fail "piped/big.md was not written"
if [[ -s stderr.txt ]]; then
  echo "stderr in a pipe:"; cat -v stderr.txt
  fail "progress output reached stderr although it is not a terminal"
fi
# --async: after the upload, a status line with the task's state and the elapsed time.
tmux_ send-keys -t cli "clear; '$babyapi' docling convert --async big.txt -o async; echo ASYNC-STATUS-\$?" Enter
wait_for '^ASYNC-STATUS-[0-9]+$'
pane | grep -q '^ASYNC-STATUS-0$' || fail "the async conversion failed"
pane | grep -E -q '^big\.txt +task [0-9a-f]{8} (submitted|pending|started|success) +[0-9.]+s$' ||
  fail "no task status line on the terminal"
[[ -s async/big.md ]] || fail "async/big.md was not written"
# --quiet on a terminal: no bar either.
tmux_ send-keys -t cli "clear; '$babyapi' --quiet docling convert big.txt -o quiet; echo QUIET-STATUS-\$?" Enter
wait_for '^QUIET-STATUS-[0-9]+$'
pane | grep -q '^QUIET-STATUS-0$' || fail "the quiet conversion failed"
pane | grep -q '100%' && fail "--quiet still drew a progress bar"

# ---- 2. the interactive chat: Ctrl-C stops an answer, not the session ----
# Every answer is held by the emulator after 3 events (the role, then two words): only Ctrl-C
# can end it.
tmux_ send-keys -t cli "clear; '$babyapi' --api-key \"\$BABYAPI_API_KEY\" -H x-emulator-stream:hold-after=3 chat; echo CHAT-STATUS-\$?" Enter
wait_for 'Ctrl-D ends the session\.'

# 3. The key given with --api-key is not in the process's command line.
shell_pid=$(tmux_ display-message -p -t cli '#{pane_pid}')
chat_pid=$(pgrep -P "$shell_pid" -x babyapi || true)
[[ -n $chat_pid ]] || fail "cannot find the babyapi process"
if tr '\0' ' ' <"/proc/$chat_pid/cmdline" | grep -q -F -- "$BABYAPI_API_KEY"; then
  fail "the API key is readable in /proc/$chat_pid/cmdline"
fi

tmux_ send-keys -t cli "alpha beta gamma delta epsilon" Enter
wait_for '^alpha beta$'
tmux_ send-keys -t cli C-c
wait_for '^\[stopped\]$'
wait_for '^>$'
# Still in the session: a second question gets its own (held) answer.
tmux_ send-keys -t cli "second question here" Enter
wait_for '^second question$'
tmux_ send-keys -t cli C-c
wait_for '^\[stopped\]$' 2
# Ctrl-C at the prompt only says how to leave.
wait_for '^>$'
tmux_ send-keys -t cli C-c
wait_for '^\(Ctrl-D ends the session\)$'
pane | grep -q '^CHAT-STATUS-' && fail "Ctrl-C ended the chat session"
# Ctrl-D ends it, with status 0.
tmux_ send-keys -t cli C-d
wait_for '^CHAT-STATUS-[0-9]+$'
pane | grep -q '^CHAT-STATUS-0$' || fail "the chat session did not end with status 0"

echo "tty test passed"
