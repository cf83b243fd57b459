#!/usr/bin/env bash
# The pipeline streamtee replaces, as a relaybench candidate:
#   python3 ../shared/bench/relaybench.py run --cmd 'bench/yardsticks/socat-tee.sh {IN} {OUTS}' --rate 2000
# socat turns the datagrams into a byte stream through the pipes, tee copies the stream, and each output socat
# cuts it into datagrams again, wherever its reads happen to end.
set -euo pipefail
in="$1"; shift
cmd="socat -U - udp4-recv:$in"
last="${@: -1}"
tees=""
for out in "${@:1:$#-1}"; do
  tees+=" >(socat -u - udp4-datagram:$out)"
done
eval "$cmd | tee $tees | socat -u - udp4-datagram:$last"
